/**
 * roll and pad: composites of the strided copy and the join (src/ops/shape.ts). Each rolled or
 * padded dim is one join of at most three blocks, each block a strided view of the input (a slice,
 * a reflection walking backwards, an edge repeated with stride 0, a constant broadcast), so the
 * gradient is the copies' and the join's: a source element read by several output positions (the
 * reflected, replicated or wrapped ones) receives the sum of their gradients.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastView, contiguousView, stepView, type View } from './shape.js';
import { checkDim, defineOps, fmtShape, type Builder, type CompositeDef, type DType, type Meta, type TestCase, type OpInfo } from './types.js';

/** The strided copies the composites take of a float32 or int32 tensor (copy, copyInt). */
function views(dtype: DType) {
  const copy = dtype === 'int32' ? 'copyInt' : 'copy';
  const view = <T>(b: Builder<T>, x: T, v: View) => b.op(copy, [x], v);
  return {
    view,
    /** x's elements start..start+len-1 along dim. */
    narrowed: <T>(b: Builder<T>, x: T, dim: number, start: number, len: number) => view(b, x, stepView(contiguousView(b.shape(x)), dim, start, len, 1)),
  };
}
const float = views('float32');

// ---- roll ----------------------------------------------------------------------------------------
export interface RollAttrs {
  shifts: number[];
  /** [] rolls the flattened tensor (one shift), then restores the shape. */
  dims: number[];
}

/** The (dim, shift) pairs roll applies, each shift reduced to 0..size-1. */
export function planRoll(x: Meta, a: RollAttrs): { dim: number; k: number }[] {
  const { shifts, dims } = a;
  if (!Array.isArray(shifts) || !shifts.every(Number.isInteger))
    throw new ValueError('roll', `shifts must be an integer or an array of integers, got ${fmtValue(shifts)}`);
  if (!Array.isArray(dims)) throw new ValueError('roll', `dims must be a dim or an array of dims, got ${fmtValue(dims)}`);
  if (dims.length === 0 ? shifts.length !== 1 : shifts.length !== dims.length)
    throw new ValueError(
      'roll',
      `shifts and dims must align: got ${shifts.length} shift${shifts.length === 1 ? '' : 's'} ${fmtValue(shifts)} and dims ${fmtValue(dims)} (no dims: one shift of the flattened tensor)`,
    );
  const n = x.shape.reduce((p, d) => p * d, 1);
  if (dims.length === 0) return [{ dim: 0, k: n === 0 ? 0 : ((shifts[0] % n) + n) % n }];
  return dims.map((d, i) => {
    const dim = checkDim('roll', d, x.shape.length, x.shape);
    const size = x.shape[dim];
    return { dim, k: size === 0 ? 0 : ((shifts[i] % size) + size) % size };
  });
}

function rollOp<N extends string>(name: N, dtype: DType, info: Pick<OpInfo<RollAttrs>, 'tests'>): CompositeDef<RollAttrs, N> {
  const { view, narrowed } = views(dtype);
  return {
    kind: 'composite',
    name,
    arity: 1,
    inputDtypes: [dtype],
    gradInputs: dtype === 'float32' ? [0] : [],
    doc: `torch.roll of a ${dtype} tensor: elements shifted along dims, wrapping around (no dims: the flattened tensor); each dim a join of two slices`,
    plan: (ins, a) => {
      planRoll(ins[0], a);
      return { shape: [...ins[0].shape], dtype };
    },
    compose: (b, [x], a) => {
      const shape = b.shape(x);
      const flat = a.dims.length === 0;
      let y = flat ? view(b, x, contiguousView([shape.reduce((p, d) => p * d, 1)])) : x;
      for (const { dim, k } of planRoll({ shape: b.shape(y), dtype }, flat ? { shifts: a.shifts, dims: [0] } : a)) {
        const n = b.shape(y)[dim];
        // The last k elements move to the front.
        if (k > 0) y = b.op(dtype === 'int32' ? 'catInt' : 'cat', [narrowed(b, y, dim, n - k, k), narrowed(b, y, dim, 0, n - k)], { dim });
      }
      // A composite never returns its input (nothing rolled: a copy).
      return flat || y === x ? view(b, y, contiguousView(shape)) : y;
    },
    ...info,
  };
}

