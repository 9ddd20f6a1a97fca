/**
 * wg.optim on both backends: every optimizer against PyTorch's formulas computed here in float64,
 * wasm vs reference (parameters and state) after several steps on odd sizes, state dicts,
 * every validation error (and that a rejected call changed nothing), clipGradNorm, LR schedulers,
 * and convergence on a quadratic.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import { normErr, rng } from './helpers/harness.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
/** wasm runs in float32; the reference in float64 with float32-rounded hyperparameters. */
const TOL = { wasm: 2e-5, reference: 1e-6 };

type Kind = 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad' | 'Adamax' | 'RAdam' | 'Adadelta' | 'NAdam' | 'Rprop' | 'ASGD' | 'SparseAdam';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the options of any of the five optimizers, read as numbers by the formulas below
type Opts = Record<string, any>;
/** new wg.optim[kind](params, opts), for the table-driven tests. */
const make = (kind: Kind, params: wg.optim.Params, opts: Opts): wg.optim.Optimizer =>
  new (wg.optim[kind] as unknown as new (p: wg.optim.Params, o: Opts) => wg.optim.Optimizer)(params, opts);

const vals = (t: Tensor) => Float64Array.from(t.rawValues());
const f32 = (xs: number[]) => xs.map(Math.fround);
/** Deterministic float32 data: seed → n values in [lo, hi]. */
function data(seed: number, n: number, lo = -2, hi = 2): number[] {
  const u = rng(seed);
  return f32(Array.from({ length: n }, () => lo + (hi - lo) * u()));
}
const gradAt = (seed: number, step: number, n: number) => data(1000 * seed + step, n);

// ---- PyTorch's update rules in float64, written from torch/optim/*.py ---------------------------
type State = Record<string, Float64Array>;
/** One torch.optim step on p (in place) with gradient g at step t ≥ 1; returns nothing. */
function torchStep(kind: Kind, o: Opts, p: Float64Array, grad: ArrayLike<number>, st: State, t: number): void {
  const n = p.length;
  // maximize: every torch.optim update starts from −grad
  const g = o.maximize ? Array.from(grad, (v) => -v) : grad;
  const z = () => new Float64Array(n);
  if (kind === 'SGD') {
    const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = o;
    if (momentum !== 0) st.momentum_buffer ??= z();
    for (let i = 0; i < n; i++) {
      let d = g[i] + weightDecay * p[i];
      if (momentum !== 0) {
        const buf = t === 1 ? d : momentum * st.momentum_buffer[i] + (1 - dampening) * d;
        st.momentum_buffer[i] = buf;
        d = nesterov ? d + momentum * buf : buf;
      }
      p[i] -= lr * d;
    }
  } else if (kind === 'Adam' || kind === 'AdamW') {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8 } = o;
    const weightDecay = o.weightDecay ?? (kind === 'AdamW' ? 1e-2 : 0);
    const [b1, b2] = betas;
    st.exp_avg ??= z();
    st.exp_avg_sq ??= z();
    if (o.amsgrad) st.max_exp_avg_sq ??= z();
    const bc1 = 1 - b1 ** t,
      bc2 = 1 - b2 ** t;
    for (let i = 0; i < n; i++) {
      let d = g[i];
      if (kind === 'AdamW') p[i] *= 1 - lr * weightDecay;
      else d += weightDecay * p[i];
      const m = (st.exp_avg[i] = b1 * st.exp_avg[i] + (1 - b1) * d);
      let v = (st.exp_avg_sq[i] = b2 * st.exp_avg_sq[i] + (1 - b2) * d * d);
      if (o.amsgrad) v = st.max_exp_avg_sq[i] = Math.max(st.max_exp_avg_sq[i], v);
      p[i] -= (lr / bc1) * (m / (Math.sqrt(v) / Math.sqrt(bc2) + eps));
    }
  } else if (kind === 'Adamax' || kind === 'RAdam') {
    const { lr = kind === 'Adamax' ? 2e-3 : 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = o;
    const [b1, b2] = betas;
    const second = kind === 'Adamax' ? 'exp_inf' : 'exp_avg_sq';
    st.exp_avg ??= z();
    st[second] ??= z();
    const bc1 = 1 - b1 ** t,
      bc2 = 1 - b2 ** t;
    const rhoInf = 2 / (1 - b2) - 1,
      rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
    const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      const m = (st.exp_avg[i] = b1 * st.exp_avg[i] + (1 - b1) * d);
      if (kind === 'Adamax') p[i] -= (lr / bc1) * (m / (st.exp_inf[i] = Math.max(b2 * st.exp_inf[i], Math.abs(d) + eps)));
      else {
        const v = (st.exp_avg_sq[i] = b2 * st.exp_avg_sq[i] + (1 - b2) * d * d);
        p[i] -= rhoT > 5 ? ((m / bc1) * lr * rect * Math.sqrt(bc2)) / (Math.sqrt(v) + eps) : (m / bc1) * lr;
      }
    }
  } else if (kind === 'Adadelta') {
    const { lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0 } = o;
    st.square_avg ??= z();
    st.acc_delta ??= z();
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      const s = (st.square_avg[i] = rho * st.square_avg[i] + (1 - rho) * d * d);
      const delta = (Math.sqrt(st.acc_delta[i] + eps) / Math.sqrt(s + eps)) * d;
      st.acc_delta[i] = rho * st.acc_delta[i] + (1 - rho) * delta * delta;
      p[i] -= lr * delta;
    }
  } else if (kind === 'NAdam') {
    // torch ≥ 2.0's _single_tensor_nadam (mu_product: a float32 tensor times the float32 μt)
    const { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3 } = o;
    const [b1, b2] = betas;
    const mu = (k: number) => b1 * (1 - 0.5 * 0.96 ** (k * momentumDecay));
    st.mu_product ??= Float64Array.of(1);
    st.exp_avg ??= z();
    st.exp_avg_sq ??= z();
    const product = (st.mu_product[0] = Math.fround(st.mu_product[0] * Math.fround(mu(t))));
    const bc2 = 1 - b2 ** t;
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      const m = (st.exp_avg[i] = b1 * st.exp_avg[i] + (1 - b1) * d);
      const v = (st.exp_avg_sq[i] = b2 * st.exp_avg_sq[i] + (1 - b2) * d * d);
      const q = Math.sqrt(v / bc2) + eps;
      p[i] -= ((lr * (1 - mu(t))) / (1 - product)) * (d / q) + ((lr * mu(t + 1)) / (1 - product * mu(t + 1))) * (m / q);
    }
  } else if (kind === 'Rprop') {
    // _single_tensor_rprop: the sign of g·prev grows or shrinks each step size; a flip zeroes g
    const { lr = 1e-2, etas = [0.5, 1.2], stepSizes = [1e-6, 50] } = o;
    st.prev ??= z();
    st.step_size ??= new Float64Array(n).fill(lr);
    for (let i = 0; i < n; i++) {
      const s = g[i] * st.prev[i];
      const size = (st.step_size[i] = Math.min(Math.max(st.step_size[i] * (s > 0 ? etas[1] : s < 0 ? etas[0] : 1), stepSizes[0]), stepSizes[1]));
      const d = (st.prev[i] = s < 0 ? 0 : g[i]);
      p[i] -= Math.sign(d) * size;
    }
  } else if (kind === 'ASGD') {
    // _single_tensor_asgd: eta and mu are float32 0-d tensors, from the previous step
    const { lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0 } = o;
    st.eta ??= Float64Array.of(Math.fround(lr));
    st.mu ??= Float64Array.of(1);
    st.ax ??= z();
    const [eta, mu] = [st.eta[0], st.mu[0]];
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      p[i] = p[i] * (1 - lambd * eta) - eta * d;
      st.ax[i] = mu !== 1 ? st.ax[i] + (p[i] - st.ax[i]) * mu : p[i];
    }
    st.eta[0] = Math.fround(lr / (1 + lambd * lr * t) ** alpha);
    st.mu[0] = Math.fround(1 / Math.max(1, t - t0));
  } else if (kind === 'SparseAdam') {
    // sparse_adam on the rows a 1-D parameter's gradient holds: its nonzero elements
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8 } = o;
    const [b1, b2] = betas;
    st.exp_avg ??= z();
    st.exp_avg_sq ??= z();
    const k = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < n; i++) {
      if (g[i] === 0) continue;
      const m = (st.exp_avg[i] += (g[i] - st.exp_avg[i]) * (1 - b1));
      const v = (st.exp_avg_sq[i] += (g[i] * g[i] - st.exp_avg_sq[i]) * (1 - b2));
      p[i] -= (k * m) / (Math.sqrt(v) + eps);
    }
  } else if (kind === 'RMSprop') {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o;
    st.square_avg ??= z();
    if (momentum > 0) st.momentum_buffer ??= z();
    if (centered) st.grad_avg ??= z();
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      const s = (st.square_avg[i] = alpha * st.square_avg[i] + (1 - alpha) * d * d);
      const ga = centered ? (st.grad_avg[i] = alpha * st.grad_avg[i] + (1 - alpha) * d) : 0;
      const avg = Math.sqrt(s - ga * ga) + eps;
      if (momentum > 0) {
        st.momentum_buffer[i] = momentum * st.momentum_buffer[i] + d / avg;
        p[i] -= lr * st.momentum_buffer[i];
      } else p[i] -= (lr * d) / avg;
    }
  } else {
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = o;
    st.sum ??= new Float64Array(n).fill(initialAccumulatorValue);
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < n; i++) {
      const d = g[i] + weightDecay * p[i];
      const s = (st.sum[i] += d * d);
      p[i] -= (clr * d) / (Math.sqrt(s) + eps);
    }
  }
}

