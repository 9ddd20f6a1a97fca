/** Elementwise ops: unary maps and broadcasting binary ops. Kernels: assembly/kernels/elementwise.ts. */
import { apply } from '../engine.js';
import { lift } from '../creation.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { forEachBroadcast, planBroadcast } from './broadcast.js';
import { R, defineOps, todo, gin, gout, inp, numel, out, type Meta, type OpDef, type RefKernel } from './types.js';

// ---- unary ---------------------------------------------------------------------------------
/** A unary op from its value f(x) and derivative df(x, y) (y = f(x) is kept from the forward). */
function unary(name: string, opcode: number, f: (x: number) => number, df: (x: number, y: number) => number, doc: string, domain: 'any' | 'positive' | 'awayFromZero' = 'any'): OpDef {
  return {
    name, opcode, module: 'elementwise', arity: 1, gradInputs: [0], doc,
    plan: (ins: readonly Meta[]) => ({ shape: [...ins[0].shape] }),
    ref: {
      fwd: (h, r) => { const x = inp(r, 0), o = out(r); for (let i = 0; i < numel(r); i++) h[o + i] = f(h[x + i]); },
      bwd: (h, r) => {
        const x = inp(r, 0), o = out(r), g = gout(r), gx = gin(r, 0);
        if (gx) for (let i = 0; i < numel(r); i++) h[gx + i] += h[g + i] * df(h[x + i], h[o + i]);
      },
    },
    tests: { cases: unaryCases(domain) },
  };
}

const TILE = 8; // the SIMD kernels work in f32x4 vectors, unrolled by 2
function unaryCases(domain: 'any' | 'positive' | 'awayFromZero') {
  return [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4, 5]].map((shape) => ({ inputs: [{ shape, domain }] }));
}

// ---- binary with broadcasting --------------------------------------------------------------
function binary(name: string, opcode: number, f: (a: number, b: number) => number, da: (a: number, b: number, y: number) => number, db: (a: number, b: number, y: number) => number, doc: string): OpDef {
  const bwd: RefKernel = (h, r) => {
    const a = inp(r, 0), b = inp(r, 1), o = out(r), g = gout(r), ga = gin(r, 0), gb = gin(r, 1);
    forEachBroadcast(r.subarray(R.P), 2, (i, [ia, ib]) => {
      const x = h[a + ia], y = h[b + ib], z = h[o + i];
      if (ga) h[ga + ia] += h[g + i] * da(x, y, z);
      if (gb) h[gb + ib] += h[g + i] * db(x, y, z);
    });
  };
  return {
    name, opcode, module: 'elementwise', arity: 2, gradInputs: [0, 1], doc,
    plan: (ins: readonly Meta[]) => planBroadcast(name, ins),
    ref: {
      fwd: (h, r) => {
        const a = inp(r, 0), b = inp(r, 1), o = out(r);
        forEachBroadcast(r.subarray(R.P), 2, (i, [ia, ib]) => (h[o + i] = f(h[a + ia], h[b + ib])));
      },
      bwd,
    },
    tests: { cases: binaryCases() },
  };
}

function binaryCases() {
  const pairs: [number[], number[]][] = [
    [[1], [1]], [[3], [3]], [[7], []], [[], [5]], [[TILE + 1], [TILE + 1]], [[4, TILE - 1], [TILE - 1]],
    [[3, 1], [1, 5]], [[2, 3, 4], [3, 1]], [[17, 3], [17, 1]], [[2, 1, 5], [4, 1]],
  ];
  return pairs.map(([a, b]) => ({ inputs: [{ shape: a }, { shape: b }] }));
}

export const ELEMENTWISE_OPS = defineOps(
  binary('add', 1, (a, b) => a + b, () => 1, () => 1, 'a + b, broadcasting'),
  binary('mul', 3, (a, b) => a * b, (_, b) => b, (a) => a, 'a · b, broadcasting'),
  unary('relu', 20, (x) => (x < 0 ? 0 : x), (x) => (x > 0 ? 1 : 0), 'max(x, 0); gradient 0 at x = 0', 'awayFromZero'),
);

const op = (name: string) => ELEMENTWISE_OPS.find((o) => o.name === name)!;
const bin = (name: string) => (a: TensorLike, b: TensorLike): Tensor => {
  const x = typeof a === 'number' ? lift(a, b as Tensor) : a;
  return apply(op(name), [x, lift(b, x)]);
};

export const add = bin('add');
export const mul = bin('mul');
export const relu = (x: Tensor): Tensor => apply(op('relu'), [x]);
export const sub = todo('sub');
export const div = todo('div');
export const neg = todo('neg');
export const pow = todo('pow') as (x: Tensor, e: number) => Tensor;
export const exp = todo('exp');
export const log = todo('log');
export const sqrt = todo('sqrt');
export const abs = todo('abs');
export const square = todo('square');
export const tanh = todo('tanh');
export const sigmoid = todo('sigmoid');
export const leakyRelu = todo('leakyRelu') as (x: Tensor, slope?: number) => Tensor;
export const gelu = todo('gelu');
export const softplus = todo('softplus');
export const clamp = todo('clamp') as (x: Tensor, min: number | null, max: number | null) => Tensor;
export const maximum = todo('maximum');
export const minimum = todo('minimum');
export const gt = todo('gt');
export const lt = todo('lt');
export const ge = todo('ge');
export const le = todo('le');
export const eq = todo('eq');
export const where = todo('where') as (cond: TensorLike, a: TensorLike, b: TensorLike) => Tensor;
