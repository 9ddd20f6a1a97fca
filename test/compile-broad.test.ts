/**
 * wg.compile, broad (issue 13 item 3): the programs PyTorch users write replay without their
 * JavaScript (replayInfo() 'fast', no JS run after the second call of each program) and give the
 * eager results, on both backends: gradient accumulation (micro-batches inside the function, a
 * boolean argument that says when to step, opt.step()/zeroGrad() outside), clipGradNorm inside,
 * index tensors stored on modules (a GPT's position ids, masks), an RNN whose initial state is made
 * inside forward, a train/test split held across epochs, and the loss read after the call.
 */
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => {
  vi.restoreAllMocks();
  wg.setBackend('wasm');
});

const BACKENDS = ['wasm', 'reference'] as const;

/**
 * Tensors held across steps (a slice split, a reused batch, the loss after the next call) are run
 * both as a PyTorch user holds them and with keep() (issue 13 items 1–2: held tensors never expire).
 */
const HOLD = [
  { how: 'kept with keep()', hold: (t: wg.Tensor) => t.keep(), check: test },
  { how: 'held as a PyTorch user holds them', hold: (t: wg.Tensor) => t, check: test },
] as const;

/** Batches of x [n, 4] (values from sin) and int32 labels [n] in 0..2. */
function batches(count: number, n = 6) {
  const xs = Array.from({ length: count }, (_, i) =>
    wg.tensor(
      Array.from({ length: n * 4 }, (_, k) => Math.sin(k * 0.7 + i * 1.3)),
      { shape: [n, 4] },
    ),
  );
  const ys = Array.from({ length: count }, (_, i) => wg.tensor(Int32Array.from({ length: n }, (_, k) => (k + i) % 3)));
  return { xs, ys };
}

/** A 4-5-3 MLP with SGD (momentum, so the optimizer state matters too). */
function mlp(seed = 7) {
  wg.manualSeed(seed);
  const model = new wg.nn.Sequential(new wg.nn.Linear(4, 5), new wg.nn.Tanh(), new wg.nn.Linear(5, 3));
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model, opt };
}

const values = (m: wg.nn.Module) => m.parameters().map((p) => Array.from(p.data()));

/** replayInfo() of a function all of whose programs replay fast, and ran JS at most twice each. */
function expectAllFast(f: ReturnType<typeof wg.compile>) {
  for (const info of f.replayInfo()) {
    expect(info).toMatchObject({ mode: 'fast', reason: null });
    expect(info.calls.traces + info.calls.jsRuns).toBeLessThanOrEqual(2);
  }
}

/** console.warn calls made by wg.compile. */
function spyWarn() {
  const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  return () => spy.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('wasmgrad.compile:'));
}