const CONFIGS: [Kind, Opts][] = [
  ['SGD', { lr: 0.1 }],
  ['SGD', { lr: 0.05, weightDecay: 0.1 }],
  ['SGD', { lr: 0.1, momentum: 0.9 }],
  ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.1 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
  ['Adam', {}],
  ['Adam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
  ['AdamW', { lr: 0.01 }],
  ['AdamW', { lr: 0.02, betas: [0.85, 0.995], weightDecay: 0.2 }],
  ['RMSprop', {}],
  ['RMSprop', { lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.05 }],
  ['RMSprop', { lr: 0.01, alpha: 0.95, momentum: 0.9, weightDecay: 0.05 }],
  ['Adagrad', {}],
  ['Adagrad', { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-6 }],
  ['SGD', { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01, maximize: true }],
  ['Adam', { lr: 0.01, weightDecay: 0.1, maximize: true }],
  ['AdamW', { lr: 0.02, maximize: true }],
  ['RMSprop', { lr: 0.01, momentum: 0.9, weightDecay: 0.05, maximize: true }],
  ['Adagrad', { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, maximize: true }],
  ['Adam', { lr: 0.01, amsgrad: true }],
  ['Adam', { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true, maximize: true }],
  ['AdamW', { lr: 0.02, weightDecay: 0.2, amsgrad: true }],
  ['RMSprop', { lr: 0.01, centered: true }],
  ['RMSprop', { lr: 0.01, alpha: 0.9, weightDecay: 0.05, centered: true }],
  ['RMSprop', { lr: 0.01, momentum: 0.9, centered: true, maximize: true }],
  ['Adamax', {}],
  ['Adamax', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, maximize: true }],
  ['RAdam', {}],
  ['RAdam', { lr: 0.01, betas: [0.8, 0.9], weightDecay: 0.1, maximize: true }],
  ['Adadelta', {}],
  ['Adadelta', { lr: 0.5, rho: 0.95, eps: 1e-4, weightDecay: 0.1, maximize: true }],
  ['NAdam', {}],
  ['NAdam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, momentumDecay: 0.04, maximize: true }],
  ['Rprop', {}],
  ['Rprop', { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-3, 0.1], maximize: true }],
  ['ASGD', {}],
  ['ASGD', { lr: 0.05, lambd: 0.01, alpha: 0.5, t0: 1, weightDecay: 0.1, maximize: true }],
  ['SparseAdam', {}],
  ['SparseAdam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, maximize: true }],
];
const label = (kind: Kind, o: Opts) => `${kind} ${JSON.stringify(o)}`;

/** The state tensors of parameter i as float64 arrays (without step). */
function stateOf(opt: wg.optim.Optimizer, i: number): State {
  const entry = opt.stateDict().state[i] ?? {};
  return Object.fromEntries(
    Object.entries(entry)
      .filter(([k]) => k !== 'step')
      .map(([k, t]) => [k, vals(t)]),
  );
}

describe('optimizers match PyTorch formulas', () => {
  for (const be of BACKENDS)
    for (const [kind, o] of CONFIGS)
      test(`${label(kind, o)} on ${be}, 4 steps, sizes 9 and 17`, () => {
        wg.setBackend(be);
        const sizes = [9, 17];
        const init = sizes.map((n, k) => data(7 + k, n));
        const params = init.map((v) => wg.tensor(v, { requiresGrad: true }));
        const opt = make(kind, params, o);
        const want = init.map((v) => Float64Array.from(v));
        const wantState: State[] = sizes.map(() => ({}));
        for (let t = 1; t <= 4; t++) {
          params.forEach((p, k) => {
            const g = gradAt(k, t, sizes[k]);
            p.grad = wg.tensor(g);
            torchStep(kind, o, want[k], g, wantState[k], t);
          });
          opt.step();
          params.forEach((p, k) => {
            expect(Array.from(p.grad!.data()), 'the step leaves the gradient as it was').toEqual(gradAt(k, t, sizes[k]));
            expect(normErr(vals(p), want[k]), `param ${k} after step ${t}`).toBeLessThanOrEqual(TOL[be]);
            const got = stateOf(opt, k);
            expect(Object.keys(got).sort()).toEqual(Object.keys(wantState[k]).sort());
            for (const name of Object.keys(got)) expect(normErr(got[name], wantState[k][name]), `${name} after step ${t}`).toBeLessThanOrEqual(TOL[be]);
            // torch's SGD state holds no step
            if (kind === 'SGD') expect(opt.stateDict().state[k].step).toBeUndefined();
            else expect(opt.stateDict().state[k].step.item()).toBe(t);
          });
        }
      });

  test('hand-computed: SGD momentum 0.9, dampening 0.5 starts the buffer at the gradient', () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const p = wg.tensor([1, 2], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.5, momentum: 0.5, dampening: 0.5 });
      p.grad = wg.tensor([2, 4]);
      opt.step(); // buf = g = [2, 4]; p = [1, 2] - 0.5·[2, 4] = [0, 0]
      expect(Array.from(p.data())).toEqual([0, 0]);
      p.grad = wg.tensor([4, 8]);
      opt.step(); // buf = 0.5·[2, 4] + 0.5·[4, 8] = [3, 6]; p = -0.5·[3, 6]
      expect(Array.from(p.data())).toEqual([-1.5, -3]);
      expect(Array.from(opt.stateDict().state[0].momentum_buffer.data())).toEqual([3, 6]);
    }
  });

  test('hand-computed: SGD momentum switched on and off between steps (another update kernel and coefficient kind each time)', () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const p = wg.tensor([1, 2], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.5 });
      const stepWith = (g: number[]) => {
        p.grad = wg.tensor(g);
        opt.step();
        return Array.from(p.data());
      };
      expect(stepWith([2, 4])).toEqual([0, 0]); // p -= 0.5·g
      opt.paramGroups[0].momentum = 0.5;
      expect(stepWith([4, 8])).toEqual([-2, -4]); // the buffer starts now, at g = [4, 8]
      expect(stepWith([2, 2])).toEqual([-4, -7]); // buf = 0.5·[4, 8] + [2, 2] = [4, 6]
      opt.paramGroups[0].momentum = 0;
      expect(stepWith([2, 4])).toEqual([-5, -9]); // plain SGD again; the buffer is kept, untouched
      const st = opt.stateDict().state[0];
      expect(Array.from(st.momentum_buffer.data())).toEqual([4, 6]);
      expect(Object.keys(st)).toEqual(['momentum_buffer']);
    }
  });

  test('maximize: torch 1.13 SGD(lr=0.5, momentum=0.5, weight_decay=0.1, maximize=True) values; the gradient is left as it was', () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const p = wg.tensor([1, 2], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.5, momentum: 0.5, weightDecay: 0.1, maximize: true });
      expect(opt.paramGroups[0].maximize).toBe(true);
      const want = [
        [1.9500000476837158, 3.9000000953674316, -1.899999976158142, -3.799999952316284],
        [4.327500343322754, 8.655000686645508, -4.755000114440918, -9.510000228881836],
      ];
      [
        [2, 4],
        [4, 8],
      ].forEach((g, t) => {
        p.grad = wg.tensor(g);
        opt.step();
        expect(normErr([...vals(p), ...vals(opt.stateDict().state[0].momentum_buffer)], want[t])).toBeLessThan(1e-6);
        expect(Array.from(p.grad.data())).toEqual(g);
      });
      expect(opt.stateDict().paramGroups[0].maximize).toBe(true);
      expect(() => new wg.optim.Adam([p], { maximize: 1 as unknown as boolean })).toThrow('wasmgrad.optim.Adam: maximize must be true or false, got 1');
      expect(() => (opt.paramGroups[0].maximize = 'yes' as unknown as boolean)).toThrow('wasmgrad.optim.SGD: maximize must be true or false, got "yes"');
    }
  });

  test("step(closure) as PyTorch's: calls it (zeroGrad, loss, backward), updates, returns the loss (torch 1.13 values)", () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const w = wg.tensor([1, -2, 3], { requiresGrad: true });
      const x = wg.tensor([0.5, 1, -1]);
      const opt = new wg.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
      const closure = () => {
        opt.zeroGrad();
        const loss = w.mul(x).sum().sub(1).square();
        loss.backward();
        return loss;
      };
      const losses = [0, 1, 2].map(() => opt.step(closure)!.item());
      [30.25, 9.150625228881836, 0.31781408190727234].forEach((v, i) => expect(losses[i]).toBeCloseTo(v, 4));
      Array.from(w.data()).forEach((v, i) => expect(v).toBeCloseTo([3.0088748931884766, 2.0177500247955322, -1.0177499055862427][i], 5));
      expect(opt.step()).toBeUndefined();
    }
    wg.setBackend('wasm');
  });

  test('hand-computed: the first Adam step moves every element by lr·sign(g) (up to eps)', () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const p = wg.tensor([0, 0, 0, 0, 0], { requiresGrad: true });
      const opt = new wg.optim.Adam([p], { lr: 0.1 });
      p.grad = wg.tensor([3, -0.5, 1e-3, -20, 7]);
      opt.step();
      const got = Array.from(p.data());
      [-0.1, 0.1, -0.1, 0.1, -0.1].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    }
  });
});

