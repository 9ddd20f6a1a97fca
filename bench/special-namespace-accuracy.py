"""Reads bench/special-namespace-accuracy.ts's JSON on stdin; compares with torch 1.13; prints statistics."""
import json
import re
import sys

import torch

d = json.load(sys.stdin)
as_f64 = lambda a: torch.tensor([float(v) for v in a], dtype=torch.float64)
x = as_f64(d['x']).requires_grad_(True)
# camelCase to torch's snake_case: an underscore before each capital (digits stay: besselJ0 → bessel_j0)
fn = getattr(torch.special, re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), d['name']))


def call(t, dtype):
    if d['other'] is None:
        return fn(t)
    o = torch.full_like(t, d['other'], dtype=dtype)
    return fn(o, t) if d['gridSecond'] else fn(t, o)


want = call(x, torch.float64)
torch32 = call(x.detach().float(), torch.float32).double()
grad = None
if want.requires_grad:
    try:
        grad, = torch.autograd.grad(want.sum(), x)
    except RuntimeError:
        pass


def report(label, got, ref):
    fin = torch.isfinite(ref) & torch.isfinite(got)
    mismatched = ((torch.isnan(got) != torch.isnan(ref)) | (torch.isinf(got) != torch.isinf(ref))).sum().item()
    if not fin.any():
        print(f'{label:14s} no finite values; non-finite mismatches {mismatched}')
        return
    err = (got - ref).abs()[fin]
    scaled = err / ref.abs()[fin].clamp(min=1)
    rel = err / ref.abs()[fin].clamp(min=1e-300)
    worst = x.detach()[fin][int(torch.argmax(scaled))].item()
    print(f'{label:14s} |error|/max(|y|, 1) max {scaled.max().item():.2e} (at {worst:.6g}); relative median {rel.median().item():.2e}'
          f' p99 {rel.quantile(0.99).item():.2e}; non-finite mismatches {mismatched}')


ref = want.detach()
report('wasm', as_f64(d['wasm']), ref)
report('reference', as_f64(d['reference']), ref)
report('torch float32', torch32, ref)
if grad is not None and 'wasmGrad' in d:
    report('wasm grad', as_f64(d['wasmGrad']), grad)
    report('reference grad', as_f64(d['referenceGrad']), grad)
