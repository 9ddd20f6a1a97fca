/**
 * Shared test machinery: seeded inputs from an op's test domain, running one op on a backend,
 * finite differences in float64, and normalised error measures.
 */
import * as wg from '../../src/index.js';
import { apply, launch } from '../../src/engine/engine.js';
import type { BackendName } from '../../src/engine/backend/types.js';
import type { NestedArray } from '../../src/engine/tensor.js';
import { FLAG_BACKWARD, FLAG_OVERWRITE, R, specValue, type InputSpec, type OpDef, type TableOp } from '../../src/ops/types.js';

/** Small deterministic generator for test data (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeData(spec: InputSpec, u: () => number): Float64Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  // Values are rounded to float32 so both backends see exactly the same inputs.
  const round = spec.dtype === 'int32' ? (x: number) => x : Math.fround;
  return Float64Array.from({ length: n }, () => round(specValue(spec, u)));
}

export const wantsGrad = (op: TableOp, specs: InputSpec[], i: number) =>
  op.gradInputs.includes(i) && (specs[i].dtype ?? 'float32') === 'float32' && !specs[i].noGrad;

/** The op's input tensors on the current backend; those that receive a gradient require one when `grad`. */
function inputs(op: TableOp, specs: InputSpec[], data: Float64Array[], grad: boolean): wg.Tensor[] {
  return specs.map((s, i) => wg.tensor(data[i], { shape: s.shape, dtype: s.dtype ?? 'float32', requiresGrad: grad && wantsGrad(op, specs, i) }));
}

export interface RunResult {
  out: Float64Array;
  shape: number[];
  /** Input gradients of one backward pass into fresh buffers. */
  grads: (Float64Array | null)[];
  /** Input gradients after a second pass added into the first: 2 × grads, through the adding path. */
  twice: (Float64Array | null)[];
}

/**
 * Frees a block the size of op's output filled with a poison value, which the output then reuses
 * (the heap hands back the last block freed of a size class): an element the forward kernel does
 * not write keeps it. The backends get different poisons (NaN on WASM, a huge number on the
 * reference), so the comparison fails even when both kernels skip the same elements, e.g. when a
 * wrong plan makes both compute an empty product into a non-empty output.
 */
function poisonOutput(backend: BackendName, op: TableOp, ins: readonly wg.Tensor[], attrs: unknown): void {
  const n = op.plan(ins, attrs ?? {}).shape.reduce((a, b) => a * b, 1);
  wg.full([n], backend === 'wasm' ? NaN : -7.7e37).dispose();
}

/**
 * Where every op run of the harness starts the global random stream: a stochastic kernel (dropout
 * draws its seed when it runs) then draws the same seed on both backends, in runOverwrite and in
 * every evaluation of the finite differences.
 */
export const CASE_STREAM_SEED = 0x2545f491;

/**
 * Runs op on `backend` with the given input values; backpropagates `seed` when given, twice: the
 * first pass may overwrite the fresh gradient buffers (ops with overwritesGrad), the second adds.
 */
export function runOp(
  backend: BackendName,
  op: TableOp,
  specs: InputSpec[],
  data: Float64Array[],
  attrs: unknown,
  seed?: (n: number) => Float64Array,
): RunResult {
  wg.setBackend(backend);
  const ins = inputs(op, specs, data, seed !== undefined);
  poisonOutput(backend, op, ins, attrs);
  wg.manualSeed(CASE_STREAM_SEED);
  const y = apply(op, ins, attrs);
  const out = Float64Array.from(y.rawValues());
  const gradsNow = () => ins.map((t) => (t.grad ? Float64Array.from(t.grad.rawValues()) : t.requiresGrad ? new Float64Array(t.size) : null));
  let grads: (Float64Array | null)[] = ins.map(() => null);
  let twice = grads;
  if (seed !== undefined && y.requiresGrad) {
    y.backward(seed(y.size), { retainGraph: true });
    grads = gradsNow();
    y.backward(seed(y.size));
    twice = gradsNow();
  }
  return { out, shape: [...y.shape], grads, twice };
}