describe('wasm vs reference: parameters and state after 5 steps on odd sizes', () => {
  for (const [kind, o] of CONFIGS)
    test(label(kind, o), () => {
      const sizes = [1, 3, 5, 7, 9, 17, 33];
      const run = (be: 'wasm' | 'reference') => {
        wg.setBackend(be);
        const params = sizes.map((n, k) => wg.tensor(data(50 + k, n), { requiresGrad: true }));
        const opt = make(kind, params, o);
        for (let t = 1; t <= 5; t++) {
          params.forEach((p, k) => (p.grad = wg.tensor(gradAt(20 + k, t, sizes[k]))));
          opt.step();
        }
        return params.map((p, k) => ({ p: vals(p), st: stateOf(opt, k) }));
      };
      const w = run('wasm'),
        r = run('reference');
      r.forEach(({ p, st }, k) => {
        expect(normErr(w[k].p, p), `param of size ${sizes[k]}`).toBeLessThanOrEqual(2e-5);
        for (const name of Object.keys(st)) expect(normErr(w[k].st[name], st[name]), `${name} of size ${sizes[k]}`).toBeLessThanOrEqual(2e-5);
      });
    });
});

for (const be of BACKENDS)
  describe(`optimizer behaviour on ${be}`, () => {
    test('zeroGrad sets gradients to null, or to zeros with zeroGrad(false)', () => {
      wg.setBackend(be);
      const a = wg.tensor([1, 2, 3], { requiresGrad: true });
      const b = wg.tensor([4, 5], { requiresGrad: true });
      const opt = new wg.optim.SGD([a, b], { lr: 0.1 });
      a.mul(a).backward(wg.ones([3]));
      b.grad = wg.tensor([1, 1]);
      opt.zeroGrad(false);
      expect(Array.from(a.grad!.data())).toEqual([0, 0, 0]);
      expect(Array.from(b.grad!.data())).toEqual([0, 0]);
      opt.zeroGrad();
      expect(a.grad).toBeNull();
      expect(b.grad).toBeNull();
      opt.step(); // no gradients: nothing happens
      expect(Array.from(a.data())).toEqual([1, 2, 3]);
    });

    test('step skips parameters without a gradient (no state is made for them)', () => {
      wg.setBackend(be);
      const a = wg.tensor([1, 2, 3], { requiresGrad: true });
      const b = wg.tensor([4, 5], { requiresGrad: true });
      const opt = new wg.optim.Adam([a, b], { lr: 0.1 });
      a.grad = wg.tensor([1, -1, 1]);
      opt.step();
      expect(Array.from(b.data())).toEqual([4, 5]);
      expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
      b.grad = wg.tensor([1, 1]);
      opt.step();
      const sd = opt.stateDict();
      expect(sd.state[0].step.item()).toBe(2);
      expect(sd.state[1].step.item()).toBe(1);
    });

    test('gradients from backward() drive the step; accepts a module (parameters())', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, -2, 3], { requiresGrad: true });
      const x = wg.tensor([2, 2, 2]);
      const opt = new wg.optim.SGD({ parameters: () => [w] }, { lr: 0.25 });
      w.mul(x).backward(wg.ones([3])); // d/dw Σ w·x = x
      opt.step();
      expect(Array.from(w.data())).toEqual([0.5, -2.5, 2.5]);
    });

    test('memory stays flat over training steps (zeroGrad, backward, clipGradNorm, step)', () => {
      wg.setBackend(be);
      const w = wg.randn([37], { requiresGrad: true });
      const x = wg.randn([37]);
      const seed = wg.ones([37]);
      const opt = new wg.optim.Adam([w], { lr: 1e-3 });
      const iter = () => {
        opt.zeroGrad();
        w.mul(x).mul(w).backward(seed);
        wg.optim.clipGradNorm([w], 1);
        opt.step();
      };
      const heap = backend(be).heap;
      for (let i = 0; i < 10; i++) iter();
      const inUse = heap.inUse;
      const high = heap.highWater;
      for (let i = 0; i < 300; i++) iter();
      expect(heap.inUse).toBeLessThanOrEqual(inUse);
      expect(heap.highWater).toBe(high);
    });

    test('a step bumps the parameter version: a graph that saved it refuses to backpropagate', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, 2], { requiresGrad: true });
      const opt = new wg.optim.SGD([w], { lr: 0.1 });
      const y = w.mul(w);
      y.backward(wg.ones([2]), { retainGraph: true });
      opt.step();
      expect(() => y.backward(wg.ones([2]))).toThrow(/modified in place/);
    });

    test('state dict: PyTorch shape, round trip, and loading continues identically', () => {
      wg.setBackend(be);
      const mk = () => [wg.tensor(data(3, 5), { requiresGrad: true }), wg.tensor(data(4, 7), { requiresGrad: true })];
      const p1 = mk();
      const o = { lr: 0.01, betas: [0.8, 0.99] as [number, number], weightDecay: 0.1 };
      const opt1 = new wg.optim.AdamW(p1, o);
      const feed = (ps: Tensor[], t: number) => ps.forEach((p, k) => (p.grad = wg.tensor(gradAt(k, t, p.size))));
      for (let t = 1; t <= 3; t++) {
        feed(p1, t);
        opt1.step();
      }
      const sd = opt1.stateDict();
      expect(Object.keys(sd.state)).toEqual(['0', '1']);
      expect(Object.keys(sd.state[0]).sort()).toEqual(['exp_avg', 'exp_avg_sq', 'step']);
      expect(sd.state[1].step.item()).toBe(3);
      expect(sd.paramGroups).toEqual([{ lr: 0.01, betas: [0.8, 0.99], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false, params: [0, 1] }]);

      const p2 = mk();
      p2.forEach((p, k) => wg.noGrad(() => p.storage.backend.write(p.storage.ptr, p1[k].rawValues(), 'float32')));
      const opt2 = new wg.optim.AdamW(p2, { lr: 0.5 });
      opt2.loadStateDict(sd);
      expect(opt2.lr).toBe(0.01);
      expect(opt2.paramGroups[0].betas).toEqual([0.8, 0.99]);
      // loaded state is a copy: stepping opt2 does not change opt1's tensors
      for (let t = 4; t <= 6; t++) {
        feed(p1, t);
        feed(p2, t);
        opt1.step();
        opt2.step();
      }
      p1.forEach((p, k) => expect(Array.from(p2[k].data())).toEqual(Array.from(p.data())));
      expect(opt2.stateDict().state[0].step.item()).toBe(6);
      // a state dict with a number step loads too
      const sd2 = opt1.stateDict();
      const opt3 = new wg.optim.AdamW(mk(), o);
      opt3.loadStateDict({ ...sd2, state: { 0: { ...sd2.state[0], step: 6 as unknown as Tensor } } });
      expect(opt3.stateDict().state[0].step.item()).toBe(6);
      expect(opt3.stateDict().state[1]).toBeUndefined();
    });

    test('SGD state dict: momentum_buffer only with momentum; stepping after load is not a first step', () => {
      wg.setBackend(be);
      const p = wg.tensor([1, 1], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 1, momentum: 0.5, dampening: 0.5 });
      p.grad = wg.tensor([2, 2]);
      opt.step(); // buf = 2, p = -1
      const q = wg.tensor([-1, -1], { requiresGrad: true });
      const opt2 = new wg.optim.SGD([q], { lr: 1 });
      opt2.loadStateDict(opt.stateDict());
      q.grad = wg.tensor([2, 2]);
      opt2.step(); // buf = 0.5·2 + 0.5·2 = 2, q = -3
      expect(Array.from(q.data())).toEqual([-3, -3]);
      const plain = new wg.optim.SGD([wg.tensor([1], { requiresGrad: true })], { lr: 1 });
      plain.params[0].grad = wg.tensor([1]);
      plain.step();
      expect(Object.keys(plain.stateDict().state[0])).toEqual([]);
    });

    test('the state dict moves across backends', () => {
      wg.setBackend(be);
      const p = wg.tensor([1, 2, 3], { requiresGrad: true });
      const opt = new wg.optim.RMSprop([p], { momentum: 0.5 });
      p.grad = wg.tensor([1, 2, 3]);
      opt.step();
      const sd = opt.stateDict();
      wg.setBackend(be === 'wasm' ? 'reference' : 'wasm');
      const q = wg.tensor(Array.from(p.data()), { requiresGrad: true });
      const opt2 = new wg.optim.RMSprop([q], { momentum: 0.5 });
      opt2.loadStateDict(sd);
      q.grad = wg.tensor([1, 2, 3]);
      opt2.step();
      wg.setBackend(be);
      p.grad = wg.tensor([1, 2, 3]);
      opt.step();
      expect(normErr(vals(q), vals(p))).toBeLessThanOrEqual(1e-6);
    });
  });