for (const be of BACKENDS)
  describe(`gradient accumulation on ${be}`, () => {
    test('backward() every call, opt.step() and zeroGrad() outside every 3 calls: fast, and equal to eager', () => {
      wg.setBackend(be);
      const warnings = spyWarn();
      const { xs, ys } = batches(4);
      const run = (compiled: boolean) => {
        const { model, opt } = mlp();
        const micro = (x: wg.Tensor, y: wg.Tensor) => {
          const loss = wg.losses.crossEntropy(model.forward(x), y).div(3);
          loss.backward();
          return loss;
        };
        const step = compiled ? wg.compile(micro) : micro;
        const losses: number[] = [];
        for (let i = 0; i < 15; i++) {
          losses.push(step(xs[i % 4], ys[i % 4]).item());
          if (i % 3 === 2) {
            opt.step();
            opt.zeroGrad();
          }
        }
        return { losses, params: values(model), step };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      // One program finds no gradients (the first micro-batch), one accumulates into them.
      const info = (compiled.step as ReturnType<typeof wg.compile>).replayInfo();
      expect(info.map((i) => i.variant)).toEqual([0, 1]);
      expect(info.map((i) => i.calls.fastRuns)).toEqual([3, 8]);
      expectAllFast(compiled.step as ReturnType<typeof wg.compile>);
      expect(warnings()).toEqual([]);
    });

    test('a boolean argument says when to step (zeroGrad every k calls inside the function): fast, equal to eager', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(5);
      const k = 4;
      const run = (compiled: boolean) => {
        const { model, opt } = mlp(3);
        const micro = (x: wg.Tensor, y: wg.Tensor, last: boolean) => {
          const loss = wg.losses.crossEntropy(model.forward(x), y).div(k);
          loss.backward();
          if (last) {
            opt.step();
            opt.zeroGrad();
          }
          return loss;
        };
        const step = compiled ? wg.compile(micro) : micro;
        const losses = Array.from({ length: 5 * k }, (_, i) => step(xs[i % 5], ys[i % 5], i % k === k - 1).item());
        return { losses, params: values(model), grads: model.parameters().map((p) => p.grad), step };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect(compiled.grads).toEqual([null, null, null, null]); // zeroGrad at the end, as eager
      const info = (compiled.step as ReturnType<typeof wg.compile>).replayInfo();
      expect(info.map((i) => [i.signature.split(' ').pop(), i.variant])).toEqual([
        ['boolean=false', 0],
        ['boolean=false', 1],
        ['boolean=true', 0],
      ]);
      expectAllFast(compiled.step as ReturnType<typeof wg.compile>);
    });

    test('zeroGrad(false) inside the function (gradients filled with zeros, kept) replays fast and equals eager', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(3);
      const run = (compiled: boolean) => {
        const { model, opt } = mlp(6);
        const step = (x: wg.Tensor, y: wg.Tensor) => {
          opt.zeroGrad(false);
          const loss = wg.losses.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          return loss;
        };
        const f = compiled ? wg.compile(step) : step;
        const losses = Array.from({ length: 7 }, (_, i) => f(xs[i % 3], ys[i % 3]).item());
        return { losses, params: values(model), grads: model.parameters().map((p) => Array.from(p.grad!.data())), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect(compiled.grads).toEqual(eager.grads);
      // The first call finds no gradients (a variant traced once, so never checked: 'pending'), the
      // others fill theirs with zeros.
      expect((compiled.f as ReturnType<typeof wg.compile>).replayInfo()).toMatchObject([
        { mode: 'pending', calls: { traces: 1, jsRuns: 0, fastRuns: 0 } },
        { mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 4 } },
      ]);
    });

    test('a counter inside the function deciding when to step is JavaScript a replay cannot follow: a CompileError, nothing updated', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(2);
      const { model, opt } = mlp();
      let calls = 0;
      const f = wg.compile((x: wg.Tensor, y: wg.Tensor) => {
        const loss = wg.losses.crossEntropy(model.forward(x), y);
        loss.backward();
        if (++calls % 2 === 0) opt.step(); // pass `calls % 2 === 0` as an argument instead
        return loss;
      });
      f(xs[0], ys[0]); // traced without a step
      f(xs[1], ys[1]); // accumulating: another variant, traced with the step
      const before = values(model);
      expect(() => f(xs[0], ys[0])).toThrow(
        /wasmgrad\.compile: the step function did not repeat its recorded work \(it stopped before the end of the recording\)/,
      );
      expect(values(model)).toEqual(before);
    });

    test('micro-batches inside the function: one batch sliced into 3, three backward() calls, one step', () => {
      wg.setBackend(be);
      const { xs } = batches(3);
      const targets = [0, 1, 2].map((i) =>
        wg.tensor(
          Array.from({ length: 18 }, (_, k) => Math.cos(k + i)),
          { shape: [6, 3] },
        ),
      );
      const run = (compiled: boolean) => {
        const { model, opt } = mlp(5);
        const step = (x: wg.Tensor, y: wg.Tensor) => {
          opt.zeroGrad();
          let total: wg.Tensor | null = null;
          for (let m = 0; m < 3; m++) {
            const loss = wg.losses.mse(model.forward(x.slice(0, 2 * m, 2 * m + 2)), y.slice(0, 2 * m, 2 * m + 2)).div(3);
            total = total === null ? loss.detach() : total.add(loss.detach());
            loss.backward();
          }
          opt.step();
          return total!;
        };
        const f = compiled ? wg.compile(step) : step;
        const losses = Array.from({ length: 7 }, (_, i) => f(xs[i % 3], targets[i % 3]).item());
        return { losses, params: values(model), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect((compiled.f as ReturnType<typeof wg.compile>).replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 5 } });
    });

    test('int32 labels sliced inside the function cannot be validated before the step runs: a CompileError that says to pass them', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(1);
      const { model } = mlp();
      const f = wg.compile((x: wg.Tensor, y: wg.Tensor) => wg.losses.crossEntropy(model.forward(x.slice(0, 0, 2)), y.slice(0, 0, 2)));
      expect(() => f(xs[0], ys[0])).toThrow(
        'wasmgrad.compile: a value computed inside a compiled function cannot be read inside it (it is only computed when the whole step runs); ' +
          'int32 labels or indices are validated before the step runs: pass them to the compiled function as an argument (e.g. slice them outside)',
      );
    });

    test('backward(), step() then zeroGrad() at the end of the function: fast, and .grad is null after each call as eager', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(3);
      const { model, opt } = mlp();
      const step = wg.compile((x: wg.Tensor, y: wg.Tensor) => {
        const loss = wg.losses.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        return loss;
      });
      const e = mlp();
      for (let i = 0; i < 6; i++) {
        const loss = wg.losses.crossEntropy(e.model.forward(xs[i % 3]), ys[i % 3]);
        loss.backward();
        e.opt.step();
        e.opt.zeroGrad();
        const expected = loss.item();
        expect(step(xs[i % 3], ys[i % 3]).item()).toBe(expected);
        expect(model.parameters().every((p) => p.grad === null)).toBe(true);
      }
      expect(values(model)).toEqual(values(e.model));
      expect(step.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 4 } });
    });

    for (const { how, hold, check } of HOLD)
      check(`a batch made outside by slice and reused by 4 compiled micro-batch calls (${how})`, () => {
        wg.setBackend(be);
        const { xs, ys } = batches(2, 8);
        const run = (compiled: boolean) => {
          const { model, opt } = mlp(9);
          const micro = (x: wg.Tensor, y: wg.Tensor) => {
            const loss = wg.losses.crossEntropy(model.forward(x), y).div(4);
            loss.backward();
            return loss;
          };
          const f = compiled ? wg.compile(micro) : micro;
          const losses: number[] = [];
          for (let epoch = 0; epoch < 3; epoch++) {
            const xb = hold(xs[epoch % 2].slice(0, 0, 6)),
              yb = hold(ys[epoch % 2].slice(0, 0, 6));
            for (let m = 0; m < 4; m++) losses.push(f(xb, yb).item());
            opt.step();
            opt.zeroGrad();
          }
          return { losses, params: values(model), f };
        };
        const eager = run(false);
        const compiled = run(true);
        expect(compiled.losses).toEqual(eager.losses);
        expect(compiled.params).toEqual(eager.params);
        expectAllFast(compiled.f as ReturnType<typeof wg.compile>);
      });
  });