const rollCase = (shape: number[], shifts: number[], dims: number[], dtype: DType = 'float32'): TestCase<RollAttrs> => ({
  name: `[${shape.join('x')}] shifts (${shifts.join(', ')}) dims (${dims.join(', ')})`,
  inputs: [{ shape, dtype }],
  attrs: { shifts, dims },
});

// ---- pad -----------------------------------------------------------------------------------------
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
export interface PadAttrs {
  /** (left, right) pairs from the last dim backwards; negative values crop. */
  pad: number[];
  mode: PadMode;
  /** The fill of 'constant' mode (default 0); the other modes take none. */
  value?: number;
}
const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** Validates pad's arguments against x; returns the result's shape and the (dim, left, right) of each padded dim. */
export function planPad(x: Meta, a: PadAttrs): { shape: number[]; dims: { dim: number; l: number; r: number }[] } {
  const { pad, mode, value } = a;
  const shape = x.shape,
    nd = shape.length;
  if (!MODES.includes(mode)) throw new ValueError('pad', `mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${fmtValue(mode)}`);
  if (!Array.isArray(pad) || pad.length % 2 !== 0 || !pad.every(Number.isInteger))
    throw new ValueError('pad', `pad must be an array of (left, right) integer pairs, got ${fmtValue(pad)}`);
  if (pad.length / 2 > nd)
    throw new ShapeError(
      'pad',
      `pad ${fmtValue(pad)} has ${pad.length / 2} (left, right) pairs, more than the ${nd} dims of a tensor of shape ${fmtShape(shape)}`,
    );
  if (mode === 'constant' ? typeof value !== 'number' : value !== undefined)
    throw new ValueError(
      'pad',
      mode === 'constant' ? `value must be a number, got ${fmtValue(value)}` : `mode '${mode}' takes no value, got ${fmtValue(value)}`,
    );
  const out = [...shape];
  const dims = [];
  for (let i = 0; i < pad.length / 2; i++) {
    const dim = nd - 1 - i,
      n = shape[dim],
      l = pad[2 * i],
      r = pad[2 * i + 1];
    const bad = (why: string) => new ShapeError('pad', `${mode} padding (${l}, ${r}) of dim ${dim} of a tensor of shape ${fmtShape(shape)}: ${why}`);
    if (n + l + r < 0) throw bad(`the result would have ${n + l + r} elements along it`);
    // PyTorch 1.13 refuses an empty result from its 1-D reflect and replicate kernels (one pair of
    // pads; its 2-D and 3-D ones allow it), and from constant once any pad is positive (its
    // narrow-only path, all pads ≤ 0, allows it); circular allows it.
    const oneDim = (mode === 'reflect' || mode === 'replicate') && pad.length === 2;
    if (n + l + r === 0 && (oneDim || (mode === 'constant' && pad.some((p) => p > 0))))
      throw bad(
        `the result would be empty along it (PyTorch refuses that ${oneDim ? `in ${mode} mode with one pair of pads` : 'in constant mode when a pad is positive'})`,
      );
    if (mode === 'reflect' && (l >= n || r >= n)) throw bad(`reflect padding must be less than the dim's size ${n}`);
    if (mode === 'replicate' && n === 0 && (l > 0 || r > 0)) throw bad('an empty dim has no edge to replicate');
    // circular crops first, then wraps what is left (PyTorch's order), at most once around.
    const kept = n - Math.max(0, -l) - Math.max(0, -r);
    if ((mode === 'constant' || mode === 'circular') && kept < 0) throw bad(`the crops remove ${n - kept} of the dim's ${n} elements`);
    if (mode === 'circular' && (l > kept || r > kept)) throw bad(`circular padding can wrap around at most once: at most ${Math.max(kept, 0)} here`);
    out[dim] = n + l + r;
    dims.push({ dim, l, r });
  }
  return { shape: out, dims };
}

/**
 * One dim: reflect and replicate pad the whole dim, then crop the negative sides (so a reflection
 * next to a cropped side still reflects about the input's edge, as PyTorch); circular crops first;
 * for constant the order does not matter.
 */
