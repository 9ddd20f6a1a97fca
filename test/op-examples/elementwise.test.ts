/**
 * Hand-computed values of the elementwise ops (forward and gradient, on both backends), NaN
 * propagation, stability at large |x|, and every error path of src/ops/elementwise.ts.
 * Expected transcendental values are from mpmath at 30 digits.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { erf } from '../../src/ops/elementwise.js';
import type { NestedArray } from '../../src/engine/tensor.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** y = f(inputs) and, for each input, the gradient of Σ y (a seed of ones). */
function run(f: (...xs: wg.Tensor[]) => wg.Tensor, ...inputs: NestedArray[]): { y: number[]; g: number[][] } {
  const xs = inputs.map((v) => wg.tensor(v, { requiresGrad: true }));
  const y = f(...xs);
  y.backward(new Array<number>(y.size).fill(1));
  return { y: Array.from(y.data()), g: xs.map((x) => Array.from(x.grad!.data())) };
}

/** Forward only, on inputs that need no gradient. */
const fwd = (f: (...xs: wg.Tensor[]) => wg.Tensor, ...inputs: NestedArray[]): number[] => Array.from(f(...inputs.map((v) => wg.tensor(v))).data());

for (const be of ['wasm', 'reference'] as const) {
  describe(`elementwise values on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('add, sub, mul, div (with broadcasting and numbers on either side)', () => {
      let r = run(
        (a, b) => wg.add(a, b),
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [10, 20, 30],
      );
      expectClose(r.y, [11, 22, 33, 14, 25, 36]);
      expectClose(r.g[1], [2, 2, 2]); // b is broadcast over 2 rows: its gradient is the row sum
      r = run(
        (a, b) => wg.sub(a, b),
        [
          [5, 1],
          [0, 4],
        ],
        [[2], [3]],
      );
      expectClose(r.y, [3, -1, -3, 1]);
      expectClose(r.g[0], [1, 1, 1, 1]);
      expectClose(r.g[1], [-2, -2]);
      expectClose(run((x) => wg.sub(10, x), [1, 4]).y, [9, 6]);
      r = run((a, b) => wg.mul(a, b), [2, -3], [4, 5]);
      expectClose(r.y, [8, -15]);
      expectClose(r.g[0], [4, 5]);
      expectClose(r.g[1], [2, -3]);
      r = run((a, b) => wg.div(a, b), [6, 1], [3, -4]);
      expectClose(r.y, [2, -0.25]);
      expectClose(r.g[0], [1 / 3, -1 / 4]); // 1/b
      expectClose(r.g[1], [-6 / 9, -1 / 16]); // −a/b²
      r = run((x) => wg.div(1, x), [4]);
      expectClose(r.y, [0.25]);
      expectClose(r.g[0], [-1 / 16]);
    });

    test('a row-broadcast side sums its gradient across the SIMD body and the scalar tail', () => {
      const a = Array.from({ length: 2 }, (_, i) => Array.from({ length: 9 }, (_, j) => i * 9 + j));
      const r = run((x, b) => x.mul(b), a, [[2], [3]]);
      expectClose(r.g[1], [36, 117]); // Σ 0..8 and Σ 9..17
      expectClose(r.g[0], [...new Array(9).fill(2), ...new Array(9).fill(3)]);
    });

    test('aliased inputs receive both contributions (x·x, x − x, maximum(x, x))', () => {
      for (const v of [[1.5, -2, 3, 0.5, 4, -1, 2, 7, -3], 1.5]) {
        const n = Array.isArray(v) ? v.length : 1;
        const xs = Array.isArray(v) ? v : [v];
        const x = wg.tensor(v, { requiresGrad: true });
        x.mul(x).backward(new Array<number>(n).fill(1));
        expectClose(
          x.grad!.data(),
          xs.map((t) => 2 * t),
        );
        const y = wg.tensor(v, { requiresGrad: true });
        y.sub(y).backward(new Array<number>(n).fill(1));
        expectClose(
          y.grad!.data(),
          xs.map(() => 0),
        );
        const z = wg.tensor(v, { requiresGrad: true });
        wg.maximum(z, z).backward(new Array<number>(n).fill(1));
        expectClose(
          z.grad!.data(),
          xs.map(() => 1),
        ); // a tie with itself: half + half
      }
    });

    test('maximum and minimum: the winner takes the gradient, a tie splits it', () => {
      let r = run((a, b) => wg.maximum(a, b), [1, 5, 2], [3, 2, 2]);
      expectClose(r.y, [3, 5, 2]);
      expectClose(r.g[0], [0, 1, 0.5]);
      expectClose(r.g[1], [1, 0, 0.5]);
      r = run((a, b) => wg.minimum(a, b), [1, 5, 2], [3, 2, 2]);
      expectClose(r.y, [1, 2, 2]);
      expectClose(r.g[0], [1, 0, 0.5]);
      expectClose(r.g[1], [0, 1, 0.5]);
      r = run((x) => wg.maximum(x, 0), [-1, 2, 0]);
      expectClose(r.y, [0, 2, 0]);
      expectClose(r.g[0], [0, 1, 0.5]);
    });

    test('comparisons give float32 0/1 masks and no gradient', () => {
      const x = wg.tensor([1, 2, 3], { requiresGrad: true });
      expectClose(x.gt(2).data(), [0, 0, 1]);
      expectClose(x.lt(2).data(), [1, 0, 0]);
      expectClose(x.ge(2).data(), [0, 1, 1]);
      expectClose(x.le(2).data(), [1, 1, 0]);
      expectClose(x.eq(2).data(), [0, 1, 0]);
      expect(x.gt(2).dtype).toBe('float32');
      expect(x.gt(2).requiresGrad).toBe(false);
      expectClose(
        fwd((a, b) => wg.ge(a, b), [[1], [3]], [0, 1, 2, 3]),
        [1, 1, 0, 0, 1, 1, 1, 1],
      );
      expectClose(
        fwd((a) => wg.lt(0, a), [-1, 0, 1]),
        [0, 0, 1],
      );
    });

    test('where picks a where cond ≠ 0 (NaN included), b elsewhere, and routes the gradient the same way', () => {
      const r = run((a, b) => wg.where(wg.tensor([1, 0, -2, NaN, 0]), a, b), [1, 2, 3, 4, 5], 10);
      expectClose(r.y, [1, 10, 3, 4, 10]);
      expectClose(r.g[0], [1, 0, 1, 1, 0]);
      expectClose(r.g[1], [2]); // a 0-d b receives the sum over the places it was picked
      const s = run((a, b) => wg.where(wg.tensor([[1], [0]]), a, b), [1, 2, 3], [[7], [8]]);
      expectClose(s.y, [1, 2, 3, 8, 8, 8]);
      expectClose(s.g[0], [1, 1, 1]);
      expectClose(s.g[1], [0, 3]);
      expectClose(
        fwd((c) => wg.where(c, 1, -1), [0.5, 0, -0]),
        [1, -1, -1],
      );
    });

    test('neg, exp, log, sqrt, abs, square', () => {
      let r = run((x) => x.neg(), [1, -2]);
      expectClose(r.y, [-1, 2]);
      expectClose(r.g[0], [-1, -1]);
      r = run((x) => x.exp(), [0, 1]);
      expectClose(r.y, [1, Math.E]);
      expectClose(r.g[0], [1, Math.E]);
      r = run((x) => x.log(), [1, Math.E, 0.5]);
      expectClose(r.y, [0, 1, -Math.LN2]);
      expectClose(r.g[0], [1, 1 / Math.E, 2]);
      r = run((x) => x.sqrt(), [4, 9]);
      expectClose(r.y, [2, 3]);
      expectClose(r.g[0], [0.25, 1 / 6]);
      r = run((x) => x.abs(), [-3, 0, 2]);
      expectClose(r.y, [3, 0, 2]);
      expectClose(r.g[0], [-1, 0, 1]);
      r = run((x) => x.square(), [3, -2]);
      expectClose(r.y, [9, 4]);
      expectClose(r.g[0], [6, -4]);
    });

    test('tanh, sigmoid, gelu, softplus', () => {
      let r = run((x) => x.tanh(), [0, 0.5]);
      expectClose(r.y, [0, 0.46211715726000976]);
      expectClose(r.g[0], [1, 0.78644773296592741]);
      r = run((x) => x.sigmoid(), [0, 2, -3]);
      expectClose(r.y, [0.5, 0.88079707797788244, 0.047425873177566781]);
      expectClose(r.g[0], [0.25, 0.10499358540350652, 0.045176659730912133]);
      r = run((x) => x.gelu(), [0, 1, -1, 0.5, 2.5]);
      expectClose(r.y, [0, 0.84134474606854295, -0.15865525393145705, 0.34573123063700655, 2.4844758366855597]);
      expectClose(r.g[0], [0.5, 1.0833154705876863, -0.083315470587686298, 0.86749512465616284, 1.0376110859081452]);
      r = run((x) => x.softplus(), [0, -1, 3, 25]);
      expectClose(r.y, [Math.LN2, 0.31326168751822283, 3.0485873515737421, 25]); // above 20: x itself
      expectClose(r.g[0], [0.5, 0.26894142136999512, 0.95257412682243322, 1]);
    });

    test('leakyRelu, clamp, pow', () => {
      let r = run((x) => x.leakyRelu(), [-2, 3]);
      expectClose(r.y, [-0.02, 3]);
      expectClose(r.g[0], [0.01, 1]);
      r = run((x) => wg.leakyRelu(x, 0.2), [-2, 3]);
      expectClose(r.y, [-0.4, 3]);
      expectClose(r.g[0], [0.2, 1]);
      r = run((x) => x.clamp(-1, 1), [-2, 0.5, 3, 1]);
      expectClose(r.y, [-1, 0.5, 1, 1]);
      expectClose(r.g[0], [0, 1, 0, 1]); // at a bound the gradient passes, as PyTorch
      expectClose(
        fwd((x) => x.clamp(0, null), [-2, 3]),
        [0, 3],
      );
      expectClose(
        fwd((x) => wg.clamp(x, null, 0), [-2, 3]),
        [-2, 0],
      );
      expectClose(
        fwd((x) => x.clamp(3, 1), [0, 2, 5]),
        [1, 1, 1],
      ); // min > max gives max
      r = run((x) => x.pow(3), [2, 3, -2]);
      expectClose(r.y, [8, 27, -8]);
      expectClose(r.g[0], [12, 27, 12]);
      r = run((x) => x.pow(0.5), [4]);
      expectClose(r.y, [2]);
      expectClose(r.g[0], [0.25]);
      r = run((x) => x.pow(-1), [-4]);
      expectClose(r.y, [-0.25]);
      expectClose(r.g[0], [-1 / 16]);
      r = run((x) => x.pow(0), [0, -3]);
      expectClose(r.y, [1, 1]);
      expectClose(r.g[0], [0, 0]);
      expectClose(
        fwd((x) => x.pow(0.5), [-4]),
        [NaN],
      ); // fractional power of a negative base
    });

    test('NaN propagates as in PyTorch (in the SIMD body and the scalar tail)', () => {
      const v = [NaN, 1, -2, 3, -4, 5, -6, 7, NaN]; // indices 0 and 8: vector body and tail
      const nanAt = (out: number[]) => out.map((y, i) => (Number.isNaN(y) ? i : -1)).filter((i) => i >= 0);
      for (const f of [
        (x: wg.Tensor) => x.relu(),
        (x: wg.Tensor) => x.leakyRelu(0.1),
        (x: wg.Tensor) => x.clamp(-1, 1),
        (x: wg.Tensor) => x.abs(),
        (x: wg.Tensor) => x.sigmoid(),
        (x: wg.Tensor) => x.tanh(),
        (x: wg.Tensor) => x.gelu(),
        (x: wg.Tensor) => x.softplus(),
        (x: wg.Tensor) => wg.maximum(x, 0),
        (x: wg.Tensor) => wg.maximum(0, x),
        (x: wg.Tensor) => wg.minimum(x, 0),
        (x: wg.Tensor) => wg.minimum(0, x),
      ])
        expect(nanAt(fwd(f, v)), f.toString()).toEqual([0, 8]);
      expectClose(
        fwd((x) => x.gt(0), v),
        [0, 1, 0, 1, 0, 1, 0, 1, 0],
      );
      expectClose(
        fwd((x) => x.eq(x), v),
        [0, 1, 1, 1, 1, 1, 1, 1, 0],
      );
    });

    test('empty tensors give empty results and gradients', () => {
      const r = run((a, b) => wg.add(a, b).exp(), [], [3]);
      expect(r.y).toEqual([]);
      expect(r.g).toEqual([[], [0]]);
      expect(wg.where(wg.zeros([0, 3]), 1, wg.ones([3])).shape).toEqual([0, 3]);
    });

    test('sigmoid, softplus, tanh and gelu stay finite at |x| = 1000', () => {
      const x = [-1000, -100, -88, 88, 100, 1000];
      const cases: [(t: wg.Tensor) => wg.Tensor, number[], number[]][] = [
        [(t) => t.sigmoid(), [0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]],
        [(t) => t.softplus(), [0, 0, 0, 88, 100, 1000], [0, 0, 0, 1, 1, 1]],
        [(t) => t.tanh(), [-1, -1, -1, 1, 1, 1], [0, 0, 0, 0, 0, 0]],
        [(t) => t.gelu(), [0, 0, 0, 88, 100, 1000], [0, 0, 0, 1, 1, 1]],
      ];
      for (const [f, y, g] of cases) {
        const r = run(f, x);
        expect([...r.y, ...r.g[0]].every(Number.isFinite), f.toString()).toBe(true);
        expectClose(r.y, y);
        expectClose(r.g[0], g);
      }
    });

    test("lerp is PyTorch's two-sided form: weight ≥ 0.5 is measured from end, so weight 1 gives end exactly", () => {
      const s = wg.tensor([1e8, 1e8, 1e8, 2], { requiresGrad: true }),
        e = wg.tensor([1, 1, 1, 4], { requiresGrad: true }),
        w = wg.tensor([1, 0.7, 0.5, 0.25], { requiresGrad: true });
      const y = wg.lerp(s, e, w);
      y.mul(wg.tensor([1, 2, 3, 4]))
        .sum()
        .backward();
      // torch.lerp (float32): start + w·(end − start) would give 0 and 30000000 for the first two
      expect(y.data()[0]).toBe(1);
      expectClose(Array.from(y.data()), [1, 30000002, 50000000, 2.5]);
      expectClose(Array.from(s.grad!.data()), [0, 0.6, 1.5, 3]);
      expectClose(Array.from(e.grad!.data()), [1, 1.4, 1.5, 1]);
      expectClose(Array.from(w.grad!.data()), [-1e8, -2e8, -3e8, 8]);
    });
  });
}

test('the float64 reference erf (Cody) is good to ~1e-16', () => {
  const want: [number, number][] = [
    [0.1, 0.1124629160182849],
    [0.5, 0.52049987781304654],
    [1, 0.84270079294971487],
    [2, 0.99532226501895273],
    [3.5, 0.99999925690162766],
    [5, 0.99999999999846254],
    [-0.3, -0.32862675945912742],
    [0, 0],
    [40, 1],
    [-Infinity, -1],
  ];
  for (const [x, e] of want) expect(Math.abs(erf(x) - e), `erf(${x})`).toBeLessThanOrEqual(3e-16);
  expect(erf(NaN)).toBeNaN();
});

describe('elementwise errors', () => {
  beforeEach(() => wg.setBackend('reference'));
  const x = () =>
    wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);

  test('shapes that do not broadcast are named', () => {
    expect(() => wg.sub(x(), wg.ones([4]))).toThrow(/wasmgrad\.sub: shapes \[2, 3\] and \[4\] cannot be broadcast/);
    expect(() => wg.where(wg.ones([2, 1]), x(), wg.ones([2]))).toThrow(/wasmgrad\.where: shapes \[2, 1\] and \[2, 3\] and \[2\] cannot be broadcast/);
  });

  test('arguments must be tensors or numbers, with at least one tensor', () => {
    expect(() => wg.add(1, 2)).toThrow(/wasmgrad\.add: needs a Tensor argument, got only numbers \(1, 2\)/);
    expect(() => wg.where(1, 2, 3)).toThrow(/wasmgrad\.where: needs a Tensor argument/);
    expect(() => wg.mul(x(), '2' as unknown as number)).toThrow(/wasmgrad\.mul: argument 2 must be a Tensor or a number, got "2"/);
    expect(() => wg.exp(2 as unknown as wg.Tensor)).toThrow(/wasmgrad\.exp: needs a Tensor argument/);
  });

  test('parameters are validated', () => {
    expect(() => x().clamp(null, null)).toThrow(/wasmgrad\.clamp: needs at least one bound, got min = null and max = null \(x of shape \[2, 3\]\)/);
    expect(() => x().clamp(NaN, 1)).toThrow(/wasmgrad\.clamp: min must be a number or null, got NaN/);
    expect(() => x().clamp(0, '1' as unknown as number)).toThrow(/wasmgrad\.clamp: max must be a number or null, got "1"/);
    expect(() => x().pow(NaN)).toThrow(/wasmgrad\.pow: exponent must be a finite number, got NaN \(x of shape \[2, 3\]\)/);
    expect(() => x().pow(Infinity)).toThrow(/wasmgrad\.pow: exponent must be a finite number, got Infinity/);
    expect(() => x().leakyRelu(NaN)).toThrow(/wasmgrad\.leakyRelu: slope must be a finite number, got NaN/);
  });
});
