/**
 * wg.setDebug({ checkFinite: true }) on both backends: the first op producing NaN/±Inf is named
 * (forward, backward, in-place update) with its shapes, index and value; NaN from user data and
 * from the backward seed is attributed to them; ±Inf passed on is not an error; off by default,
 * and results with the checks on equal those with them off; compiled functions run eagerly while
 * the checks are on. Also the scan itself (assembly/debug.ts) on every WASM build.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { WasmBackend, relaxedSimdSupported, type BuildName } from '../src/engine/backend/wasm.js';
import { ReferenceBackend } from '../src/engine/backend/reference.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => {
  wg.setDebug({ checkFinite: false });
  wg.setBackend('wasm');
});

/** The error fn throws (fails the test if it throws none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

const ints = (xs: number[]) => wg.tensor(xs, { dtype: 'int32' });

/**
 * A small classifier (dropout, BatchNorm's in-place statistics update with its int32 count, Adam)
 * and its data; `debugAt(s)`: whether the checks are on for step s.
 */
function classifier() {
  wg.manualSeed(3);
  const model = new wg.nn.Sequential(new wg.nn.Linear(4, 6), new wg.nn.BatchNorm1d(6), new wg.nn.Tanh(), new wg.nn.Dropout(0.2), new wg.nn.Linear(6, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = wg.tensor(
    Array.from({ length: 20 }, (_, k) => Math.sin(k)),
    { shape: [5, 4] },
  );
  const y = ints([0, 1, 2, 1, 0]);
  const step = (xb: Tensor, yb: Tensor) => {
    const loss = wg.losses.crossEntropy(model.forward(xb), yb);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  /** Trains `steps` steps with `run` (the step, or it compiled); returns the state dict's values afterwards. */
  const train = (steps: number, debugAt: (s: number) => boolean, run = step): number[][] => {
    for (let s = 0; s < steps; s++) {
      wg.setDebug({ checkFinite: debugAt(s) });
      run(x, y);
    }
    wg.setDebug({ checkFinite: false });
    return Object.values(model.stateDict()).map((t) => Array.from(t.rawValues()));
  };
  return { train, step };
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`checkFinite on ${be}`, () => {
    const on = () => {
      wg.setBackend(be);
      wg.setDebug({ checkFinite: true });
    };

    test('off by default: NaN flows without an error', () => {
      wg.setBackend(be);
      expect(wg.getDebug()).toEqual({ checkFinite: false });
      expect(Number.isNaN(wg.tensor([-1]).log().item())).toBe(true);
    });

    test('log of a negative number is named in the forward, with shapes, index and value', () => {
      on();
      const e = thrown(() =>
        wg
          .tensor([
            [1, 2, 3, -1, 5],
            [1, 1, 1, 1, 1],
          ])
          .log(),
      );
      expect(e).toBeInstanceOf(wg.NonFiniteError);
      expect((e as wg.NonFiniteError).fn).toBe('log');
      expect(e.message).toBe('wasmgrad.log: produced NaN at index 3 ([0, 3]) of its output [2, 5] (forward; input [2, 5] finite)');
    });

    test('0/0 and log(0) are named', () => {
      on();
      expect(thrown(() => wg.zeros([3]).div(wg.zeros([3]))).message).toBe(
        'wasmgrad.div: produced NaN at index 0 of its output [3] (forward; input 0 [3], input 1 [3] finite)',
      );
      expect(thrown(() => wg.tensor([2, 1, 0]).log()).message).toBe(
        'wasmgrad.log: produced -Infinity at index 2 of its output [3] (forward; input [3] finite)',
      );
    });

    test('a backward producing Infinity (sqrt at 0) is named as backward; no gradient holds stale memory', () => {
      on();
      const a = wg.tensor([1, 0, 4], { requiresGrad: true });
      const w = wg.ones([8, 4], { requiresGrad: true });
      // The w branch comes first in the forward order, so its backward record (which overwrites
      // w's fresh gradient) comes after sqrt's and never runs. w.grad reuses this freed block of 7s.
      const loss = wg
        .matmul(wg.ones([1, 8]), w)
        .sum()
        .add(a.sqrt().sum());
      wg.full([8, 4], 7).dispose();
      const e = thrown(() => loss.backward());
      expect(e).toBeInstanceOf(wg.NonFiniteError);
      expect(e.message).toBe(
        'wasmgrad.sqrt: produced Infinity at index 1 of the gradient of input [3] (backward; its output gradient [3], input [3], its output [3] finite)',
      );
      expect(Array.from(w.grad!.rawValues())).toEqual(new Array(32).fill(0));
      expect(Array.from(a.grad!.rawValues())).toEqual([0.5, Infinity, 0.25]);
    });

    test('NaN in user data and in the backward seed is attributed to them', () => {
      on();
      expect(thrown(() => wg.tensor([1, NaN, 4]).exp()).message).toBe(
        'wasmgrad.exp: produced NaN at index 1 of its output [3] (forward; input [3] already holds NaN at index 1: user data (or ±Inf passed on from it), or a value computed while the checks were off)',
      );
      const x = wg.tensor([1, 2], { requiresGrad: true });
      expect(thrown(() => x.mul(2).sum().backward(NaN)).message).toBe(
        'wasmgrad.sumDims: produced NaN at index 0 of the gradient of input [2] (backward; its output gradient [] already holds NaN at index 0: the seed given to backward())',
      );
    });

    test('a gradient that already holds NaN when a backward adds into it is named; a retained graph is checked again', () => {
      wg.setBackend(be);
      const x = wg.tensor([-1, 4], { requiresGrad: true });
      x.sqrt().sum().backward(); // checks off: x.grad = [NaN, 0.25]
      wg.setDebug({ checkFinite: true });
      expect(thrown(() => x.mul(2).sum().backward()).message).toBe(
        'wasmgrad.mul: produced NaN at index 0 of the gradient of input 0 [2] (backward; the gradient of input 0 [2] already holds NaN at index 0: ' +
          'accumulated while the checks were off; zeroGrad() clears it)',
      );
      // A graph kept by retainGraph runs copies of its records: they are checked as well.
      wg.setDebug({ checkFinite: false });
      const z = wg.tensor([0, 4], { requiresGrad: true });
      const y = z.sqrt().sum();
      y.backward(undefined, { retainGraph: true });
      z.grad = null;
      wg.setDebug({ checkFinite: true });
      expect(thrown(() => y.backward()).message).toBe(
        'wasmgrad.sqrt: produced Infinity at index 0 of the gradient of input [2] (backward; its output gradient [2], input [2], its output [2] finite)',
      );
    });

    test('±Infinity passed on from the inputs is not an error (a -Infinity attention mask), NaN made from it is', () => {
      on();
      const scores = wg.tensor(
        [
          [0.5, 1, 2],
          [1, 2, 3],
        ],
        { requiresGrad: true },
      );
      const mask = wg.tensor([
        [0, -Infinity, 0],
        [0, 0, -Infinity],
      ]);
      const p = scores.add(mask).softmax(-1);
      expect(p.rawValues()[1]).toBe(0);
      p.mul(
        wg.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      )
        .sum()
        .backward();
      expect(scores.grad!.rawValues()[1]).toBe(0);
      expect(thrown(() => mask.sub(mask)).message).toBe(
        'wasmgrad.sub: produced NaN at index 1 ([0, 1]) of its output [2, 3] (forward; input 0 [2, 3] already holds -Infinity at index 1 ([0, 1]): user data (or ±Inf passed on from it), or a value computed while the checks were off)',
      );
    });

    test('an optimizer update producing NaN is named; it has been applied, and the error says so', () => {
      on();
      const p = wg.tensor([1, 2, 3], { requiresGrad: true });
      // eps = 0 with a zero gradient: m̂ / (√v̂ + eps) = 0 / 0.
      const opt = new wg.optim.Adam([p], { lr: 0.1, eps: 0 });
      p.mul(0).sum().backward();
      const e = thrown(() => opt.step());
      expect(e).toBeInstanceOf(wg.NonFiniteError);
      expect(e.message).toBe(
        'wasmgrad.adamUpdate: produced NaN at index 0 of input 0 [3] (in-place update; input 0 [3], input 1 [3], input 2 [3], input 3 [3] finite). ' +
          'The update has been applied: the tensors it updates hold the new values. In an optimizer step input 0 is the parameter and input 1 its gradient; ' +
          'the parameters before this one were updated, the later ones were not',
      );
      expect(Array.from(p.rawValues()).every(Number.isNaN)).toBe(true);
    });

    test('no error and identical results with the checks on and off', () => {
      wg.setBackend(be);
      const off = classifier().train(4, () => false);
      expect(classifier().train(4, () => true)).toEqual(off);
    });

    test('a compiled function runs eagerly while the checks are on, and replays the same steps after', () => {
      wg.setBackend(be);
      const eager = classifier().train(6, () => false);
      const c = classifier();
      const compiled = wg.compile(c.step);
      expect(c.train(6, (s) => s === 3 || s === 4, compiled)).toEqual(eager);
      // Steps 0-2: trace, JS re-run (verification), fast replay; 3-4 eager; 5: fast again (the step clears the
      // gradients the eager steps made before anything else, so the program needs no particular ones).
      expect(compiled.replayInfo()[0].calls).toEqual({ traces: 1, jsRuns: 1, fastRuns: 2 });
      // With the checks on, a NaN inside the compiled function is found as in eager mode.
      const bad = wg.compile((t: Tensor) => t.log().sum());
      bad(wg.tensor([1, 2]));
      wg.setDebug({ checkFinite: true });
      expect(thrown(() => bad(wg.tensor([1, -2]))).message).toBe('wasmgrad.log: produced NaN at index 1 of its output [2] (forward; input [2] finite)');
    });
  });
}

describe('setDebug', () => {
  test('validates its options (ValueError), changes only the options given', () => {
    for (const [bad, msg] of [
      [null, 'wasmgrad.setDebug: options must be an object { checkFinite }, got null'],
      [true, 'wasmgrad.setDebug: options must be an object { checkFinite }, got true'],
      [{ checkFinite: 'yes' }, 'wasmgrad.setDebug: checkFinite must be a boolean, got "yes"'],
      [{ checkNan: true }, "wasmgrad.setDebug: unknown option 'checkNan' (the options are checkFinite)"],
    ] as const) {
      const e = thrown(() => wg.setDebug(bad as never));
      expect(e).toBeInstanceOf(wg.ValueError);
      expect(e.message).toBe(msg);
    }
    expect(wg.getDebug()).toEqual({ checkFinite: false });
    wg.setDebug({ checkFinite: true });
    wg.setDebug({});
    expect(wg.getDebug()).toEqual({ checkFinite: true });
  });

  test('cannot be called inside a compiled function (CompileError)', () => {
    const f = wg.compile((t: Tensor) => {
      wg.setDebug({ checkFinite: true });
      return t.exp();
    });
    const e = thrown(() => f(wg.tensor([1])));
    expect(e).toBeInstanceOf(wg.CompileError);
    expect(e.message).toBe('wasmgrad.setDebug: cannot be called inside a compiled function: call it before calling the function');
    expect(wg.getDebug()).toEqual({ checkFinite: false });
  });
});

describe('the non-finite scan', () => {
  // Float32 bit patterns: every NaN payload and both infinities must be found; the largest
  // finite values, subnormals and -0 must not.
  const BAD = [0x7fc00000, 0xffc00000 | 0, 0x7f800001, 0x7fffffff, 0x7f800000, 0xff800000 | 0];
  const FINITE = [0x3f800000, 0x7f7fffff, 0xff7fffff | 0, 0x00000001, 0x80000000 | 0, 0];
  const LENGTHS = [0, 1, 3, 15, 16, 17, 31, 33, 100];

  const files = JSON.parse(process.env.WASMGRAD_WASM_FILES ?? '{}') as Partial<Record<'simd' | 'relaxed' | 'scalar', string>>;
  const builds: [BuildName, string | undefined][] = [
    ['simd', files.simd],
    ['relaxed', relaxedSimdSupported() ? files.relaxed : undefined],
    ['scalar', files.scalar],
  ];
  for (const [build, file] of builds) {
    test.skipIf(file === undefined)(`the ${build} build finds the first NaN/±Inf at every position`, async () => {
      const be = await WasmBackend.create(file, build, 0);
      const ptr = be.heap.alloc(100);
      for (const n of LENGTHS) {
        const finite = Array.from({ length: n }, (_, k) => FINITE[k % FINITE.length]);
        be.write(ptr, finite, 'int32');
        expect(be.firstNonFinite(ptr, n)).toBe(-1);
        for (const at of [0, 1, 14, 15, 16, 17, n - 1].filter((k) => k >= 0 && k < n)) {
          for (const bits of BAD) {
            const data = finite.slice();
            data[at] = bits;
            if (at + 3 < n) data[at + 3] = BAD[0];
            be.write(ptr, data, 'int32');
            expect(be.firstNonFinite(ptr, n)).toBe(at);
          }
        }
      }
    });
  }

  test('the reference backend finds the first NaN/±Inf of its float64 heap', () => {
    const be = new ReferenceBackend();
    const ptr = be.heap.alloc(8);
    be.write(ptr, [1e300, -1e300, 0, 5e-324, 1, 2, 3, 4], 'float32');
    expect(be.firstNonFinite(ptr, 8)).toBe(-1);
    for (const v of [NaN, Infinity, -Infinity]) {
      be.write(ptr + 5, [v, NaN], 'float32');
      expect(be.firstNonFinite(ptr, 8)).toBe(5);
      expect(be.firstNonFinite(ptr, 5)).toBe(-1);
    }
  });
});
