/**
 * torch's CPU-only element callbacks: t.apply_(fn), t.map_(other, fn), t.map2_(x, y, fn). fn is
 * JavaScript called once per element in row-major order; its numbers are written back into t's
 * block (float32 rounding, or int32 truncation toward zero as torch's C++ cast), t's storage
 * version bumped like any in-place write. As torch, a tensor that requires grad (t or an operand)
 * is refused, also inside noGrad: the callback is invisible to autograd. Eager only.
 */
import { ensureResident } from '../engine/memory.js';
import { sink } from '../engine/sink.js';
import { checkFunction, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { AutogradError, CompileError, ValueError, fmtValue } from '../errors.js';
import { copySource } from './shape.js';
import { expand } from './layout.js';

/** The checks every form shares: live tensors, no grad, eager, a function. */
function checkCall(fn: string, t: Tensor, operands: readonly unknown[], f: unknown): asserts f is (...v: number[]) => number {
  checkTensor(fn, 'self', t);
  operands.forEach((o, i) => checkTensor(fn, operands.length === 1 ? 'other' : `operand ${i}`, o));
  checkFunction(fn, 'fn', f);
  for (const x of [t, ...(operands as Tensor[])])
    if (x.requiresGrad) throw new AutogradError(fn, `can't call ${fn}() on a tensor that requires grad (torch's rule: use t.detach().${fn}(…) instead)`);
  if (sink.mode !== 'off')
    throw new CompileError(fn, 'calls a JavaScript function per element, which a compiled program cannot replay: call it outside wg.compile');
}

/** An operand's values broadcast to t's shape (copy_'s broadcasting rule and error, in t's dtype as torch converts). */
function broadcastValues(fn: string, t: Tensor, o: Tensor): ArrayLike<number> {
  return expand(copySource(fn, t, o), [...t.shape]).values();
}

/** Runs f per element over t's values and the operands' and writes the results into t. */
function mapInto(fn: string, t: Tensor, operands: readonly ArrayLike<number>[], f: (...v: number[]) => number): Tensor {
  const cur = t.values();
  const out = new Float64Array(cur.length);
  const args = new Array<number>(1 + operands.length);
  for (let i = 0; i < cur.length; i++) {
    args[0] = cur[i];
    for (let k = 0; k < operands.length; k++) args[k + 1] = operands[k][i];
    const r: unknown = f(...args);
    if (typeof r !== 'number') throw new ValueError(fn, `fn must return a number, got ${fmtValue(r)} for element ${i}`);
    out[i] = t.dtype === 'int32' ? Math.trunc(r) | 0 : Math.fround(r);
  }
  const s = ensureResident(t.storage, fn);
  s.backend.write(s.ptr, out, t.dtype);
  s.version++;
  return t;
}

/** t.apply_(fn): each element x becomes fn(x) (torch.Tensor.apply_). Returns t. */
export function apply_(t: Tensor, fn: (x: number) => number): Tensor {
  checkCall('apply_', t, [], fn);
  return mapInto('apply_', t, [], fn);
}

/** t.map_(other, fn): each element x becomes fn(x, y), other broadcast to t's shape (torch.Tensor.map_). Returns t. */
export function map_(t: Tensor, other: Tensor, fn: (x: number, y: number) => number): Tensor {
  checkCall('map_', t, [other], fn);
  return mapInto('map_', t, [broadcastValues('map_', t, other)], fn);
}

/** t.map2_(x, y, fn): each element a becomes fn(a, b, c), x and y broadcast to t's shape (torch.Tensor.map2_). Returns t. */
export function map2_(t: Tensor, x: Tensor, y: Tensor, fn: (a: number, b: number, c: number) => number): Tensor {
  checkCall('map2_', t, [x, y], fn);
  return mapInto('map2_', t, [broadcastValues('map2_', t, x), broadcastValues('map2_', t, y)], fn);
}