for (const be of BACKENDS)
  describe(`tensors inside array and object arguments are inputs on ${be}`, () => {
    test('a batch passed as { x, y } and micro-batches as arrays replay fast with new tensors each call, equal to eager', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(6);
      const run = (compiled: boolean) => {
        const { model, opt } = mlp(4);
        const step = (batch: { x: wg.Tensor; y: wg.Tensor }, micro: { xs: wg.Tensor[]; ys: wg.Tensor[] }) => {
          opt.zeroGrad();
          micro.xs.forEach((x, m) => wg.losses.crossEntropy(model.forward(x), micro.ys[m]).div(2).backward());
          const loss = wg.losses.crossEntropy(model.forward(batch.x), batch.y);
          loss.backward();
          opt.step();
          return { loss };
        };
        const f = compiled ? wg.compile(step) : step;
        const losses = Array.from({ length: 6 }, (_, i) => {
          const [a, b, c] = [i, (i + 1) % 6, (i + 2) % 6];
          return f({ x: xs[a], y: ys[a] }, { xs: [xs[b], xs[c]], ys: [ys[b], ys[c]] }).loss.item();
        });
        return { losses, params: values(model), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      const info = (compiled.f as ReturnType<typeof wg.compile>).replayInfo();
      expect(info).toHaveLength(1);
      expect(info[0]).toMatchObject({
        signature: `{x: ${be}:float32[6,4], y: ${be}:int32[6]} {xs: [${be}:float32[6,4], ${be}:float32[6,4]], ys: [${be}:int32[6], ${be}:int32[6]]}`,
        mode: 'fast',
        calls: { traces: 1, jsRuns: 1, fastRuns: 4 },
      });
    });

    test('the layout and shared tensors are part of the signature; labels inside are validated; a nested input returned is slow', () => {
      wg.setBackend(be);
      const f = wg.compile((xs: wg.Tensor[]) => xs.reduce((s, x) => s.add(x.sum()), wg.zeros([])));
      const [a, b, c] = [1, 2, 3].map((v) => wg.full([2], v));
      expect([f([a, b]).item(), f([b, c]).item(), f([a, b, c]).item(), f([a, a]).item(), f([c, c]).item()]).toEqual([6, 10, 12, 4, 12]);
      const t = `${be}:float32[2]`;
      expect(f.replayInfo().map((i) => i.signature)).toEqual([`[${t}, ${t}]`, `[${t}, ${t}, ${t}]`, `[${t}, ${t}] #2=1`]);
      const logits = wg.tensor([[1, 2, 3]]);
      const ce = wg.compile((batch: { y: wg.Tensor }) => wg.losses.crossEntropy(logits, batch.y));
      for (const k of [0, 1, 0]) ce({ y: wg.tensor(Int32Array.from([k])) });
      expect(() => ce({ y: wg.tensor(Int32Array.from([3])) })).toThrow(
        'wasmgrad.losses.crossEntropy: label 3 at position [0] is out of range for 3 classes (expected 0..2 or the ignoreIndex -100)',
      );
      const same = wg.compile((xs: wg.Tensor[]) => xs[1]);
      same([a, b]);
      same([a, c]);
      expect(same.replayInfo()[0].reason).toBe('the function returns one of its inputs');
    });
  });

for (const be of BACKENDS)
  describe(`clipGradNorm inside wg.compile on ${be}`, () => {
    test('replays fast, returns the norm as a tensor, and equals eager (clipped and not clipped)', () => {
      wg.setBackend(be);
      const warnings = spyWarn();
      const { xs, ys } = batches(4);
      const run = (compiled: boolean) => {
        const { model, opt } = mlp(13);
        const step = (x: wg.Tensor, y: wg.Tensor) => {
          opt.zeroGrad();
          const loss = wg.losses.crossEntropy(model.forward(x), y);
          loss.backward();
          const norm = wg.optim.clipGradNorm(model, 0.2);
          opt.step();
          return { loss, norm };
        };
        const f = compiled ? wg.compile(step) : step;
        const out = Array.from({ length: 8 }, (_, i) => {
          const { loss, norm } = f(xs[i % 4], ys[i % 4]);
          return [loss.item(), norm.item()];
        });
        return { out, params: values(model), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.out).toEqual(eager.out);
      expect(compiled.params).toEqual(eager.params);
      const norms = eager.out.map(([, n]) => n);
      expect(Math.max(...norms)).toBeGreaterThan(0.2); // some steps are clipped ...
      expect(Math.min(...norms)).toBeLessThan(0.2); // ... and some are not
      expect((compiled.f as ReturnType<typeof wg.compile>).replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 6 } });
      expect(warnings()).toEqual([]);
    });

    test('errorIfNonfinite needs the norm in JavaScript: a CompileError inside a compiled function', () => {
      wg.setBackend(be);
      const { model } = mlp();
      const f = wg.compile((x: wg.Tensor) => {
        model.forward(x).sum().backward();
        return wg.optim.clipGradNorm(model, 1, { errorIfNonfinite: true });
      });
      const before = values(model);
      expect(() => f(wg.ones([2, 4]))).toThrow(wg.CompileError);
      expect(() => f(wg.ones([2, 4]))).toThrow(/optim\.clipGradNorm: errorIfNonfinite reads the norm in JavaScript .* return the norm from the function/);
      expect(values(model)).toEqual(before);
    });
  });

