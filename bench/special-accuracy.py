"""Reads bench/special-accuracy.ts's JSON on stdin; compares with torch 1.13 float32; prints statistics."""
import json
import sys

import numpy as np
import torch

d = json.load(sys.stdin)
as_f64 = lambda a: np.array([float(v) for v in a])
x = torch.tensor(as_f64(d['x']), dtype=torch.float32)
fn = (lambda t: torch.polygamma(d['order'], t)) if d['name'] == 'polygamma' else getattr(torch, d['name'])
want = fn(x).numpy()
exact64 = fn(x.double()).numpy()


def ordered(a):
    """float32 bit patterns as integers that count ulps across zero."""
    i = a.view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


xv = x.numpy()
for be in ['wasm', 'reference']:
    got = as_f64(d[be]).astype(np.float32)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    finite = np.isfinite(want) & np.isfinite(got)
    ulp = np.where(same, 0, np.abs(ordered(got) - ordered(want)))
    print(f"{d['name']} {be}: non-finite values equal to torch's: {bool(np.all(same[~np.isfinite(want)]))}")
    for label, sel in [('x > 0', (xv > 0) & finite), ('x < 0', (xv < 0) & finite)]:
        if not sel.any():
            continue
        u = ulp[sel]
        rel = np.abs(got[sel].astype(np.float64) - want[sel]) / np.maximum(np.abs(want[sel].astype(np.float64)), 1) / 2**-23
        print(f'  {label}: ulp max {u.max()} p99 {np.percentile(u, 99):.0f} median {np.median(u):.0f}, within 4 ulp {100 * (u <= 4).mean():.2f}%;'
              f' |diff| / (2^-23 max(|torch|, 1)) max {rel.max():.2f}')
        # against the float64 value (rounded to float32), and torch's own float32 distance from it
        e32 = exact64[sel].astype(np.float32)
        ok = np.isfinite(e32) & (exact64[sel] != 0)
        for who, a in [('ours', got[sel]), ('torch float32', want[sel])]:
            u64 = np.abs(ordered(a[ok]) - ordered(e32[ok]))
            r64 = np.abs(a[ok].astype(np.float64) - exact64[sel][ok]) / np.abs(exact64[sel][ok])
            print(f'    vs float64, {who}: ulp max {u64.max()} p99 {np.percentile(u64, 99):.0f} median {np.median(u64):.0f}; relative max {r64.max():.2e}')

# the gradient against the float64 derivative, away from the poles (0.01 or more from an integer ≤ 0)
derivative = {'lgamma': torch.digamma, 'digamma': lambda t: torch.polygamma(1, t), 'i0': torch.special.i1,
              'polygamma': lambda t: torch.polygamma(d.get('order', 0) + 1, t)}[d['name']]
exact = derivative(x.double()).numpy()
away = (xv > 0) | (np.abs(xv - np.round(xv)) >= 0.01) if d['name'] != 'i0' else np.isfinite(xv)
for be in ['wasm', 'reference']:
    g = as_f64(d[be + 'Grad'])
    t32 = derivative(x).double().numpy()
    # where float32 overflows (i0 past 88.72) no comparison is made
    sel = away & np.isfinite(exact) & np.isfinite(g) & np.isfinite(t32)
    t32 = t32[sel]
    scale = np.maximum(np.abs(exact[sel]), 1)
    rel = np.abs(g[sel] - exact[sel]) / scale
    print(f"  gradient {be}: relative error vs the float64 derivative (|error| / max(|d|, 1)): max {rel.max():.2e} p99 {np.percentile(rel, 99):.2e}"
          f" (torch float32: max {(np.abs(t32 - exact[sel]) / scale).max():.2e})")
