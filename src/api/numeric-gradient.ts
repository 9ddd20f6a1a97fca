/**
 * Two of torch 1.13's top-level functions, composed of existing wg functions (no kernels of their
 * own): torch.gradient (finite differences along dims, differentiable as its slices, subs, muls and
 * divs are) and the deprecated torch.range (arange with the end included).
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkDim } from '../ops/types.js';
import { createOptions, make, writeGenerated, type CreateOptions } from './creation.js';
import { add, div, mul, neg, sub } from './elementwise.js';
import { to } from './integer.js';
import { narrow } from './layout.js';
import { cat, reshape, slice } from './shape.js';
import { torchForm } from './keywords.js';

export interface GradientOptions {
  /**
   * The sample spacing: a number for every dim (default 1), one number per dim, or one 1-D tensor
   * of coordinates per dim (non-uniform samples, as long as the dim).
   */
  spacing?: number | readonly number[] | readonly Tensor[] | null;
  /** The dim or dims to differentiate along (negative counts from the end; default every dim). */
  dim?: number | readonly number[] | null;
  /** The accuracy of the one-sided differences at the two ends: 1 or 2 (default 1). */
  edgeOrder?: number;
}

/** Element i along d, the dim kept (x[i:i+1]; negative i counts from the end). */
const at = (x: Tensor, d: number, i: number): Tensor => slice(x, d, i, i === -1 ? null : i + 1);

/**
 * ∂x/∂dim with samples h apart: central differences (x[i+1] − x[i−1])/2h inside; at the ends
 * (x₁ − x₀)/h (edge order 1) or (−1.5x₀ + 2x₁ − 0.5x₂)/h (order 2, exact for quadratics). Each
 * expression is written in torch's order of operations, so float32 results round the same.
 */
function uniformGradient(x: Tensor, d: number, h: number, edgeOrder: number): Tensor {
  const center = div(div(sub(slice(x, d, 2, null), slice(x, d, 0, -2)), h), 2);
  const [first, second, last, last2] = [at(x, d, 0), at(x, d, 1), at(x, d, -1), at(x, d, -2)];
  if (edgeOrder === 1) return cat([div(sub(second, first), h), center, div(sub(last, last2), h)], d);
  const head = div(sub(add(mul(first, -1.5), mul(second, 2)), mul(at(x, d, 2), 0.5)), h);
  const tail = div(add(add(mul(at(x, d, -3), 0.5), mul(last2, -2)), mul(last, 1.5)), h);
  return cat([head, center, tail], d);
}

/**
 * ∂x/∂dim at samples with coordinates c (1-D, float32): with steps h₁ = cᵢ − cᵢ₋₁, h₂ = cᵢ₊₁ − cᵢ,
 * the second-order interior formula of the quadratic through three points,
 * −h₂/(h₁(h₁+h₂))·xᵢ₋₁ + (h₂−h₁)/(h₁h₂)·xᵢ + h₁/(h₂(h₁+h₂))·xᵢ₊₁; at the ends the first difference
 * (edge order 1) or the one-sided quadratic's slope (order 2), as torch (and NumPy) compute them.
 */