/**
 * A tiny GPT: token and position embeddings, one causal self-attention (the mask built from
 * wg.arange comparisons inside forward), a tanh layer and a head predicting the next token. The
 * position ids are an int32 tensor stored on the module: made in the constructor, or lazily by
 * the first forward (`how`).
 */
class TinyGPT extends wg.nn.Module {
  readonly tok = this.registerModule('tok', new wg.nn.Embedding(7, 4));
  readonly pos = this.registerModule('pos', new wg.nn.Embedding(5, 4));
  readonly mix = this.registerModule('mix', new wg.nn.Linear(4, 4));
  readonly head = this.registerModule('head', new wg.nn.Linear(4, 7));
  positions: wg.Tensor | null = null;

  constructor(T: number, how: 'constructor' | 'lazy') {
    super();
    if (how === 'constructor') this.positions = wg.arange(T, { dtype: 'int32' });
  }

  forward(ids: wg.Tensor): wg.Tensor {
    const [n, T] = ids.shape;
    this.positions ??= wg.arange(T, { dtype: 'int32' });
    const h = this.tok.forward(ids).add(this.pos.forward(this.positions)); // [n, T, 4]
    const i = wg.arange(T).reshape([T, 1]),
      j = wg.arange(T).reshape([1, T]);
    const blocked = j.gt(i).mul(-1e9); // 0 on and below the diagonal
    const att = h.matmul(h.transpose(1, 2)).mul(0.5).add(blocked).softmax(-1);
    const y = this.mix.forward(att.matmul(h)).tanh().add(h);
    return this.head.forward(y).reshape([n * T, 7]);
  }
}

