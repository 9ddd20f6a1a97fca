/**
 * wg.compile, loud and broad (issue 13 item 3): a function that cannot replay fast says why once,
 * naming the tensor and the user's line; number arguments are part of the signature by value;
 * zeros/ones/full/arange made inside the function are hoisted constants, not a reason to re-run JS.
 */
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
  wg.setBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** console.warn calls made by wg.compile. */
function spyWarn() {
  const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  return () => spy.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('wasmgrad.compile:'));
}

describe('a compiled function that cannot replay fast says so', () => {
  test('once per reason, naming the tensor, what made it and the user line; replayInfo carries the same', () => {
    const warnings = spyWarn();
    const noisy = wg.compile(function noisy(x: wg.Tensor) {
      return x.mul(wg.randn([4, 3])).sum(); // the line the warning must name
    });
    const line = new Error().stack!.split('\n')[1].match(/:(\d+):\d+\)?$/)![1];
    for (let i = 0; i < 5; i++) noisy(wg.ones([4, 3]));
    expect(warnings()).toHaveLength(1);
    const [w] = warnings();
    expect(w).toContain('noisy cannot replay without running its JavaScript: a tensor [4, 3] float32 is created inside the function by wg.randn');
    expect(w).toContain(`compile-loud.test.ts:${Number(line) - 2}:`);
    const [info] = noisy.replayInfo();
    expect(info).toMatchObject({
      mode: 'rerun',
      reason: 'a tensor [4, 3] float32 is created inside the function by wg.randn',
      calls: { traces: 1, jsRuns: 4 },
    });
    expect(info.callSite).toMatch(new RegExp(`^noisy \\(.*compile-loud\\.test\\.ts:${Number(line) - 2}:\\d+\\)$`));
    // another reason (another input signature) is said once more; reading a value names the tensor
    const reads = wg.compile((x: wg.Tensor, s: wg.Tensor) => x.mul(s.item()).sum());
    for (let i = 0; i < 3; i++) reads(wg.ones([2]), wg.full([], i));
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toContain('reads tensor values in JavaScript (a float32 tensor of 1 element made by full)');
  });

  test('{ warn: false } silences it, replayInfo still says why; the option is validated', () => {
    const warnings = spyWarn();
    const quiet = wg.compile((x: wg.Tensor) => x.mul(wg.rand([2])).sum(), { warn: false });
    for (let i = 0; i < 3; i++) quiet(wg.ones([2]));
    expect(warnings()).toEqual([]);
    expect(quiet.replayInfo()[0]).toMatchObject({ mode: 'rerun', reason: expect.stringContaining('by wg.rand') });
    expect(quiet.replayInfo()[0].callSite).toContain('compile-loud.test.ts');
    expect(() => wg.compile((x: wg.Tensor) => x, { warn: 'no' as unknown as boolean })).toThrow(wg.ValueError);
    expect(() => wg.compile((x: wg.Tensor) => x, { warn: 'no' as unknown as boolean })).toThrow('wasmgrad.compile: warn must be a boolean, got "no"');
  });

  test('a fast function says nothing', () => {
    const warnings = spyWarn();
    const w = wg.tensor([1, 2, 3], { requiresGrad: true });
    const opt = new wg.optim.SGD([w], { lr: 0.1 });
    const step = wg.compile((x: wg.Tensor) => {
      const loss = x.mul(w).sum();
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    });
    for (let i = 0; i < 4; i++) step(wg.ones([3]));
    expect(step.replayInfo()[0]).toMatchObject({ mode: 'fast', reason: null, callSite: null });
    expect(warnings()).toEqual([]);
  });
});

/** One optimizer step on `loss`, as a training step ends. */
function update(opt: wg.optim.Optimizer, loss: wg.Tensor): wg.Tensor {
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss;
}

/** A linear model trained with SGD by `step(x, y, scale)`: the loss is scaled by a number argument. */
function scaledModel() {
  wg.manualSeed(3);
  const model = new wg.nn.Linear(4, 2);
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01 });
  return (x: wg.Tensor, y: wg.Tensor, scale: number) => {
    return update(opt, wg.losses.crossEntropy(model.forward(x), y).mul(scale));
  };
}