function padDim<T>(b: Builder<T>, x: T, dim: number, l: number, r: number, mode: PadMode, value: number): T {
  const cropL = Math.max(0, -l),
    cropR = Math.max(0, -r);
  const crop = (y: T) => (cropL + cropR > 0 ? float.narrowed(b, y, dim, cropL, b.shape(y)[dim] - cropL - cropR) : y);
  const src = mode === 'circular' || mode === 'constant' ? crop(x) : x;
  const shape = b.shape(src),
    n = shape[dim],
    L = Math.max(0, l),
    R = Math.max(0, r);
  const v = contiguousView(shape);
  const edge = (left: boolean, w: number): View => {
    if (mode === 'constant')
      return broadcastView(
        [],
        shape.map((d, k) => (k === dim ? w : d)),
      );
    if (mode === 'reflect') return left ? stepView(v, dim, w, w, -1) : stepView(v, dim, n - 2, w, -1);
    if (mode === 'replicate') return stepView(v, dim, left ? 0 : n - 1, w, 0);
    return stepView(v, dim, left ? n - w : 0, w, 1);
  };
  const from = mode === 'constant' ? b.scalar(value) : src;
  const blocks = [...(L > 0 ? [float.view(b, from, edge(true, L))] : []), src, ...(R > 0 ? [float.view(b, from, edge(false, R))] : [])];
  const padded = blocks.length === 1 ? src : b.op('cat', blocks, { dim });
  return mode === 'circular' || mode === 'constant' ? padded : crop(padded);
}

const pad: CompositeDef<PadAttrs, 'pad'> = {
  kind: 'composite',
  name: 'pad',
  arity: 1,
  gradInputs: [0],
  doc: "torch.nn.functional.pad: (left, right) pairs from the last dim, negative crops; modes 'constant' (value), 'reflect', 'replicate', 'circular'",
  plan: (ins, a) => ({ shape: planPad(ins[0], a).shape }),
  compose: (b, [x], a) => {
    let y = x;
    for (const { dim, l, r } of planPad({ shape: b.shape(x), dtype: 'float32' }, a).dims) y = padDim(b, y, dim, l, r, a.mode, a.value ?? 0);
    // A composite never returns its input (nothing padded: a copy).
    return y === x ? float.view(b, x, contiguousView(b.shape(x))) : y;
  },
  tests: { cases: padCases() },
};

function padCases(): TestCase<PadAttrs>[] {
  const c = (shape: number[], p: number[], mode: PadMode, value?: number): TestCase<PadAttrs> => ({
    name: `${mode} [${shape.join('x')}] (${p.join(', ')})${value === undefined ? '' : ` value ${value}`}`,
    inputs: [{ shape }],
    attrs: { pad: p, mode, ...(mode === 'constant' ? { value: value ?? 0 } : {}) },
  });
  return [
    c([1], [1, 2], 'constant'),
    c([3], [0, 0], 'constant'),
    c([5, 7], [2, -1, 0, 3], 'constant', 1.5),
    c([2, 3, 4], [1, 1, 1, 1, 1, 1], 'constant'),
    c([17], [-3, -2], 'constant'),
    c([0, 3], [1, 1], 'constant'),
    c([2, 0], [1, 2], 'constant', -2),
    c([9, 2], [0, 0, 4, 4], 'constant'),
    c([1, 7], [3, 2], 'reflect'),
    c([2, 5, 9], [-1, 4, 2, -1], 'reflect'),
    c([4], [-3, 2], 'reflect'),
    c([3, 2], [0, 0, 2, 1], 'reflect'),
    c([2, 3, 5], [4, 0, 1, 2], 'replicate'),
    c([1], [2, 3], 'replicate'),
    c([5, 4], [2, -3, -1, 1], 'replicate'),
    c([2, 5], [5, 1], 'circular'),
    c([3, 7, 4], [-1, 2, 3, 1, 0, 2], 'circular'),
    c([9], [-2, 3], 'circular'),
  ];
}

export const LAYOUT_OPS = defineOps(
  rollOp('roll', 'float32', {
    tests: {
      cases: [
        rollCase([1], [1], []),
        rollCase([], [2], []),
        rollCase([17], [-3], [0]),
        rollCase([5, 7], [2, -1], [0, 1]),
        rollCase([3, 9], [10], [-1]),
        rollCase([2, 3, 4], [5], []),
        rollCase([4, 3], [4], [0]),
        rollCase([0, 3], [1], [0]),
        rollCase([2, 0], [1], []),
      ],
    },
  }),
  rollOp('rollInt', 'int32', { tests: { cases: [rollCase([5, 7], [2, -1], [0, 1], 'int32'), rollCase([9], [4], [], 'int32')] } }),
  pad,
);