function gpt(how: 'constructor' | 'lazy') {
  wg.manualSeed(21);
  const model = new TinyGPT(5, how);
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.05 });
  return {
    model,
    step: (ids: wg.Tensor, next: wg.Tensor) => {
      opt.zeroGrad();
      const loss = wg.losses.crossEntropy(model.forward(ids), next);
      loss.backward();
      opt.step();
      return loss;
    },
  };
}

/** Token sequences [2, 5] and their next tokens [10], int32. */
function tokens(count: number) {
  const ids = Array.from({ length: count }, (_, i) =>
    wg.tensor(
      Int32Array.from({ length: 10 }, (_, k) => (k * 3 + i) % 7),
      { shape: [2, 5] },
    ),
  );
  const next = Array.from({ length: count }, (_, i) => wg.tensor(Int32Array.from({ length: 10 }, (_, k) => (k * 3 + i + 1) % 7)));
  return { ids, next };
}

for (const be of BACKENDS)
  describe(`index tensors stored on modules are guarded, not a reason to re-run JavaScript, on ${be}`, () => {
    for (const how of ['constructor', 'lazy'] as const)
      test(`a GPT with position ids from wg.arange stored on the module (${how}) replays fast and equals eager`, () => {
        wg.setBackend(be);
        const warnings = spyWarn();
        const { ids, next } = tokens(3);
        const e = gpt(how);
        const expected = Array.from({ length: 7 }, (_, i) => e.step(ids[i % 3], next[i % 3]).item());
        const c = gpt(how);
        const compiled = wg.compile(c.step);
        const got = Array.from({ length: 7 }, (_, i) => compiled(ids[i % 3], next[i % 3]).item());
        expect(got).toEqual(expected);
        expect(new Set(got).size).toBe(got.length); // it trains
        expect(values(c.model)).toEqual(values(e.model));
        expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 5 } });
        expect(warnings()).toEqual([]);
      });

    test('an int32 tensor made with wg.tensor in a constructor, used as indices: fast; changed in place, the JS checks it again', () => {
      wg.setBackend(be);
      wg.manualSeed(4);
      const emb = new wg.nn.Embedding(5, 3);
      const idx = wg.tensor([0, 2, 4], { dtype: 'int32' });
      const f = wg.compile((x: wg.Tensor) => wg.noGrad(() => emb.forward(idx).mul(x).sum()));
      const w = Array.from(emb.weight.data());
      const rows = (ks: number[]) => ks.reduce((sum, k) => sum + w[3 * k] + w[3 * k + 1] + w[3 * k + 2], 0);
      for (let i = 1; i <= 4; i++) expect(f(wg.full([3, 3], i)).item()).toBeCloseTo(i * rows([0, 2, 4]), 5);
      expect(f.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 2 } });
      idx.copy_(wg.tensor([1, 1, 3], { dtype: 'int32' })); // a new version: the JS validates and re-binds
      expect(f(wg.full([3, 3], 2)).item()).toBeCloseTo(2 * rows([1, 1, 3]), 5);
      expect(f(wg.full([3, 3], 3)).item()).toBeCloseTo(3 * rows([1, 1, 3]), 5);
      expect(f.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { jsRuns: 2, fastRuns: 3 } });
      idx.copy_(wg.tensor([1, 5, 3], { dtype: 'int32' })); // out of range: the JS run says so, nothing runs
      expect(() => f(wg.full([3, 3], 1))).toThrow(
        /embedding: index 5 at position \[1\] of indices \[3\] is out of range for a weight with 5 rows \(valid: 0\.\.4\)/,
      );
    });

    for (const { how, hold, check } of HOLD)
      check(`a causal mask built in the constructor from wg.arange comparisons (${how}) replays fast and equals eager`, () => {
        wg.setBackend(be);
        const T = 4;
        const make = () => {
          wg.manualSeed(8);
          const lin = new wg.nn.Linear(3, 3);
          const opt = new wg.optim.SGD(lin.parameters(), { lr: 0.3 });
          // blocked[i][j] = -1e9 where j > i: an op result on constants, held by the model
          const blocked = hold(
            wg
              .arange(T)
              .reshape([1, T])
              .gt(wg.arange(T).reshape([T, 1]))
              .mul(-1e9),
          );
          return (x: wg.Tensor, y: wg.Tensor) => {
            opt.zeroGrad();
            const h = lin.forward(x); // [T, 3]
            const att = h.matmul(h.transpose(0, 1)).add(blocked).softmax(-1);
            const loss = wg.losses.mse(att.matmul(h), y);
            loss.backward();
            opt.step();
            return loss;
          };
        };
        const xs = [0, 1, 2].map((i) =>
          wg.tensor(
            Array.from({ length: 3 * T }, (_, k) => Math.sin(k + i)),
            { shape: [T, 3] },
          ),
        );
        const ys = [0, 1, 2].map((i) =>
          wg.tensor(
            Array.from({ length: 3 * T }, (_, k) => Math.cos(k * i)),
            { shape: [T, 3] },
          ),
        );
        const eager = make();
        const expected = Array.from({ length: 6 }, (_, i) => eager(xs[i % 3], ys[i % 3]).item());
        const compiled = wg.compile(make());
        expect(Array.from({ length: 6 }, (_, i) => compiled(xs[i % 3], ys[i % 3]).item())).toEqual(expected);
        expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 4 } });
      });

    test('a tensor the function reads and updates in place re-runs the JS, naming it', () => {
      wg.setBackend(be);
      const warnings = spyWarn();
      const count = wg.zeros([1]);
      const f = wg.compile((x: wg.Tensor) => {
        const k = count.item(); // read in JavaScript, then bumped by the function itself
        wg.noGrad(() => count.add_(1));
        return x.mul(k).sum();
      });
      expect([0, 1, 2, 3].map(() => f(wg.ones([2])).item())).toEqual([0, 2, 4, 6]);
      expect(f.replayInfo()[0]).toMatchObject({
        mode: 'rerun',
        reason: 'the function reads tensor values in JavaScript that it updates in place (a float32 tensor of 1 element made by zeros)',
      });
      expect(warnings()).toHaveLength(1);
    });
  });

