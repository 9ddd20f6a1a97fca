/**
 * NumPy broadcasting, planned once for every elementwise op with several inputs.
 * The plan is a collapsed strided iteration: dimensions of size 1 are dropped and neighbouring
 * dimensions merged where every operand is contiguous across them, so [B, N] + [N] becomes a
 * rank-2 loop with strides a: [N, 1], b: [0, 1] and same-shape operands become one flat loop.
 * Kernel parameters: [rank, shape[rank], strides of input 0[rank], strides of input 1[rank], ...].
 */
import { ShapeError } from '../errors.js';
import { fmtShape, fmtShapes, type Meta } from './types.js';

export const MAX_RANK = 8;

export function broadcastShapes(op: string, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const e = k < 0 ? 1 : s[k];
      if (e === d || e === 1) continue;
      if (d !== 1) throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dim ${i}: ${d} vs ${e})`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** Strides of `shape` (row-major) aligned to `outShape`, 0 where it is broadcast. */
function stridesIn(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = outShape.length - shape.length + i;
    st[k] = shape[i] === 1 ? 0 : acc;
    acc *= shape[i];
  }
  return st;
}

/** A dim of a strided iteration: its size and each operand's stride along it. */
export interface IterDim {
  d: number;
  st: number[];
}

/**
 * Collapses a strided iteration: drops size-1 dims and merges dim i-1 into dim i when every
 * operand steps contiguously across them. Never empty: no dims left gives one dim of size 1.
 */
export function mergeDims(dims: readonly IterDim[], operands: number): IterDim[] {
  const merged: IterDim[] = [];
  for (const x of dims) {
    if (x.d === 1) continue;
    const prev = merged[merged.length - 1];
    if (prev && prev.st.every((s, j) => s === x.st[j] * x.d)) {
      prev.d *= x.d;
      prev.st = x.st;
    } else merged.push({ d: x.d, st: [...x.st] });
  }
  return merged.length > 0 ? merged : [{ d: 1, st: new Array<number>(operands).fill(0) }];
}

export interface BroadcastPlan {
  shape: number[];
  params: number[];
}

export function planBroadcast(op: string, inputs: readonly Meta[]): BroadcastPlan {
  const shape = broadcastShapes(
    op,
    inputs.map((t) => t.shape),
  );
  const dims = mergeDims(
    shape.map((d, i) => ({ d, st: inputs.map((t) => stridesIn(t.shape, shape)[i]) })),
    inputs.length,
  );
  if (dims.length > MAX_RANK)
    throw new ShapeError(op, `broadcast of more than ${MAX_RANK} non-trivial dimensions is not supported, got shapes ${fmtShapes(inputs)}`);
  const params = [dims.length, ...dims.map((x) => x.d)];
  for (let j = 0; j < inputs.length; j++) params.push(...dims.map((x) => x.st[j]));
  return { shape, params };
}

/** How many elements input j of a broadcast plan spans: its own extent (stride-0 dims count once). */
export function broadcastExtent(p: ArrayLike<number>, j: number): number {
  const rank = p[0];
  let n = 1;
  for (let k = 0; k < rank; k++) if (p[1 + rank * (j + 1) + k] !== 0) n *= p[1 + k];
  return n;
}

/**
 * Reference iteration over a broadcast plan: calls f(outIndex, offsets) for every output element,
 * offsets[j] being input j's element offset.
 */
export function forEachBroadcast(p: ArrayLike<number>, nIn: number, f: (i: number, off: number[]) => void): void {
  const rank = p[0];
  const shape = Array.from({ length: rank }, (_, k) => p[1 + k]);
  const st = Array.from({ length: nIn }, (_, j) => Array.from({ length: rank }, (_, k) => p[1 + rank * (j + 1) + k]));
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank).fill(0);
  const off = new Array<number>(nIn).fill(0);
  for (let i = 0; i < n; i++) {
    f(i, off);
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      for (let j = 0; j < nIn; j++) off[j] += st[j][k];
      if (idx[k] < shape[k]) break;
      for (let j = 0; j < nIn; j++) off[j] -= st[j][k] * shape[k];
      idx[k] = 0;
    }
  }
}