function coordinateGradient(x: Tensor, d: number, c: Tensor, edgeOrder: number): Tensor {
  const along = x.shape.map((s, k) => (k === d ? -1 : 1));
  const n = c.shape[0];
  const dx = sub(narrow(c, 0, 1, n - 1), narrow(c, 0, 0, n - 1)); // the n − 1 steps
  const h1 = slice(dx, 0, 0, -1);
  const h2 = slice(dx, 0, 1, null);
  const a = reshape(div(neg(h2), mul(h1, add(h1, h2))), along);
  const b = reshape(div(sub(h2, h1), mul(h1, h2)), along);
  const cc = reshape(div(h1, mul(h2, add(h1, h2))), along);
  const center = add(add(mul(a, slice(x, d, 0, -2)), mul(b, slice(x, d, 1, -1))), mul(cc, slice(x, d, 2, null)));
  // The end steps as 0-d tensors, broadcasting over x's end slices.
  const step = (i: number) => reshape(at(dx, 0, i), []);
  const [first, second, last, last2] = [at(x, d, 0), at(x, d, 1), at(x, d, -1), at(x, d, -2)];
  if (edgeOrder === 1) return cat([div(sub(second, first), step(0)), center, div(sub(last, last2), step(-1))], d);
  const [d0, d1] = [step(0), step(1)];
  const head = add(
    add(mul(div(neg(add(mul(d0, 2), d1)), mul(d0, add(d0, d1))), first), mul(div(add(d0, d1), mul(d0, d1)), second)),
    mul(div(neg(d0), mul(d1, add(d0, d1))), at(x, d, 2)),
  );
  const [e1, e2] = [step(-1), step(-2)];
  const tail = add(
    add(mul(div(e1, mul(e2, add(e1, e2))), at(x, d, -3)), mul(div(neg(add(e1, e2)), mul(e1, e2)), last2)),
    mul(div(add(mul(e1, 2), e2), mul(e1, add(e1, e2))), last),
  );
  return cat([head, center, tail], d);
}

/**
 * torch.gradient(input, *, spacing = 1, dim = None, edge_order = 1): the derivative of the sampled
 * function along each dim asked for, one float32 tensor of input's shape per dim (torch's tuple as
 * an array; none for a 0-d input or an empty dim list). Central differences inside, one-sided ones
 * of order edgeOrder at the ends, every dim needing at least edgeOrder + 1 samples. int32 input is
 * differentiated in float32, as torch's result is floating point. Differentiable in input and in
 * coordinate tensors.
 */
export function gradient(input: Tensor, opts: GradientOptions = {}): Tensor[] {
  checkTensor('gradient', 'input', input);
  const o = checkOptions<GradientOptions>('gradient', opts, ['spacing', 'dim', 'edgeOrder']);
  // torch's None (null here) is the default for spacing and dim, as leaving them out.
  const [spacing, dim, edgeOrder] = [o.spacing ?? 1, o.dim ?? null, o.edgeOrder ?? 1];
  const nd = input.ndim;
  const dimList = dim === null ? undefined : typeof dim === 'number' ? [dim] : dim;
  if (dimList !== undefined && !Array.isArray(dimList)) throw new ValueError('gradient', `dim must be an integer or a list of integers, got ${fmtValue(dim)}`);
  const dims = dimList === undefined ? input.shape.map((_, k) => k) : dimList.map((v) => checkDim('gradient', v, nd, input.shape));
  const repeated = dims.find((v, i) => dims.indexOf(v) !== i);
  if (repeated !== undefined) throw new ValueError('gradient', `dim ${repeated} appears multiple times in the list of dims ${fmtValue(dimList)}`);
  // One spacing per dim: a number, or a tensor of coordinates.
  let steps: readonly (number | Tensor)[];
  if (typeof spacing === 'number') steps = dims.map(() => spacing);
  else if (Array.isArray(spacing)) {
    // torch 1.13 also lets a one-element list through for several dims, then reads past its end.
    const want = dimList === undefined ? `a list of length ${nd} (input's dims)` : `a list of length ${dims.length} (as dim)`;
    if (spacing.length !== dims.length) throw new ValueError('gradient', `expected spacing to be a number or ${want}, got a list of length ${spacing.length}`);
    const numbers = spacing.every((s) => typeof s === 'number');
    if (!numbers && !spacing.every((s) => s instanceof Tensor))
      throw new ValueError('gradient', `spacing must be numbers or 1-D coordinate tensors, not a mix, got ${fmtValue(spacing)}`);
    steps = spacing;
  } else throw new ValueError('gradient', `spacing must be a number or a list, got ${fmtValue(spacing)}`);
  if (edgeOrder !== 1 && edgeOrder !== 2) throw new ValueError('gradient', `only supports edgeOrder 1 and 2, got ${fmtValue(edgeOrder)}`);
  for (const d of dims)
    if (input.shape[d] < edgeOrder + 1)
      throw new ShapeError(
        'gradient',
        `expected each dim to have at least edgeOrder + 1 = ${edgeOrder + 1} elements, got ${input.shape[d]} along dim ${d} (shape ${fmtShape(input.shape)})`,
      );
  steps.forEach((s, i) => {
    if (!(s instanceof Tensor)) return;
    s.assertAlive('gradient');
    if (s.ndim !== 1 || s.size !== input.shape[dims[i]])
      throw new ShapeError(
        'gradient',
        `spacing[${i}] must be 1-D coordinates as long as dim ${dims[i]} (${input.shape[dims[i]]}), got shape ${fmtShape(s.shape)} (input ${fmtShape(input.shape)})`,
      );
  });
  const x = to(input, 'float32');
  return dims.map((d, i) => {
    const s = steps[i];
    return s instanceof Tensor ? coordinateGradient(x, d, to(s, 'float32'), edgeOrder) : uniformGradient(x, d, s, edgeOrder);
  });
}