// ---- validation -------------------------------------------------------------------------------------
describe('validation errors name the optimizer and the bad value', () => {
  const p = () => wg.tensor([1, 2, 3], { requiresGrad: true });
  const cases: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new wg.optim.SGD([p()], { lr: -0.1 }), /optim\.SGD: lr must be a finite number ≥ 0, got -0\.1/],
    ['NaN lr', () => new wg.optim.Adam([p()], { lr: NaN }), /optim\.Adam: lr must be .*got NaN/],
    ['missing SGD lr', () => new wg.optim.SGD([p()], {} as { lr: number }), /optim\.SGD: the option lr is required/],
    ['beta1 = 1', () => new wg.optim.Adam([p()], { betas: [1, 0.999] }), /optim\.Adam: betas\[0\] must be a finite number in \[0, 1\), got 1/],
    ['beta2 < 0', () => new wg.optim.AdamW([p()], { betas: [0.9, -0.1] }), /optim\.AdamW: betas\[1\] must .*got -0\.1/],
    ['betas not a pair', () => new wg.optim.Adam([p()], { betas: [0.9] as unknown as [number, number] }), /optim\.Adam: betas must be a pair/],
    ['negative eps', () => new wg.optim.RMSprop([p()], { eps: -1e-8 }), /optim\.RMSprop: eps must .*got -1e-8/],
    ['negative momentum', () => new wg.optim.SGD([p()], { lr: 0.1, momentum: -0.5 }), /optim\.SGD: momentum must .*got -0\.5/],
    ['negative RMSprop momentum', () => new wg.optim.RMSprop([p()], { momentum: -1 }), /optim\.RMSprop: momentum must/],
    [
      'nesterov without momentum',
      () => new wg.optim.SGD([p()], { lr: 0.1, nesterov: true }),
      /optim\.SGD: nesterov momentum needs momentum > 0 and dampening 0, got momentum 0/,
    ],
    [
      'nesterov with dampening',
      () => new wg.optim.SGD([p()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      /nesterov momentum needs .*dampening 0\.1/,
    ],
    ['negative weight decay', () => new wg.optim.Adagrad([p()], { weightDecay: -1 }), /optim\.Adagrad: weightDecay must/],
    ['alpha > 1', () => new wg.optim.RMSprop([p()], { alpha: 1.5 }), /optim\.RMSprop: alpha must be a finite number in \[0, 1\], got 1\.5/],
    ['negative lrDecay', () => new wg.optim.Adagrad([p()], { lrDecay: -1 }), /optim\.Adagrad: lrDecay must/],
    ['Adamax beta2 = 1', () => new wg.optim.Adamax([p()], { betas: [0.9, 1] }), /optim\.Adamax: betas\[1\] must be a finite number in \[0, 1\), got 1/],
    ['RAdam negative eps', () => new wg.optim.RAdam([p()], { eps: -1 }), /optim\.RAdam: eps must be a finite number ≥ 0, got -1/],
    ['Adadelta rho > 1', () => new wg.optim.Adadelta([p()], { rho: 1.5 }), /optim\.Adadelta: rho must be a finite number in \[0, 1\], got 1\.5/],
    ['Adadelta negative lr', () => new wg.optim.Adadelta([p()], { lr: -1 }), /optim\.Adadelta: lr must be a finite number ≥ 0, got -1/],
    ['Adadelta negative eps', () => new wg.optim.Adadelta([p()], { eps: -1e-6 }), /optim\.Adadelta: eps must be a finite number ≥ 0, got -0\.000001/],
    ['Adadelta negative weight decay', () => new wg.optim.Adadelta([p()], { weightDecay: -0.1 }), /optim\.Adadelta: weightDecay must .*got -0\.1/],
    [
      'NAdam negative momentumDecay',
      () => new wg.optim.NAdam([p()], { momentumDecay: -1e-3 }),
      /optim\.NAdam: momentumDecay must be a finite number ≥ 0, got -0\.001/,
    ],
    ['NAdam beta1 = 1', () => new wg.optim.NAdam([p()], { betas: [1, 0.999] }), /optim\.NAdam: betas\[0\] must be a finite number in \[0, 1\), got 1/],
    ['NAdam NaN lr', () => new wg.optim.NAdam([p()], { lr: NaN }), /optim\.NAdam: lr must .*got NaN/],
    ['NAdam unknown option', () => new wg.optim.NAdam([p()], { momentum_decay: 0.1 } as object), /optim\.NAdam: unknown option 'momentum_decay'/],
    ['amsgrad not a boolean', () => new wg.optim.AdamW([p()], { amsgrad: 1 as unknown as boolean }), /optim\.AdamW: amsgrad must be true or false, got 1/],
    [
      'centered not a boolean',
      () => new wg.optim.RMSprop([p()], { centered: 'yes' as unknown as boolean }),
      /optim\.RMSprop: centered must be true or false, got "yes"/,
    ],
    ['unknown option', () => new wg.optim.Adam([p()], { weight_decay: 0.1 } as object), /optim\.Adam: unknown option 'weight_decay'/],
    ['empty params', () => new wg.optim.Adam([]), /optim\.Adam: got an empty parameter list/],
    ['not tensors', () => new wg.optim.Adam([1, 2] as unknown as Tensor[]), /optim\.Adam: params\[0\] must be a Tensor, got 1/],
    ['not iterable', () => new wg.optim.Adam(5 as unknown as Tensor[]), /optim\.Adam: params must be an array of tensors or a module/],
    ['int32 param', () => new wg.optim.Adam([wg.tensor([1, 2], { dtype: 'int32' })]), /optim\.Adam: params\[0\] is a int32 tensor/],
    [
      'non-leaf',
      () => {
        const a = p();
        return new wg.optim.Adam([a.mul(a)]);
      },
      /optim\.Adam: params\[0\] \[3\] is not a leaf tensor .*'mul'/,
    ],
    [
      'duplicate',
      () => {
        const a = p();
        return new wg.optim.Adam([a, a]);
      },
      /optim\.Adam: params\[1\] appears twice/,
    ],
  ];
  for (const be of BACKENDS)
    for (const [name, fn, re] of cases)
      test(`${name} (${be})`, () => {
        wg.setBackend(be);
        expect(fn).toThrow(re);
      });

  for (const be of BACKENDS)
    test(`a rejected step changes neither parameters nor state (${be})`, () => {
      wg.setBackend(be);
      const a = wg.tensor([1, 2, 3], { requiresGrad: true });
      const b = wg.tensor([4, 5], { requiresGrad: true });
      const c = wg.tensor([6], { requiresGrad: true });
      const opt = new wg.optim.SGD([a, b, c], { lr: 0.1, momentum: 0.9 });
      a.grad = wg.tensor([1, 1, 1]);
      opt.step();
      const snapshot = () => ({
        a: vals(a),
        b: vals(b),
        c: vals(c),
        sd: JSON.stringify(Object.entries(opt.stateDict().state).map(([k, s]) => [k, Object.entries(s).map(([n, t]) => [n, Array.from(t.rawValues())])])),
      });
      const before = snapshot();
      // params[1] has a valid gradient, params[2] one of another shape, refused where it is assigned (as PyTorch)
      b.grad = wg.tensor([1, 1]);
      expect(() => (c.grad = wg.tensor([1, 1]))).toThrow(/Tensor\.grad: the assigned gradient must have this tensor's shape \[1\], got \[2\]/);
      expect(snapshot()).toEqual(before);
      // a gradient on another backend: nothing may run
      wg.setBackend(be === 'wasm' ? 'reference' : 'wasm');
      c.grad = wg.tensor([1]);
      wg.setBackend(be);
      expect(() => opt.step()).toThrow(/optim\.SGD: the gradient of params\[2\] lives on the/);
      expect(snapshot()).toEqual(before);
      // an int32 gradient, refused where it is assigned
      expect(() => (c.grad = wg.tensor([1], { dtype: 'int32' }))).toThrow(
        /Tensor\.grad: the assigned gradient must have this tensor's dtype float32, got int32/,
      );
      // a hyperparameter edited to an invalid value is refused at the assignment, and nothing changes
      c.grad = wg.tensor([1]);
      expect(() => (opt.paramGroups[0].momentum = -1)).toThrow(/optim\.SGD: momentum must be a finite number ≥ 0, got -1/);
      expect(opt.paramGroups[0].momentum).toBe(0.9);
      expect(snapshot()).toEqual(before);
      expect(() => (opt.lr = NaN)).toThrow(/optim\.SGD: lr must .*got NaN/);
      expect(opt.lr).toBe(0.1);
      opt.step(); // now fine
      expect(vals(c)[0]).toBeCloseTo(6 - 0.1, 6);
      // a .grad that is not a tensor at all (plain JS) is refused when assigned
      const d = wg.tensor([1], { requiresGrad: true });
      expect(() => ((d as { grad: unknown }).grad = [1])).toThrow(/Tensor or null/);
    });

  for (const be of BACKENDS)
    test(`loadStateDict rejects bad state dicts and changes nothing (${be})`, () => {
      wg.setBackend(be);
      const a = wg.tensor([1, 2, 3], { requiresGrad: true });
      const opt = new wg.optim.Adam([a], { lr: 0.01 });
      a.grad = wg.tensor([1, 2, 3]);
      opt.step();
      const good = opt.stateDict();
      const s0 = good.state[0];
      const g0 = good.paramGroups[0];
      const bad: [unknown, RegExp][] = [
        [null, /loadStateDict expects \{ state/],
        [{ ...good, paramGroups: [g0, g0] }, /expected 1 parameter group, got 2/],
        [{ ...good, paramGroups: [{ ...g0, lr: Infinity }] }, /optim\.Adam: lr must .*got Infinity/],
        [{ ...good, paramGroups: [{ ...g0, momentum: 0.9 }] }, /unknown hyperparameter 'momentum'/],
        [{ ...good, paramGroups: [{ ...g0, params: [0, 1] }] }, /group has 2 parameters, this optimizer has 1/],
        [{ ...good, state: { 3: s0 } }, /state for parameter index '3', but there are 1 parameters/],
        [{ ...good, state: { 0: { ...s0, step: wg.tensor(1.5) } } }, /state\[0\]\.step must be a non-negative integer/],
        [{ ...good, state: { 0: { step: s0.step, exp_avg: s0.exp_avg } } }, /state\[0\] has no 'exp_avg_sq'/],
        [
          { ...good, state: { 0: { ...s0, momentum_buffer: s0.exp_avg } } },
          /unknown state 'momentum_buffer' in state\[0\] \(Adam keeps exp_avg, exp_avg_sq, max_exp_avg_sq\)/,
        ],
        [{ ...good, paramGroups: [{ ...g0, amsgrad: true }] }, /state\[0\] has no 'max_exp_avg_sq' \(needed by these hyperparameters\)/],
        [{ ...good, paramGroups: [{ ...g0, amsgrad: 1 }] }, /optim\.Adam: amsgrad must be true or false, got 1/],
        [{ ...good, state: { 0: { ...s0, exp_avg: wg.zeros([4]) } } }, /state\[0\]\.exp_avg is float32 \[4\], parameter 0 needs float32 \[3\]/],
        [{ ...good, state: { 0: { ...s0, exp_avg: 'x' } } }, /state\[0\]\.exp_avg is not a Tensor/],
        // nested lists (JSON of a state dict) are read as tensors: a ragged one is an error
        [{ ...good, state: { 0: { ...s0, exp_avg: [1, 2, [3]] } } }, /state\[0\]\.exp_avg is not a tensor's nested list/],
        [{ ...good, state: { 0: { ...s0, exp_avg: [1, 2] } } }, /state\[0\]\.exp_avg is float32 \[2\], parameter 0 needs float32 \[3\]/],
      ];
      const before = JSON.stringify([opt.paramGroups, Array.from(opt.stateDict().state[0].exp_avg.rawValues())]);
      for (const [sd, re] of bad) {
        expect(() => opt.loadStateDict(sd as wg.optim.OptimizerStateDict)).toThrow(re);
        expect(JSON.stringify([opt.paramGroups, Array.from(opt.stateDict().state[0].exp_avg.rawValues())])).toBe(before);
      }
    });
});

// ---- clipGradNorm ---------------------------------------------------------------------------------------
for (const be of BACKENDS)
  describe(`clipGradNorm on ${be}`, () => {
    test('returns the total norm and scales by maxNorm / (norm + 1e-6) when above maxNorm', () => {
      wg.setBackend(be);
      const a = wg.tensor([0, 0], { requiresGrad: true });
      const b = wg.tensor([0], { requiresGrad: true });
      const c = wg.tensor([0], { requiresGrad: true }); // no gradient: skipped
      a.grad = wg.tensor([3, 4]);
      b.grad = wg.tensor([12]);
      expect(wg.optim.clipGradNorm([a, b, c], 100).item()).toBeCloseTo(13, 5);
      expect(Array.from(a.grad.data())).toEqual([3, 4]); // not clipped
      expect(wg.optim.clipGradNorm([a, b, c], 6.5).item()).toBeCloseTo(13, 5);
      const k = 6.5 / (13 + 1e-6);
      expect(normErr(vals(a.grad), [3 * k, 4 * k])).toBeLessThan(1e-6);
      expect(normErr(vals(b.grad), [12 * k])).toBeLessThan(1e-6);
      expect(wg.optim.clipGradNorm([a, b], 100).item()).toBeCloseTo(6.5, 5);
      expect(c.grad).toBeNull();
      expect(wg.optim.clipGradNorm([c], 1).item()).toBe(0);
      expect(wg.optim.clipGradNorm(a, 1).item()).toBeCloseTo(2.5, 5); // a single tensor is accepted
    });

    test('large odd-sized gradients (SIMD body + tail), against a float64 sum', () => {
      wg.setBackend(be);
      const sizes = [1, 3, 5, 17, 1001, 4099];
      const ps = sizes.map((n) => wg.zeros([n], { requiresGrad: true }));
      const gs = sizes.map((n, k) => data(90 + k, n, -3, 3));
      ps.forEach((p, k) => (p.grad = wg.tensor(gs[k])));
      const want = Math.sqrt(gs.flat().reduce((s, x) => s + x * x, 0));
      const norm = wg.optim.clipGradNorm(ps, 1).item();
      expect(Math.abs(norm - want) / want).toBeLessThan(1e-6);
      const after = Math.sqrt(ps.flatMap((p) => Array.from(vals(p.grad!))).reduce((s, x) => s + x * x, 0));
      expect(after).toBeCloseTo(1, 5);
    });

    test("normType: PyTorch's p-norms and the max norm (torch 1.13 clip_grad_norm_ values)", () => {
      wg.setBackend(be);
      const a = wg.tensor([0, 0], { requiresGrad: true });
      const b = wg.zeros([2, 2], { requiresGrad: true });
      // torch.nn.utils.clip_grad_norm_([a, b], 5.0, norm_type=p) with grads [3, -4] and [[1, -2], [0.5, 12]]
      const cases: [number | 'inf', number, number[]][] = [
        [2, 13.200379371643066, [1.1363308429718018, -1.5151078701019287, 0.3787769675254822, -0.7575539350509644, 0.1893884837627411, 4.545323371887207]],
        ['inf', 12, [1.2499998807907104, -1.6666665077209473, 0.4166666269302368, -0.8333332538604736, 0.2083333134651184, 4.999999523162842]],
        [Infinity, 12, [1.2499998807907104, -1.6666665077209473, 0.4166666269302368, -0.8333332538604736, 0.2083333134651184, 4.999999523162842]],
        [1, 22.5, [0.6666666269302368, -0.8888888359069824, 0.2222222089767456, -0.4444444179534912, 0.1111111044883728, 2.6666665077209473]],
        [3, 12.227435111999512, [1.2267494201660156, -1.6356658935546875, 0.4089164733886719, -0.8178329467773438, 0.20445823669433594, 4.9069976806640625]],
        [
          0.5,
          106.45024108886719,
          [0.14091090857982635, -0.1878812164068222, 0.04697030410170555, -0.0939406082034111, 0.023485152050852776, 0.5636436343193054],
        ],
      ];
      for (const [normType, total, grads] of cases) {
        a.grad = wg.tensor([3, -4]);
        b.grad = wg.tensor([
          [1, -2],
          [0.5, 12],
        ]);
        expect(Math.abs(wg.optim.clipGradNorm([a, b], 5, { normType }).item() - total) / total, `normType ${normType}`).toBeLessThan(1e-6);
        expect(normErr([...vals(a.grad), ...vals(b.grad)], grads), `normType ${normType}`).toBeLessThan(1e-6);
      }
      for (const bad of [0, -1, NaN, '2', 'fro'])
        expect(() => wg.optim.clipGradNorm([a, b], 5, { normType: bad as number })).toThrow(
          `wasmgrad.optim.clipGradNorm: normType must be a number > 0, Infinity or 'inf', got ${typeof bad === 'string' ? `"${bad}"` : bad}`,
        );
    });

    test('errors: bad maxNorm; non-finite norm with errorIfNonfinite leaves gradients unchanged', () => {
      wg.setBackend(be);
      const a = wg.tensor([0, 0], { requiresGrad: true });
      a.grad = wg.tensor([1, Infinity]);
      expect(() => wg.optim.clipGradNorm([a], -1)).toThrow(/optim\.clipGradNorm: maxNorm must be a number ≥ 0, got -1/);
      expect(() => wg.optim.clipGradNorm([a], NaN)).toThrow(/maxNorm must be a number ≥ 0, got NaN/);
      expect(() => wg.optim.clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrow(/optim\.clipGradNorm: the total norm of the gradients is Infinity/);
      expect(Array.from(a.grad.data())).toEqual([1, Infinity]);
      expect(wg.optim.clipGradNorm([a], 1).item()).toBe(Infinity); // PyTorch's default: no error
      expect(() => wg.optim.clipGradNorm('x' as unknown as Tensor[], 1)).toThrow(/optim\.clipGradNorm: params must be/);
    });
  });

// ---- LR schedulers --------------------------------------------------------------------------------------
describe('LR schedulers follow PyTorch closed forms', () => {
  const opt = (lr = 0.1) => new wg.optim.SGD([wg.tensor([1], { requiresGrad: true })], { lr });
  const check = (s: wg.optim.lr.LRScheduler, o: wg.optim.Optimizer, f: (t: number) => number, steps = 14) => {
    for (let t = 0; t <= steps; t++) {
      if (t > 0) s.step();
      expect(s.getLastLr()).toHaveLength(1);
      expect(s.getLastLr()[0]).toBeCloseTo(f(t), 12);
      expect(o.lr).toBe(s.getLastLr()[0]);
      expect(s.lastEpoch).toBe(t);
    }
  };
  test('StepLR', () => {
    const o = opt();
    check(new wg.optim.lr.StepLR(o, { stepSize: 3, gamma: 0.5 }), o, (t) => 0.1 * 0.5 ** Math.floor(t / 3));
    const o2 = opt(1);
    check(new wg.optim.lr.StepLR(o2, { stepSize: 2 }), o2, (t) => 0.1 ** Math.floor(t / 2));
  });
  test('ExponentialLR', () => {
    const o = opt();
    check(new wg.optim.lr.ExponentialLR(o, { gamma: 0.9 }), o, (t) => 0.1 * 0.9 ** t);
  });
  test('CosineAnnealingLR (down to etaMin at tMax, back up after)', () => {
    const o = opt();
    const s = new wg.optim.lr.CosineAnnealingLR(o, { tMax: 10, etaMin: 0.01 });
    check(s, o, (t) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * t) / 10))) / 2);
    const o2 = opt();
    const s2 = new wg.optim.lr.CosineAnnealingLR(o2, { tMax: 4 });
    for (let t = 0; t < 4; t++) s2.step();
    expect(s2.getLastLr()[0]).toBeCloseTo(0, 15);
    s2.step(); // t = 5: cos(5π/4)
    expect(s2.getLastLr()[0]).toBeCloseTo((0.1 * (1 + Math.cos((5 * Math.PI) / 4))) / 2, 15);
  });
  test('LinearWarmup: startFactor·lr → lr over warmupSteps, then constant', () => {
    const o = opt();
    check(new wg.optim.lr.LinearWarmup(o, { warmupSteps: 4 }), o, (t) => (0.1 * Math.min(t, 4)) / 4);
    const o2 = opt();
    check(new wg.optim.lr.LinearWarmup(o2, { warmupSteps: 5, startFactor: 0.2 }), o2, (t) => 0.1 * (0.2 + (0.8 * Math.min(t, 5)) / 5));
    const o3 = opt();
    check(new wg.optim.lr.LinearWarmup(o3, { warmupSteps: 0 }), o3, () => 0.1, 3);
  });
  test('the optimizer steps with the scheduled learning rate', () => {
    for (const be of BACKENDS) {
      wg.setBackend(be);
      const p = wg.tensor([0], { requiresGrad: true });
      const o = new wg.optim.SGD([p], { lr: 1 });
      const s = new wg.optim.lr.StepLR(o, { stepSize: 1, gamma: 0.5 });
      for (let t = 0; t < 4; t++) {
        p.grad = wg.tensor([-1]);
        o.step();
        s.step();
      }
      expect(vals(p)[0]).toBeCloseTo(1 + 0.5 + 0.25 + 0.125, 6);
    }
  });
  test('scheduler state dict round trip', () => {
    const o = opt();
    const s = new wg.optim.lr.ExponentialLR(o, { gamma: 0.5 });
    s.step();
    s.step();
    const o2 = opt(7);
    const s2 = new wg.optim.lr.ExponentialLR(o2, { gamma: 0.5 });
    // as PyTorch: the scheduler's state holds the epoch, the optimizer's the lr
    s2.loadStateDict(s.stateDict());
    expect(s2.lastEpoch).toBe(2);
    expect(o2.lr).toBe(7);
    o2.loadStateDict(o.stateDict());
    expect(s2.getLastLr()[0]).toBeCloseTo(0.025, 15);
    s2.step();
    expect(o2.lr).toBeCloseTo(0.0125, 15);
    expect(() => s2.loadStateDict({ lastEpoch: -1, baseLrs: [0.1] })).toThrow(/lr\.ExponentialLR: loadStateDict: lastEpoch must be an integer ≥ 0/);
  });
  test('validation errors', () => {
    const o = opt();
    expect(() => new wg.optim.lr.StepLR(o, { stepSize: 0 })).toThrow(/optim\.lr\.StepLR: stepSize must be an integer ≥ 1, got 0/);
    expect(() => new wg.optim.lr.StepLR(o, {} as { stepSize: number })).toThrow(/StepLR: the option stepSize is required/);
    expect(() => new wg.optim.lr.StepLR(o, { stepSize: 2, gamma: -1 })).toThrow(/StepLR: gamma must be a finite number ≥ 0, got -1/);
    expect(() => new wg.optim.lr.ExponentialLR(o, { gamma: NaN })).toThrow(/ExponentialLR: gamma must/);
    expect(() => new wg.optim.lr.CosineAnnealingLR(o, { tMax: 2.5 })).toThrow(/CosineAnnealingLR: tMax must be an integer ≥ 1, got 2\.5/);
    expect(() => new wg.optim.lr.CosineAnnealingLR(o, { tMax: 5, etaMin: -1 })).toThrow(/CosineAnnealingLR: etaMin must/);
    expect(() => new wg.optim.lr.LinearWarmup(o, { warmupSteps: -1 })).toThrow(/LinearWarmup: warmupSteps must be an integer ≥ 0/);
    expect(() => new wg.optim.lr.LinearWarmup(o, { warmupSteps: 3, startFactor: 2 })).toThrow(/LinearWarmup: startFactor must be a number in \[0, 1\], got 2/);
    expect(() => new wg.optim.lr.LinearWarmup(o, { warmup: 3 } as unknown as { warmupSteps: number })).toThrow(/LinearWarmup: unknown option 'warmup'/);
    expect(() => new wg.optim.lr.StepLR(null as unknown as wg.optim.Optimizer, { stepSize: 1 })).toThrow(/StepLR: expects an optimizer/);
    expect(o.lr).toBe(0.1); // failed schedulers did not touch it
  });
});