describe('number arguments are part of the signature by value', () => {
  test('a loss scale changed from 1 to 10 on call 4 gives the eager loss', () => {
    const x = wg.tensor(
      Array.from({ length: 12 }, (_, k) => Math.cos(k)),
      { shape: [3, 4] },
    );
    const y = wg.tensor(Int32Array.from([0, 1, 1]));
    const scales = [1, 1, 1, 10, 10, 1, 10];
    const eager = scaledModel();
    const expected = scales.map((s) => eager(x, y, s).item());
    const compiled = wg.compile(scaledModel());
    const got = scales.map((s) => compiled(x, y, s).item());
    got.forEach((l, i) => expect(l).toBeCloseTo(expected[i], 5));
    expect(expected[3] / expected[2]).toBeGreaterThan(9); // the scale really took effect
    const info = compiled.replayInfo();
    expect(info.map((i) => i.signature)).toEqual(['wasm:float32[3,4] wasm:int32[3] number=1', 'wasm:float32[3,4] wasm:int32[3] number=10']);
    expect(info.map((i) => i.mode)).toEqual(['fast', 'fast']);
  });

  test('booleans and strings too; more than 8 signatures warns once', () => {
    const warnings = spyWarn();
    const f = wg.compile((x: wg.Tensor, neg: boolean, how: string) => (neg ? x.neg() : x)[how === 'sum' ? 'sum' : 'mean']());
    const x = wg.tensor([1, 2, 3, 6]);
    expect(f(x, false, 'sum').item()).toBe(12);
    expect(f(x, true, 'sum').item()).toBe(-12);
    expect(f(x, true, 'mean').item()).toBe(-3);
    expect(f.replayInfo()).toHaveLength(3);
    const g = wg.compile((t: wg.Tensor, k: number) => t.mul(k).sum());
    for (let k = 0; k < 12; k++) expect(g(x, k).item()).toBe(12 * k);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/has traced 9 programs, one per input signature .* last: wasm:float32\[4\] number=8\)/);
  });
});

/** Token plus position embeddings, positions from wg.arange inside the step (a GPT's first layer), predicting the next token. */
function positional() {
  wg.manualSeed(5);
  const tok = new wg.nn.Embedding(7, 4);
  const pos = new wg.nn.Embedding(6, 4);
  const head = new wg.nn.Linear(4, 7);
  const opt = new wg.optim.SGD([...tok.parameters(), ...pos.parameters(), ...head.parameters()], { lr: 0.5 });
  return (ids: wg.Tensor, next: wg.Tensor) => {
    const [n, L] = ids.shape;
    const e = tok.forward(ids).add(pos.forward(wg.arange(L, { dtype: 'int32' })).mul(wg.ones([L, 4])));
    return update(opt, wg.losses.crossEntropy(head.forward(e).reshape([n * L, 7]), next)); // next: [n * L], read (validated) as labels
  };
}

describe('constant tensors made inside the function are hoisted', () => {
  test('position ids from wg.arange (and wg.ones) inside replay fast and equal eager', () => {
    const ids = [0, 1].map((i) =>
      wg.tensor(
        Int32Array.from({ length: 12 }, (_, k) => (k * 3 + i) % 7),
        { shape: [2, 6] },
      ),
    );
    const next = [0, 1].map((i) => wg.tensor(Int32Array.from({ length: 12 }, (_, k) => (k * 3 + i + 1) % 7)));
    const eager = positional();
    const expected = Array.from({ length: 6 }, (_, i) => eager(ids[i % 2], next[i % 2]).item());
    const compiled = wg.compile(positional());
    const got = Array.from({ length: 6 }, (_, i) => compiled(ids[i % 2], next[i % 2]).item());
    got.forEach((l, i) => expect(l).toBeCloseTo(expected[i], 5));
    expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 4 } });
  });

  test('a constant whose arguments change, or that is updated in place, re-runs the JS with a precise reason', () => {
    const warnings = spyWarn();
    let v = 1;
    const f = wg.compile((x: wg.Tensor) => x.mul(wg.full([3], v++)).sum());
    expect([1, 2, 3, 4].map(() => f(wg.ones([3])).item())).toEqual([3, 6, 9, 12]);
    expect(f.replayInfo()[0]).toMatchObject({
      mode: 'rerun',
      reason: 'a tensor made inside the function changes between calls: wg.full([3], 1, float32) at the trace, wg.full([3], 2, float32) now',
    });
    const g = wg.compile((x: wg.Tensor) => wg.zeros([3]).add_(x).sum());
    expect([1, 2, 3].map((k) => g(wg.full([3], k)).item())).toEqual([3, 6, 9]);
    expect(g.replayInfo()[0]).toMatchObject({ mode: 'rerun', reason: 'a tensor made inside the function by wg.zeros([3], 0, float32) is updated in place' });
    expect(warnings()).toHaveLength(2);
  });

  test('a hoisted tensor the function returns, changed in place outside, is made anew on the next call', () => {
    const f = wg.compile((x: wg.Tensor) => ({ s: x.sum(), z: wg.zeros([2]) }));
    for (let i = 0; i < 3; i++) {
      const { s, z } = f(wg.full([2], i));
      expect([s.item(), ...z.data()]).toEqual([2 * i, 0, 0]);
      wg.noGrad(() => z.add_(wg.ones([2])));
    }
    expect(f.replayInfo()[0].calls).toEqual({ traces: 1, jsRuns: 2, fastRuns: 0 });
  });
});