type RangeOptions = Omit<CreateOptions, 'shape'>;

/**
 * torch.range(start, end, step = 1, {dtype, requiresGrad}) (deprecated in torch, kept in 1.13):
 * start, start + step, … up to end included, ⌊(end − start)/step⌋ + 1 values, float32 even for
 * integer arguments. As torch, the count and each start + i·step are computed in float64 and only
 * the values rounded to float32 (range(0, 1, 0.1) ends at exactly 1). With dtype int32 start, end
 * and step are first truncated toward zero, as torch's integer kernel does.
 */
function rangeImpl(start: number, end: number, step: number = 1, opts?: RangeOptions): Tensor {
  const o = createOptions('range', opts, ['requiresGrad', 'dtype']);
  for (const [what, v] of [
    ['start', start],
    ['end', end],
    ['step', step],
  ] as const)
    if (typeof v !== 'number') throw new ValueError('range', `${what} must be a number, got ${fmtValue(v)}`);
  const dtype = o.dtype ?? 'float32';
  const [a, b, h] = dtype === 'int32' ? [start, end, step].map(Math.trunc) : [start, end, step];
  if (!Number.isFinite(a) || !Number.isFinite(b))
    throw new ValueError('range', `unsupported range: ${fmtValue(start)} -> ${fmtValue(end)} (start and end must be finite)`);
  if (!Number.isFinite(h) || h === 0)
    throw new ValueError('range', `step must be a finite non-zero number, got ${fmtValue(step)}${dtype === 'int32' ? ' (truncated for int32)' : ''}`);
  if ((h > 0 && b < a) || (h < 0 && b > a))
    throw new ValueError(
      'range',
      `upper bound and lower bound inconsistent with step sign: start ${fmtValue(start)}, end ${fmtValue(end)}, step ${fmtValue(step)}`,
    );
  const n = Math.floor((b - a) / h) + 1;
  const lastValue = a + (n - 1) * h;
  if (dtype === 'int32' && (Math.min(a, lastValue) < -(2 ** 31) || Math.max(a, lastValue) > 2 ** 31 - 1))
    throw new ValueError('range', `values from ${a} to ${lastValue} do not fit in int32`);
  return make(
    'range',
    [n],
    dtype,
    (be, p) => writeGenerated(be, p, n, dtype, (i) => (dtype === 'int32' ? a + i * h : Math.fround(a + i * h))),
    o.requiresGrad,
    `${a}, ${b}, ${h}`,
  );
}

/** torch.range, with torch's keyword form too (`range({start, end, step, dtype})`). */
export const range = /* @__PURE__ */ torchForm('range', rangeImpl, { inputs: 0, positional: ['start', 'end', 'step'], keywordOnly: ['dtype', 'requiresGrad'] });