/**
 * For an op with overwritesGrad: its backward record run by hand with every input gradient buffer
 * flagged FLAG_OVERWRITE and pre-filled with NaN, so an element the kernel reads or leaves
 * unwritten shows up as NaN.
 */
export function runOverwrite(
  backend: BackendName,
  op: OpDef,
  specs: InputSpec[],
  data: Float64Array[],
  attrs: unknown,
  seed: (n: number) => Float64Array,
): (Float64Array | null)[] {
  wg.setBackend(backend);
  const ins = inputs(op, specs, data, true);
  wg.manualSeed(CASE_STREAM_SEED);
  const y = apply(op, ins, attrs);
  const node = y.node!;
  const rec = Int32Array.from(node.rec);
  const g = wg.tensor(seed(y.size), { shape: y.shape });
  rec[R.OPCODE] |= FLAG_BACKWARD;
  rec[R.GOUT] = g.storage.ptr;
  const gins = ins.map((t, i) => {
    rec[R.GIN + i] = 0;
    if (!t.requiresGrad) return null;
    const gi = wg.full(t.shape, NaN);
    rec[R.GIN + i] = gi.storage.ptr;
    rec[R.OPCODE] |= FLAG_OVERWRITE << i;
    return gi;
  });
  launch(y.storage.backend, [rec], node.workspace);
  return gins.map((t) => (t ? Float64Array.from(t.rawValues()) : null));
}

/** max |a - b| / max(1, max |b|): error relative to the reference's scale. */
export function normErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(b[i]) || a[i] === b[i]) continue; // NaN where the reference has NaN agrees, and so does the same ±∞
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

/**
 * Inputs up to this many elements are differenced at every element, larger ones at this many: the
 * first and last 64 and a golden-ratio spread over the rest (every row and column offset in
 * turn). The WASM gradients are compared with the reference's at every element, so this samples
 * only the check of the reference's maths, which has no tiling whose edges an element could hide at.
 */
const FD_ELEMENTS = 256;

/** The element indices finiteDiff checks in an input of `n` elements, ascending. */
function fdIndices(n: number): number[] {
  if (n <= FD_ELEMENTS) return Array.from({ length: n }, (_, k) => k);
  const at = new Set<number>();
  for (let j = 0; j < 64; j++) at.add(j).add(n - 1 - j);
  const middle = n - 128;
  for (let j = 1; at.size < FD_ELEMENTS; j++) at.add(64 + Math.floor(((j * 0.6180339887498949) % 1) * middle));
  return [...at].sort((x, y) => x - y);
}

/**
 * Central differences of L(x) = Σ seed_k · op(x)_k in float64 on the reference backend, for the
 * elements `at` (fdIndices) of every input that receives a gradient.
 */
export function finiteDiff(
  op: TableOp,
  specs: InputSpec[],
  data: Float64Array[],
  attrs: unknown,
  seed: Float64Array,
): ({ at: number[]; g: Float64Array } | null)[] {
  const L = (vals: Float64Array[]) => {
    const { out } = wg.noGrad(() => runOp('reference', op, specs, vals, attrs));
    let s = 0;
    for (let k = 0; k < out.length; k++) s += seed[k] * out[k];
    return s;
  };
  return specs.map((_, i) => {
    if (!wantsGrad(op, specs, i)) return null;
    const at = fdIndices(data[i].length);
    const g = Float64Array.from(at, (k) => {
      const h = 1e-6 * Math.max(1, Math.abs(data[i][k]));
      const moved = (d: number) => L(data.map((v, j) => (j === i ? Float64Array.from(v, (x, m) => (m === k ? x + d : x)) : v)));
      return (moved(h) - moved(-h)) / (2 * h);
    });
    return { at, g };
  });
}

/** y = f(x), its shape, and the gradient of Σ seed·y (seed: ones unless given). */
export function runGrad(f: (x: wg.Tensor) => wg.Tensor, x: NestedArray, seed?: number[]): { y: number[]; shape: readonly number[]; g: number[] } {
  const t = wg.tensor(x, { requiresGrad: true });
  const y = f(t);
  y.backward(seed ?? new Array<number>(y.size).fill(1));
  return { y: Array.from(y.data()), shape: y.shape, g: Array.from(t.grad!.data()) };
}