// ---- convergence ----------------------------------------------------------------------------------------
describe('each optimizer minimises a quadratic', () => {
  // f(p) = ½ Σ a_i (p_i − c_i)², gradient a ⊙ (p − c), computed by autodiff from add/mul.
  const setups: [Kind, Opts, number][] = [
    ['SGD', { lr: 0.1 }, 150],
    ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true }, 150],
    ['Adam', { lr: 0.05 }, 300],
    ['AdamW', { lr: 0.05, weightDecay: 0 }, 300],
    ['RMSprop', { lr: 0.02, momentum: 0.5 }, 300],
    ['Adagrad', { lr: 0.5 }, 300],
  ];
  for (const be of BACKENDS)
    for (const [kind, o, steps] of setups)
      test(`${label(kind, o)} on ${be}`, () => {
        wg.setBackend(be);
        const n = 11;
        const a = data(5, n, 0.5, 2),
          c = data(6, n, -1, 1);
        const halfA = wg.tensor(a.map((x) => x / 2)),
          negC = wg.tensor(c.map((x) => -x)),
          seed = wg.ones([n]);
        const p = wg.tensor(data(8, n, -3, 3), { requiresGrad: true });
        const opt = make(kind, [p], o);
        const sched = new wg.optim.lr.CosineAnnealingLR(opt, { tMax: steps, etaMin: 0 });
        const dist = () => Math.max(...Array.from(vals(p)).map((x, i) => Math.abs(x - c[i])));
        const start = dist();
        for (let t = 0; t < steps; t++) {
          opt.zeroGrad();
          const d = p.add(negC);
          d.mul(d).mul(halfA).backward(seed);
          opt.step();
          sched.step();
        }
        expect(dist()).toBeLessThan(1e-2 * start);
      });
});