/** A tanh RNN cell over x [T, n, 3] whose initial state is wg.zeros inside forward, then a head. */
function rnn() {
  wg.manualSeed(17);
  const inp = new wg.nn.Linear(3, 5),
    rec = new wg.nn.Linear(5, 5, { bias: false }),
    head = new wg.nn.Linear(5, 2);
  const opt = new wg.optim.SGD([...inp.parameters(), ...rec.parameters(), ...head.parameters()], { lr: 0.2 });
  return (x: wg.Tensor, y: wg.Tensor) => {
    const [T, n] = x.shape;
    let h = wg.zeros([n, 5]);
    for (let t = 0; t < T; t++)
      h = inp
        .forward(x.slice(0, t, t + 1).reshape([n, 3]))
        .add(rec.forward(h))
        .tanh();
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(head.forward(h), y);
    loss.backward();
    opt.step();
    return loss;
  };
}

for (const be of BACKENDS)
  describe(`an RNN and a split held across epochs on ${be}`, () => {
    test('an RNN with a zero initial state made inside forward replays fast, says nothing, and equals eager', () => {
      wg.setBackend(be);
      const warnings = spyWarn();
      const xs = [0, 1, 2].map((i) =>
        wg.tensor(
          Array.from({ length: 24 }, (_, k) => Math.cos(k * 0.4 + i)),
          { shape: [4, 2, 3] },
        ),
      );
      const ys = [0, 1, 2].map((i) => wg.tensor(Int32Array.from([i % 2, (i + 1) % 2])));
      const eager = rnn();
      const expected = Array.from({ length: 9 }, (_, i) => eager(xs[i % 3], ys[i % 3]).item());
      const compiled = wg.compile(rnn());
      const got = Array.from({ length: 9 }, (_, i) => compiled(xs[i % 3], ys[i % 3]).item());
      expect(got).toEqual(expected);
      expect(new Set(got).size).toBe(got.length); // it trains
      expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 7 } });
      expect(warnings()).toEqual([]);
    });

    for (const { how, hold, check } of HOLD)
      check(`a train/test split made with slice, held across epochs of a compiled loop (${how})`, () => {
        wg.setBackend(be);
        const { xs, ys } = batches(1, 12);
        const run = (compiled: boolean) => {
          const { model, opt } = mlp(2);
          const [xTrain, xTest] = [hold(xs[0].slice(0, 0, 8)), hold(xs[0].slice(0, 8, 12))];
          const [yTrain, yTest] = [hold(ys[0].slice(0, 0, 8)), hold(ys[0].slice(0, 8, 12))];
          const trainStep = (x: wg.Tensor, y: wg.Tensor) => {
            opt.zeroGrad();
            const loss = wg.losses.crossEntropy(model.forward(x), y);
            loss.backward();
            opt.step();
            return loss;
          };
          const f = compiled ? wg.compile(trainStep) : trainStep;
          const log: number[] = [];
          for (let epoch = 0; epoch < 4; epoch++) {
            for (let b = 0; b < 2; b++) log.push(f(xTrain.slice(0, 4 * b, 4 * b + 4), yTrain.slice(0, 4 * b, 4 * b + 4)).item());
            log.push(wg.noGrad(() => wg.losses.crossEntropy(model.forward(xTest), yTest)).item());
          }
          return { log, f };
        };
        const eager = run(false);
        const compiled = run(true);
        expect(compiled.log).toEqual(eager.log);
        expectAllFast(compiled.f as ReturnType<typeof wg.compile>);
      });

    // Each call's result is handed out as its own tensor, copied out before the next call reuses the block.
    test('the loss read after the call keeps its value after the next call', () => {
      wg.setBackend(be);
      const { xs, ys } = batches(3);
      const { model, opt } = mlp();
      const step = wg.compile((x: wg.Tensor, y: wg.Tensor) => {
        opt.zeroGrad();
        const loss = wg.losses.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      });
      const held = Array.from({ length: 6 }, (_, i) => {
        const loss = step(xs[i % 3], ys[i % 3]);
        return { loss, value: loss.item() };
      });
      expect(step.replayInfo()[0].mode).toBe('fast'); // reading the loss outside does not make it slow
      expect(held.map((h) => h.loss.item())).toEqual(held.map((h) => h.value));
    });
  });

describe('a leaf made inside the function', () => {
  // x.detach().requiresGrad_() inside the step (physics-informed losses, input gradients): a new
  // leaf every call, whose .grad backward() fills. It used to make every call look like a new
  // state of the gradients, so each call traced another program and none replayed.
  for (const createGraph of [false, true])
    test(`x.detach().requiresGrad_() (${createGraph ? 'autograd.grad with createGraph' : 'backward() only'}) replays fast as one program, eager's losses`, () => {
      const run = (compiled: boolean) => {
        wg.manualSeed(3);
        const net = new wg.nn.Sequential(new wg.nn.Linear(1, 8), new wg.nn.Tanh(), new wg.nn.Linear(8, 1));
        const opt = new wg.optim.Adam(net.parameters(), { lr: 1e-2 });
        const xs = wg.linspace(0, 1, 16).reshape([16, 1]);
        const step = (x: wg.Tensor) => {
          opt.zeroGrad();
          const xr = x.detach().requiresGrad_(true);
          const u = net.forward(xr);
          // without createGraph, backward() alone fills xr.grad too (autograd.grad is eager-only then)
          const loss = createGraph
            ? wg.autograd
                .grad([u], [xr], { gradOutputs: [wg.onesLike(u)], createGraph })[0]!
                .sub(1)
                .square()
                .mean()
                .add(u.square().mean())
            : u.sub(xr).square().mean();
          loss.backward();
          opt.step();
          return loss;
        };
        const f = compiled ? wg.compile(step) : step;
        const losses = Array.from({ length: 6 }, () => f(xs).item());
        return { losses, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo() : [] };
      };
      const compiled = run(true);
      expect(compiled.losses).toEqual(run(false).losses);
      expect(compiled.info.map((p) => [p.mode, p.calls.traces, p.calls.fastRuns])).toEqual([['fast', 1, 4]]);
    });
});
