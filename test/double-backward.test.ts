/**
 * createGraph: true (double backward). For every op with a vjp (src/ops/types.ts OpSpec.vjp), on
 * small cases of its own table tests: (a) the vjp's gradient equals the backward kernel's, on both
 * backends; (b) the gradient of a weighted sum of that gradient (a second derivative) equals
 * central differences of the kernel's gradient, in float64 on the reference backend. Then PyTorch
 * 1.13 values (PINN, WGAN-GP, Hessian-vector product) and the errors.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { apply } from '../src/engine/engine.js';
import { COMPOSITES, OPS } from '../src/ops/index.js';
import { sizeOf, type InputSpec, type TableOp } from '../src/ops/types.js';
import { CASE_STREAM_SEED, makeData, normErr, rng, runOp, wantsGrad } from './helpers/harness.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled } from './helpers/sin-fill.js';

beforeAll(async () => {
  await initWasm();
});

/** Up to k of the op's cases with at most 48 input elements, spread over its list. */
function smallCases(op: TableOp, k: number) {
  const small = op.tests.cases.filter((c) => c.inputs.reduce((s, i) => s + sizeOf(i.shape), 0) <= 48);
  if (small.length <= k) return small;
  return Array.from({ length: k }, (_, j) => small[Math.round((j * (small.length - 1)) / (k - 1))]);
}

const seedFor = (n: number) => Float64Array.from({ length: n }, (_, k) => Math.fround(Math.sin(1.3 * k + 0.7) + 0.25));
const weightFor = (n: number, i: number) => Float64Array.from({ length: n }, (_, k) => Math.fround(Math.cos(0.9 * k + i) - 0.1));

/** The op's inputs on the current backend, requiring grad where the harness checks a gradient. */
const tensorsOf = (op: TableOp, specs: InputSpec[], data: Float64Array[]) =>
  specs.map((s, i) => wg.tensor(data[i], { shape: s.shape, dtype: s.dtype ?? 'float32', requiresGrad: wantsGrad(op, specs, i) }));

/** The vjp's gradients (createGraph) of Σ seed·op(x), as values; and S = Σ_i weight_i·grad_i with its own gradient. */
function viaVjp(op: TableOp, specs: InputSpec[], data: Float64Array[], attrs: unknown) {
  const xs = tensorsOf(op, specs, data);
  wg.manualSeed(CASE_STREAM_SEED); // as runOp: dropout draws the kernel's mask
  const y = apply(op, xs, attrs ?? {});
  const wanted = xs.filter((x) => x.requiresGrad);
  const gs = wg.autograd.grad(y, wanted, { gradOutputs: wg.tensor(seedFor(y.size), { shape: y.shape }), createGraph: true, allowUnused: true });
  const first = gs.map((g) => (g === null ? null : Float64Array.from(g.rawValues())));
  const terms = gs.flatMap((g, i) => (g === null || g.size === 0 ? [] : [g.mul(wg.tensor(weightFor(g.size, i), { shape: g.shape })).sum()]));
  const s = terms.reduce((a, t) => a.add(t), wg.tensor(0));
  const second = s.requiresGrad ? wg.autograd.grad(s, wanted, { allowUnused: true }).map((g) => (g === null ? null : Float64Array.from(g.rawValues()))) : null;
  return { first, second };
}

/** Central differences of S (from the backward kernels' gradients), float64 on the reference backend. */
function secondByDifferences(op: TableOp, specs: InputSpec[], data: Float64Array[], attrs: unknown): Float64Array[] {
  const idx = specs.flatMap((_, i) => (wantsGrad(op, specs, i) ? [i] : []));
  const S = (vals: Float64Array[]) => {
    const { grads } = runOp('reference', op, specs, vals, attrs, seedFor);
    return idx.reduce((s, i, j) => {
      const w = weightFor(grads[i]!.length, j);
      return s + grads[i]!.reduce((a, v, k) => a + v * w[k], 0);
    }, 0);
  };
  return idx.map((i) =>
    Float64Array.from(data[i], (v, k) => {
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const at = (d: number) => S(data.map((arr, j) => (j === i ? Float64Array.from(arr, (x, m) => (m === k ? x + d : x)) : arr)));
      return (at(h) - at(-h)) / (2 * h);
    }),
  );
}

/** The vjp of op on case c: its first order vs the backward kernel on both backends, its second order vs central differences. */
function checkVjp(op: TableOp, c: TableOp['tests']['cases'][number], ci: number) {
  const u = rng(7000 + 97 * ci + op.name.length);
  const data = c.inputs.map((s) => makeData(s, u));
  for (const backend of ['reference', 'wasm'] as const) {
    const kernel = runOp(backend, op, c.inputs, data, c.attrs, seedFor).grads.filter((g, i) => wantsGrad(op, c.inputs, i));
    wg.setBackend(backend);
    const { first, second } = viaVjp(op, c.inputs, data, c.attrs);
    first.forEach((g, i) =>
      expect(normErr(g ?? new Float64Array(kernel[i]!.length), kernel[i]!), `${backend}: first order, input ${i}`).toBeLessThanOrEqual(
        backend === 'wasm' ? 1e-4 : 1e-12,
      ),
    );
    if (backend === 'wasm') continue;
    const fd = secondByDifferences(op, c.inputs, data, c.attrs);
    fd.forEach((d, i) => expect(normErr(second?.[i] ?? new Float64Array(d.length), d), `second order, input ${i}`).toBeLessThanOrEqual(2e-5));
  }
}

// Composites need no vjp of their own: these are written over ops that have one.
const COMPOSED = [
  'adaptiveAvgPool1d',
  'smoothL1Loss',
  'klDivLoss',
  'conv1d',
  'convTranspose1d',
  'relu6',
  'max',
  'min',
  'amax',
  'amin',
  'square',
  'silu',
  'logsumexp',
  'var',
  'std',
  'lerp',
  'pad',
  'addcmul',
  'addcdiv',
  'sum',
  'mean',
  'rmsNorm',
  'cosineEmbeddingLoss',
  'tripletMarginLoss',
  'softMarginLoss',
  'poissonNllLoss',
  'gaussianNllLoss',
  'multiMarginLoss',
  'multiLabelMarginLoss',
  'ctcLoss',
];
for (const op of [...OPS.filter((o) => o.vjp !== undefined && o.gradInputs.length > 0), ...COMPOSITES.filter((c) => COMPOSED.includes(c.name))]) {
  describe(`vjp of ${op.name}`, () => {
    smallCases(op, 5).forEach((c, ci) => {
      test(c.name ?? c.inputs.map((s) => `[${s.shape.join('x')}]`).join(' '), () => checkVjp(op, c, ci));
    });
  });
}

// Convolution and pool geometry beyond their small table cases: strides with leftover rows, groups,
// dilation, 'same' with an even kernel (one more padding after), outputPadding ≥ stride, ceilMode,
// the avgPool divisors, overlapping adaptive windows; the norms with several groups, positions and both affine tensors.
test.each([
  ['conv2d', [[2, 4, 5, 4], [4, 2, 3, 2], [4]], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 }],
  ['conv2d', [[1, 2, 5, 6], [3, 2, 2, 3], [3]], { padding: 'same', dilation: [1, 2] }],
  ['conv2d', [[1, 1, 7, 6], [2, 1, 2, 3], [2]], { stride: 3, padding: 1 }],
  ['convTranspose2d', [[2, 3, 3, 4], [3, 2, 3, 3], [2]], { stride: 2, padding: 1, outputPadding: 1 }],
  ['convTranspose2d', [[1, 4, 3, 5], [4, 3, 3, 2], [6]], { stride: [2, 1], padding: [1, 0], groups: 2, dilation: [1, 2] }],
  ['convTranspose2d', [[1, 2, 4, 3], [2, 2, 3, 3], [2]], { dilation: 2, outputPadding: 1 }],
  ['avgPool2d', [[1, 2, 5, 7]], { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ['avgPool2d', [[1, 1, 6, 5]], { kernel: [3, 2], stride: [2, 3], padding: [1, 0], divisorOverride: 4 }],
  ['avgPool2d', [[1, 1, 5, 5]], { kernel: 2, ceilMode: true }],
  ['maxPool2d', [[1, 2, 5, 6]], { kernel: 3, stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }],
  ['adaptiveAvgPool2d', [[2, 1, 5, 7]], { outputSize: [3, 4] }],
  [
    'layerNorm',
    [
      [2, 3, 4],
      [3, 4],
      [3, 4],
    ],
    { normalizedShape: [3, 4], weight: true, bias: true },
  ],
  ['groupNorm', [[2, 4, 3], [4], [4]], { numGroups: 2, weight: true, bias: true }],
  ['batchNorm', [[3, 2, 2], [2], [2]], { weight: true, bias: true, eps: 0.01 }],
  [
    'attention',
    [
      [2, 3, 4],
      [2, 5, 4],
      [2, 5, 3],
      [3, 5],
    ],
    { scale: 0.5, causal: false, mask: true },
  ],
  [
    'attention',
    [
      [2, 3, 4],
      [2, 5, 4],
      [2, 5, 3],
      [2, 1, 5],
    ],
    { scale: 0.7, causal: false, mask: true },
  ],
  ['interpolateBilinear', [[1, 2, 5, 3]], { scaleFactor: [1.7, 2.6], recomputeScaleFactor: true }],
  ['interpolateBilinear', [[1, 1, 5, 6]], { scaleFactor: [0.6, 3], alignCorners: true }],
  ['interpolateNearest', [[1, 2, 5, 5]], { scaleFactor: [1.1, 2.1] }],
  ['interpolateNearest', [[1, 1, 5, 5]], { scaleFactor: [1.1, 2.1], sizeShortcuts: true }],
  ['interpolateNearest', [[1, 2, 5, 7]], { size: [3, 17], exact: true }],
  ['interpolateBicubic', [[1, 2, 4, 5]], { size: [7, 3], alignCorners: true }],
  ['interpolateBicubic', [[2, 1, 3, 5]], { scaleFactor: [2.5, 0.5] }],
  ['attention', [[1, 5, 3], [1, 3, 3], [1, 3, 2], []], { scale: 0.6, causal: true, mask: false }],
  [
    'attention',
    [
      [2, 3, 7],
      [2, 4, 7],
      [2, 4, 7],
      [4, 1, 4],
    ],
    { scale: 0.7, causal: false, mask: true, heads: { count: 2, dim: 2, batchFirst: true, offsets: [3, 0, 1] } },
  ],
  [
    'attention',
    [[3, 2, 5], [3, 2, 5], [3, 2, 5], []],
    { scale: 0.7, causal: true, mask: false, heads: { count: 2, dim: 2, batchFirst: false, offsets: [1, 0, 1] } },
  ],
] as const)('vjp of %s: %j %j', (name, shapes, attrs) => {
  const op = OPS.find((o) => o.name === name)!;
  checkVjp(op, { inputs: shapes.map((shape) => ({ shape: [...shape] })), attrs }, 0);
});

// Every view copy's case (linear: the adjoint's first order is the whole check), and views that
// are no box: overlapping windows (unfold) and strides that are not multiples of each other.
test('vjp of copy: the adjoint of every view equals the backward kernel', () => {
  const copy = OPS.find((o) => o.name === 'copy')!;
  const odd = [
    { name: 'unfold [7] size 3 step 2', inputs: [{ shape: [7] }], attrs: { shape: [3, 3], strides: [2, 1] } },
    { name: 'strides 5 and 2', inputs: [{ shape: [12] }], attrs: { shape: [2, 2], strides: [5, 2], offset: 1 } },
    { name: 'reversed windows', inputs: [{ shape: [3, 4] }], attrs: { shape: [2, 3, 2], strides: [-4, 1, 1], offset: 5 } },
  ];
  [...copy.tests.cases, ...odd].forEach((c, ci) => {
    const u = rng(500 + ci);
    const data = c.inputs.map((s) => makeData(s, u));
    const kernel = runOp('reference', copy, c.inputs, data, c.attrs, seedFor).grads[0]!;
    expect(normErr(viaVjp(copy, c.inputs, data, c.attrs).first[0]!, kernel), c.name).toBeLessThanOrEqual(1e-12);
  });
});

describe('PyTorch 1.13 values', () => {
  const t = (v: number[] | number[][], requiresGrad = false) => wg.tensor(v, { requiresGrad });
  const close = (a: wg.Tensor | null, want: number[]) => expect(normErr(Float64Array.from(a!.data()), want)).toBeLessThanOrEqual(2e-6);
  beforeAll(() => wg.setBackend('wasm'));

  test('PINN: d²u/dx² of a tanh MLP (Linear, Tanh, Linear) at three points', () => {
    // W1 = [[0.5], [-1.2], [0.8], [1.5]]; b1 = [0.1, -0.3, 0.2, 0.0]; W2 = [[1.0, 0.7, -0.5, 0.3]]; b2 = [0.05]
    // u = F.linear(torch.tanh(F.linear(x, W1, b1)), W2, b2), x = [[-1.0], [0.3], [1.5]]
    // du, = torch.autograd.grad(u.sum(), x, create_graph=True); d2u, = torch.autograd.grad(du.sum(), x)
    const mlp = new wg.nn.Sequential(new wg.nn.Linear(1, 4), new wg.nn.Tanh(), new wg.nn.Linear(4, 1));
    wg.noGrad(() => {
      (mlp.at(0) as wg.nn.Linear).weight.copy_(t([[0.5], [-1.2], [0.8], [1.5]]));
      (mlp.at(0) as wg.nn.Linear).bias!.copy_(t([0.1, -0.3, 0.2, 0.0]));
      (mlp.at(2) as wg.nn.Linear).weight.copy_(t([[1.0, 0.7, -0.5, 0.3]]));
      (mlp.at(2) as wg.nn.Linear).bias!.copy_(t([0.05]));
    });
    const x = t([[-1.0], [0.3], [1.5]], true);
    const [du] = wg.autograd.grad(mlp.forward(x).sum(), x, { createGraph: true });
    close(du, [-0.18450433015823364, -0.05066782236099243, 0.14540241658687592]);
    const [d2u] = wg.autograd.grad(du!.sum(), x);
    close(d2u, [-0.5643497705459595, 0.41209590435028076, -0.0015169009566307068]);
  });

  // V1 = [[0.2, -0.4, 0.6], [0.5, 0.1, -0.3], [-0.7, 0.8, 0.2], [0.3, 0.3, 0.9]]; c1 = [0.1, -0.2, 0.05, 0.0]
  // V2 = [[0.6, -0.5, 0.4, 0.8]]; c2 = [-0.1]; x = [[0.5, -1.0, 0.25], [1.5, 0.3, -0.7]]
  // D = lambda z: F.linear(F.leaky_relu(F.linear(z, V1, c1), 0.2), V2, c2)
  // g, = torch.autograd.grad(D(x).sum(), x, create_graph=True); gp = ((g.norm(2, dim=1) - 1) ** 2).mean(); gp.backward()
  // (c1.grad is zeros, c2.grad None: no path from them to gp)
  const WGAN = {
    gp: 0.16434478759765625,
    V1: [
      0.055087074637413025, 0.0022931380663067102, 0.03450838103890419, -0.14746807515621185, 0.007891387678682804, 0.2199990451335907, 0.025783197954297066,
      -0.0007973919855430722, -0.025498945266008377, 0.07344943284988403, 0.0030575175769627094, 0.04601116478443146,
    ],
    V2: [0.051341984421014786, 0.277889221906662, -0.059464845806360245, 0.08045267313718796],
  };
  function critic() {
    const D = new wg.nn.Sequential(new wg.nn.Linear(3, 4), new wg.nn.LeakyReLU(0.2), new wg.nn.Linear(4, 1));
    wg.noGrad(() => {
      (D.at(0) as wg.nn.Linear).weight.copy_(
        t([
          [0.2, -0.4, 0.6],
          [0.5, 0.1, -0.3],
          [-0.7, 0.8, 0.2],
          [0.3, 0.3, 0.9],
        ]),
      );
      (D.at(0) as wg.nn.Linear).bias!.copy_(t([0.1, -0.2, 0.05, 0.0]));
      (D.at(2) as wg.nn.Linear).weight.copy_(t([[0.6, -0.5, 0.4, 0.8]]));
      (D.at(2) as wg.nn.Linear).bias!.copy_(t([-0.1]));
    });
    return D;
  }
  const penalty = (D: wg.nn.Sequential, x: wg.Tensor) => {
    const [g] = wg.autograd.grad(D.forward(x).sum(), x, { createGraph: true });
    return g!.norm(2, 1).sub(1).pow(2).mean();
  };
  const xs = () =>
    t(
      [
        [0.5, -1.0, 0.25],
        [1.5, 0.3, -0.7],
      ],
      true,
    );

  test('WGAN-GP: the penalty ((‖∇ₓD(x)‖₂ − 1)²).mean() and its gradient w.r.t. D’s weights', () => {
    const D = critic();
    const gp = penalty(D, xs());
    expect(gp.item()).toBeCloseTo(WGAN.gp, 6);
    gp.backward();
    close((D.at(0) as wg.nn.Linear).weight.grad, WGAN.V1);
    close((D.at(2) as wg.nn.Linear).weight.grad, WGAN.V2);
    expect((D.at(2) as wg.nn.Linear).bias!.grad).toBe(null);
  });

  test('WGAN-GP inside wg.compile: the recorded step (penalty, backward, SGD) equals the eager one', () => {
    const run = (compiled: boolean) => {
      const D = critic();
      const opt = new wg.optim.SGD(D.parameters(), { lr: 0.1 });
      const step = (x: wg.Tensor) => {
        opt.zeroGrad();
        const gp = penalty(D, x);
        gp.backward();
        opt.step();
        return gp;
      };
      const f = compiled ? wg.compile(step) : step;
      const losses = [0, 1, 2].map(() => f(xs()).item());
      if (compiled) expect((f as ReturnType<typeof wg.compile>).replayInfo()[0].mode).toBe('fast'); // replayed, not re-run in JavaScript
      return { losses, w: Array.from((D.at(0) as wg.nn.Linear).weight.data()) };
    };
    const eager = run(false),
      compiled = run(true);
    expect(eager.losses[0]).toBeCloseTo(WGAN.gp, 6);
    compiled.losses.forEach((l, i) => expect(l).toBeCloseTo(eager.losses[i], 6));
    expect(normErr(compiled.w, eager.w)).toBeLessThanOrEqual(1e-6);
  });

  // A CNN critic: W = torch.tensor([0.1 * ((i * 7) % 11 - 5) for i in range(18)]).reshape(2, 1, 3, 3); b = [0.1, -0.2]
  // V = torch.tensor([[0.1 * ((i * 5) % 9 - 4) for i in range(8)]]); c = [0.05]
  // x = torch.tensor([((i * 3) % 13 - 6) / 6 for i in range(32)]).reshape(2, 1, 4, 4)
  // D = lambda z: F.linear(F.avg_pool2d(F.leaky_relu(F.conv2d(z, W, b, padding=1), 0.2), 2).flatten(1), V, c)
  // g, = torch.autograd.grad(D(x).sum(), x, create_graph=True); gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean(); gp.backward()
  // (b.grad is zeros, c.grad None)
  const CNN = {
    gp: 0.6250832080841064,
    W: [
      -0.12253540009260178, -0.06404001265764236, 0.14790068566799164, -0.20808276534080505, -0.04761562496423721, 0.23706990480422974, -0.19280269742012024,
      -0.018117306753993034, 0.21793924272060394, -0.0626651868224144, -0.030471960082650185, 0.029911722987890244, -0.09196384251117706, -0.05319435894489288,
      0.023580297827720642, -0.08173994719982147, -0.08552651107311249, 0.01139833964407444,
    ],
    V: [
      0.4278411865234375, -0.13810335099697113, 0.34494179487228394, -0.18455883860588074, -0.0593256950378418, 0.018507668748497963, 0.146407350897789,
      -0.01851343736052513,
    ],
  };
  function cnnCritic() {
    const D = new wg.nn.Sequential(
      new wg.nn.Conv2d(1, 2, 3, { padding: 1 }),
      new wg.nn.LeakyReLU(0.2),
      new wg.nn.AvgPool2d(2),
      new wg.nn.Flatten(),
      new wg.nn.Linear(8, 1),
    );
    const conv = D.at(0) as wg.nn.Conv2d,
      lin = D.at(4) as wg.nn.Linear;
    wg.noGrad(() => {
      conv.weight.copy_(
        wg.tensor(
          Array.from({ length: 18 }, (_, i) => 0.1 * (((i * 7) % 11) - 5)),
          { shape: [2, 1, 3, 3] },
        ),
      );
      conv.bias!.copy_(t([0.1, -0.2]));
      lin.weight.copy_(
        wg.tensor(
          Array.from({ length: 8 }, (_, i) => 0.1 * (((i * 5) % 9) - 4)),
          { shape: [1, 8] },
        ),
      );
      lin.bias!.copy_(t([0.05]));
    });
    return { D, conv, lin };
  }
  const images = () =>
    wg.tensor(
      Array.from({ length: 32 }, (_, i) => (((i * 3) % 13) - 6) / 6),
      { shape: [2, 1, 4, 4], requiresGrad: true },
    );
  const cnnPenalty = (D: wg.nn.Sequential, x: wg.Tensor) => {
    const [g] = wg.autograd.grad(D.forward(x).sum(), x, { createGraph: true });
    return g!.flatten(1).norm(2, 1).sub(1).pow(2).mean();
  };

  test('WGAN-GP of a CNN critic (Conv2d, LeakyReLU, AvgPool2d, Flatten, Linear), eager and compiled', () => {
    const { D, conv, lin } = cnnCritic();
    const gp = cnnPenalty(D, images());
    expect(gp.item()).toBeCloseTo(CNN.gp, 6);
    gp.backward();
    close(conv.weight.grad, CNN.W);
    expect(conv.bias!.grad).toBe(null); // reached only through LeakyReLU's mask: README's rule (torch: zeros)
    close(lin.weight.grad, CNN.V);
    expect(lin.bias!.grad).toBe(null);
    const c = cnnCritic();
    const step = wg.compile((x: wg.Tensor) => {
      const p = cnnPenalty(c.D, x);
      p.backward();
      return p;
    });
    [0, 1].forEach(() => {
      c.D.zeroGrad();
      expect(step(images()).item()).toBeCloseTo(CNN.gp, 6);
      close(c.conv.weight.grad, CNN.W);
      close(c.lin.weight.grad, CNN.V);
    });
  });

  // A = [[1.0, 0.5, -0.2, 0.0], [0.3, 2.0, 0.1, -0.4], [0.0, -0.6, 1.5, 0.2], [0.7, 0.0, 0.3, 0.9]]
  // f = lambda z: (z @ (A @ z)) + (torch.softmax(z, 0) * torch.sin(z)).sum() + torch.exp(z).mul(z.pow(2)).sum()
  // x = [0.4, -0.8, 1.1, 0.2], v = [1.0, -0.5, 0.25, 2.0]
  // g, = torch.autograd.grad(f(x), x, create_graph=True); hv, = torch.autograd.grad((g * v).sum(), x)
  // (torch.autograd.functional.hvp / vhp give the same; hessian(f, x) is H)
  const A = [
    [1.0, 0.5, -0.2, 0.0],
    [0.3, 2.0, 0.1, -0.4],
    [0.0, -0.6, 1.5, 0.2],
    [0.7, 0.0, 0.3, 0.9],
  ];
  const f = (z: wg.Tensor) =>
    z
      .matmul(t(A).matmul(z))
      .add(z.softmax(0).mul(z.sin()).sum())
      .add(z.exp().mul(z.pow(2)).sum());
  const HV = [8.601821899414062, -2.044857978820801, 6.9904465675354, 11.925803184509277];
  const v = [1.0, -0.5, 0.25, 2.0];

  test('Hessian-vector product by grad of grad, and autograd.functional.hessian / hvp / vhp', () => {
    const x = t([0.4, -0.8, 1.1, 0.2], true);
    const [g] = wg.autograd.grad(f(x), x, { createGraph: true });
    close(wg.autograd.grad(g!.mul(t(v)).sum(), x)[0], HV);
    const H = wg.autograd.functional.hessian(f, t([0.4, -0.8, 1.1, 0.2])) as wg.Tensor;
    expect(H.shape).toEqual([4, 4]);
    close(
      H,
      [
        7.837148666381836, 0.7954357266426086, -0.3914361894130707, 0.6301248669624329, 0.7954357266426086, 3.818039655685425, -0.5104097127914429,
        -0.4018356502056122, -0.3914361596107483, -0.5104097127914429, 25.658899307250977, 0.35597699880599976, 0.6301249265670776, -0.4018356502056122,
        0.35597699880599976, 5.502883434295654,
      ],
    );
    for (const product of [wg.autograd.functional.hvp, wg.autograd.functional.vhp]) {
      const [out, hv] = product(f, t([0.4, -0.8, 1.1, 0.2]), t(v));
      expect(out.requiresGrad).toBe(false);
      close(hv as wg.Tensor, HV);
    }
  });
});

test('the Hessian of crossEntropy w.r.t. the logits (PyTorch 1.13)', () => {
  wg.setBackend('wasm');
  // x = [[0.5, -1.0, 2.0], [0.1, 0.3, -0.7]]; y = [0, 2]
  // torch.autograd.functional.hessian(lambda z: F.cross_entropy(z, y), x)
  const labels = wg.tensor([0, 2], { dtype: 'int32' });
  const H = wg.autograd.functional.hessian(
    (z) => wg.nn.functional.crossEntropy(z, labels),
    wg.tensor([
      [0.5, -1.0, 2.0],
      [0.1, 0.3, -0.7],
    ]),
  ) as wg.Tensor;
  expect(H.shape).toEqual([2, 3, 2, 3]);
  const want = [
    0.0722818374633789, -0.0034280288964509964, -0.06885380297899246, 0, 0, 0, -0.0034280288964509964, 0.01879138872027397, -0.015363359823822975, 0, 0, 0,
    -0.06885380297899246, -0.015363359823822975, 0.08421716839075089, 0, 0, 0, 0, 0, 0, 0.11711598932743073, -0.08561865240335464, -0.03149734437465668, 0, 0,
    0, -0.08561865240335464, 0.12408959120512009, -0.03847094252705574, 0, 0, 0, -0.03149734437465668, -0.03847094252705574, 0.06996828317642212,
  ];
  expect(normErr(Float64Array.from(H.data()), want)).toBeLessThanOrEqual(2e-6);
});

// PyTorch 1.13 (test/fixtures/double-backward-torch.py, float64): ∂f/∂x_i and the second derivative
// ∂(Σ_i g_i·v_i)/∂x_i, v_i[k] = cos(0.9k + i) − 0.1, through prod and cumprod with zeros,
// logcumsumexp, tril/triu, an RMS norm and the loss composites; on both backends.
interface TorchCase {
  y: number;
  g: number[][];
  hv: number[][] | null;
}
const TORCH = JSON.parse(readFileSync(new URL('./fixtures/double-backward-torch.json', import.meta.url), 'utf8')) as Record<string, TorchCase>;
const x1 = [
    [0.5, -1.0, 2.0],
    [0.25, -3.0, 1.5],
    [1.0, 0.75, -0.5],
  ],
  x2 = [
    [0.4, 1.0, -0.6],
    [1.25, -0.5, 0.5],
    [0.9, 0.8, -0.4],
  ];
const W25 = [
  [0.3, -0.7, 1.1, 0.4, -0.2],
  [0.9, 0.1, -0.6, 0.5, 1.2],
];
const weighted = (y: wg.Tensor, w: number[] | number[][]) => y.mul(wg.tensor(w)).sum();
const rms = (x: wg.Tensor, w: wg.Tensor) => wg.nn.functional.rmsNorm(x, 5, { weight: w, eps: 1e-5 });
/** An input: its values, or the fixtures' sin fill of a shape with a scale (test/helpers/sin-fill.ts). */
type TorchInput = number[] | number[][] | { sin: [number[], number] };
const SDPA_MASK = [
  [0.0, -1.0, 0.5, 0.0, 0.2],
  [0.3, 0.0, 0.0, -0.5, 0.0],
  [0.0, 0.1, -0.2, 0.0, 0.4],
];
const sdpa = (q: wg.Tensor, k: wg.Tensor, v: wg.Tensor) => wg.nn.functional.scaledDotProductAttention(q, k, v, { attnMask: wg.tensor(SDPA_MASK) });
function selfAttention(x: wg.Tensor): wg.Tensor {
  const mha = new wg.nn.MultiheadAttention(4, 2);
  loadSinStateDict(mha);
  const causal = wg.triu(wg.full([3, 3], -Infinity), 1);
  return (mha.forward(x, x, x, { attnMask: causal, needWeights: false })[0] as wg.Tensor).pow(2).sum();
}
/** Σ interpolate(x)³: interpolate is linear, the cube gives it a second derivative. */
const cubed = (o: wg.InterpolateOptions) => (x: wg.Tensor) => wg.nn.functional.interpolate(x, o).pow(3).sum();
const TORCH_CASES: [string, (...xs: wg.Tensor[]) => wg.Tensor, TorchInput[]][] = [
  [
    'prod_dim',
    (x) => weighted(x.prod(1), [0.3, -0.7, 1.1]),
    [
      [
        [0.5, 1.25, -2.0, 0.75],
        [1.5, 0.0, -0.5, 2.0],
        [0.0, 1.5, 0.0, -1.25],
      ],
    ],
  ],
  ['prod_one_zero', (x) => x.prod(), [[0.5, -1.25, 0.0, 2.0, 0.75]]],
  [
    'prod_no_zero',
    (x) => x.prod(0).pow(2).sum(),
    [
      [
        [0.5, -1.25],
        [1.5, 0.75],
        [-0.5, 2.0],
      ],
    ],
  ],
  [
    'cumprod_zeros',
    (x) => weighted(x.cumprod(1), W25),
    [
      [
        [0.5, 0.0, 1.5, -2.0, 0.75],
        [1.25, -0.5, 0.0, 0.0, 2.0],
      ],
    ],
  ],
  [
    'cumprod_dim0',
    (x) =>
      weighted(
        x.cumprod(0),
        [0, 1, 2, 3, 4].map((k) => [W25[0][k], W25[1][k]]),
      ),
    [
      [
        [0.5, 1.5],
        [-1.25, 0.75],
        [2.0, -0.5],
        [0.8, 1.1],
        [-0.9, 0.6],
      ],
    ],
  ],
  [
    'logcumsumexp',
    (x) => weighted(x.logcumsumexp(1), W25),
    [
      [
        [0.5, -1.0, 2.0, 0.25, -3.0],
        [10.0, 9.5, -2.0, 12.0, 11.0],
      ],
    ],
  ],
  ['tril', (x) => x.tril(-1).pow(3).sum().add(x.triu(1).pow(2).sum()), [x1.map((r, i) => r.map((v, j) => (i === 2 && j === 0 ? 1.0 : v)))]],
  [
    'rms_norm',
    (x, w) => weighted(rms(x, w), W25).add(rms(x, w).pow(2).sum()),
    [
      [
        [0.5, -1.0, 2.0, 0.25, -3.0],
        [1.0, 0.5, -2.0, 1.5, 0.1],
      ],
      [0.9, 1.1, -0.8, 1.3, 0.6],
    ],
  ],
  ['cosine_embedding', (a, b) => wg.losses.cosineEmbedding(a, b, wg.tensor([1, -1, 1]), { margin: -0.5 }), [x1, x2]],
  [
    'gaussian_nll',
    (i, v) => wg.losses.gaussianNll(i, wg.tensor(x2), v),
    [
      x1,
      [
        [0.5, 1.5, 0.8],
        [2.0, 0.3, 1.2],
        [0.7, 0.9, 1.1],
      ],
    ],
  ],
  [
    'poisson_nll',
    (i) =>
      wg.losses.poissonNll(
        i,
        wg.tensor([
          [1, 0, 3],
          [2, 5, 1],
          [0, 4, 2],
        ]),
      ),
    [x1],
  ],
  [
    'soft_margin',
    (i) =>
      wg.losses.softMargin(
        i,
        wg.tensor([
          [1, -1, 1],
          [-1, -1, 1],
          [1, 1, -1],
        ]),
      ),
    [x1],
  ],
  ['multi_margin_p2', (i) => wg.losses.multiMargin(i, wg.tensor([2, 0, 1], { dtype: 'int32' }), { p: 2, margin: 1.6 }), [x1]],
  [
    'triplet_margin',
    (a, p, n) => wg.losses.tripletMargin(a, p, n, { margin: 3 }),
    [
      x1,
      x2,
      [
        [0.1, 0.2, -0.3],
        [0.6, -0.1, 0.2],
        [-0.4, 0.5, 0.3],
      ],
    ],
  ],
  [
    'sdpa',
    (q, k, v) =>
      sdpa(q, k, v)
        .pow(2)
        .sum()
        .add(sdpa(q, k, v).mul(0.3).sum()),
    [{ sin: [[2, 3, 4], 1.0] }, { sin: [[2, 5, 4], 1.3] }, { sin: [[2, 5, 3], 1.7] }],
  ],
  ['mha', selfAttention, [{ sin: [[3, 2, 4], 0.8] }]],
  ['interp_bilinear', cubed({ size: [5, 7], mode: 'bilinear' }), [{ sin: [[1, 2, 3, 4], 0.9] }]],
  ['interp_bicubic', cubed({ scaleFactor: 1.5, mode: 'bicubic', alignCorners: true }), [{ sin: [[1, 1, 4, 3], 1.1] }]],
  ['interp_nearest', cubed({ scaleFactor: [2, 0.5], mode: 'nearest' }), [{ sin: [[1, 2, 3, 4], 0.7] }]],
];

/** The first and second derivatives as the fixture defines them, on the current backend. */
function secondOrder(f: (...xs: wg.Tensor[]) => wg.Tensor, values: TorchInput[]) {
  const xs = values.map((v) => (Array.isArray(v) ? wg.tensor(v, { requiresGrad: true }) : sinFilled(...v.sin)));
  const y = f(...xs);
  const gs = wg.autograd.grad(y, xs, { createGraph: true });
  const s = gs.map((g, i) =>
    g!
      .mul(
        wg.tensor(
          Array.from({ length: g!.size }, (_, k) => Math.cos(0.9 * k + i) - 0.1),
          { shape: g!.shape },
        ),
      )
      .sum(),
  );
  const hv = wg.autograd.grad(
    s.reduce((a, t) => a.add(t)),
    xs,
    { allowUnused: true },
  );
  return {
    y: y.item(),
    g: gs.map((g) => Array.from(g!.rawValues())),
    hv: hv.map((h, i) => (h === null ? new Array<number>(xs[i].size).fill(0) : Array.from(h.rawValues()))),
  };
}

describe.each(['reference', 'wasm'] as const)('PyTorch 1.13 second derivatives (%s)', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  test.each(TORCH_CASES)('%s', (name, f, values) => {
    const want = TORCH[name];
    const got = secondOrder(f, values);
    const tol = backend === 'wasm' ? 2e-5 : 2e-6; // float32 inputs (0.3, 0.1… rounded) against torch's float64
    expect(normErr([got.y], [want.y]), 'value').toBeLessThanOrEqual(tol);
    got.g.forEach((g, i) => expect(normErr(g, want.g[i]), `first order, input ${i}`).toBeLessThanOrEqual(tol));
    got.hv.forEach((h, i) => expect(normErr(h, want.hv![i]), `second order, input ${i}`).toBeLessThanOrEqual(tol));
  });

  // PyTorch's prod backward gives zeros without a graph where a segment holds two zeros (its second
  // derivative there is missing); the product of the others as prefix·suffix products keeps the true
  // one: ∂²Π/∂x₁∂x₃ = x₀·x₂·x₄ = −1.5 at x = [0.5, 0, 1.5, 0, −2], every other entry 0.
  test('prod with two zeros: first order 0 (as torch), second order the true Hessian', () => {
    const got = secondOrder((x) => x.prod(), [[0.5, 0.0, 1.5, 0.0, -2.0]]);
    expect(normErr(got.g[0], TORCH.prod_two_zeros.g[0])).toBe(0);
    const v = (k: number) => Math.cos(0.9 * k) - 0.1;
    expect(normErr(got.hv[0], [0, -1.5 * v(3), 0, -1.5 * v(1), 0])).toBeLessThanOrEqual(1e-6);
  });
});

// Dropout in training: torch's mask cannot be matched, so a penalty through a fixed mask (one seed
// per evaluation) is checked against central differences of the first-order gradients (the kernels),
// in float64 on the reference backend; then WASM, a freed first graph, and wg.compile against eager.
describe('double backward through dropout in training', () => {
  const W = [0.7, -1.1, 0.4],
    X = [0.3, -0.8, 1.2, 0.5, 0.9, -0.4, -1.5, 0.2, 0.6, 1.1, -0.3, 0.8, 0.05, -0.6, 1.4];
  const data = () => wg.tensor(X, { shape: [5, 3], requiresGrad: true });
  /** gp = Σ (∂L/∂x)², L = Σ tanh(dropout(x·w, 0.4))²: the mask multiplies ∂L/∂x, and gp depends on w through it. */
  const penalty = (w: wg.Tensor, x: wg.Tensor, createGraph: boolean) => {
    const L = wg.dropout(x.mul(w), 0.4, true).tanh().pow(2).sum();
    const [g] = wg.autograd.grad(L, x, { createGraph });
    return { gp: g!.pow(2).sum(), g: g! };
  };
  const dGpDw = () => {
    wg.manualSeed(11);
    const w = wg.tensor(W, { requiresGrad: true });
    const { gp, g } = penalty(w, data(), true);
    expect(g.requiresGrad).toBe(true);
    const masked = Array.from(g.data()).filter((v) => v === 0).length;
    expect(masked).toBeGreaterThan(0); // the mask dropped some entries, and kept others
    expect(masked).toBeLessThan(15);
    gp.backward();
    return Array.from(w.grad!.rawValues());
  };

  test('∂gp/∂w equals central differences of the kernels’ gp (float64), on both backends', () => {
    wg.setBackend('reference');
    const fd = W.map((_, k) => {
      const at = (d: number) => {
        wg.manualSeed(11);
        return penalty(wg.tensor(W.map((v, j) => (j === k ? v + d : v))), data(), false).gp.item();
      };
      return (at(1e-6) - at(-1e-6)) / 2e-6;
    });
    expect(normErr(dGpDw(), fd)).toBeLessThanOrEqual(1e-6);
    wg.setBackend('wasm');
    expect(normErr(dGpDw(), fd)).toBeLessThanOrEqual(1e-4);
  });

  test('inside wg.compile each replay draws a new mask, as eager steps do', () => {
    wg.setBackend('wasm');
    const run = (compiled: boolean) => {
      const w = wg.tensor(W, { requiresGrad: true });
      const step = (x: wg.Tensor) => {
        w.grad = null;
        const { gp } = penalty(w, x, true);
        gp.backward();
        return gp;
      };
      const f = compiled ? wg.compile(step) : step;
      wg.manualSeed(5);
      return [0, 1, 2].map(() => [f(data()).item(), ...Array.from(w.grad!.data())]);
    };
    const eager = run(false),
      compiled = run(true);
    expect(new Set(eager.map((r) => r[0])).size).toBe(3); // three masks
    compiled.forEach((r, i) => expect(normErr(r, eager[i])).toBeLessThanOrEqual(1e-6));
  });
});

describe('errors', () => {
  beforeAll(() => wg.setBackend('wasm'));

  test('an op without a vjp is named, checked before anything runs: the graph stays usable', () => {
    const rnn = new wg.nn.RNN(1, 1, { bias: false });
    rnn.loadStateDict({ weight_ih_l0: wg.tensor([[2]]), weight_hh_l0: wg.tensor([[0.5]]) });
    const x = wg.tensor([[[0.5]]], { requiresGrad: true });
    const y = (rnn.forward(x)[0] as wg.Tensor).sum(); // tanh(2x) at one step
    expect(() => wg.autograd.grad(y, x, { createGraph: true })).toThrow(
      /wasmgrad\.autograd\.grad: createGraph: true needs the gradient of rnnSequence as ops; rnnSequence has none yet \(supported: add, sub, mul, div/,
    );
    expect(() => y.backward(undefined, { createGraph: true })).toThrow(/wasmgrad\.backward: createGraph: true needs the gradient of rnnSequence/);
    expect(x.grad).toBe(null);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * (1 - Math.tanh(1) ** 2), 6); // by hand
  });

  test('tensor hooks and retainGrad are refused with createGraph; a seed of the wrong shape too', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(x);
    h.retainGrad();
    expect(() => wg.autograd.grad(h.sum(), x, { createGraph: true })).toThrow(/does not run tensor hooks or retainGrad/);
    const z = x.exp();
    expect(() => wg.autograd.grad(z, x, { createGraph: true, gradOutputs: wg.tensor([1, 2, 3]) })).toThrow(
      /seed shape \[3\] does not match tensor shape \[2\]/,
    );
    expect(() => wg.autograd.functional.hessian((a) => a.exp(), wg.tensor([1, 2]))).toThrow(
      /must return a single one-element Tensor, got a tensor of shape \[2\]/,
    );
  });

  test('backward() with createGraph: .grad has a graph and accumulates; inside wg.compile it is a CompileError', () => {
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    x.pow(2).sum().backward(undefined, { createGraph: true });
    expect(Array.from(x.grad!.data())).toEqual([5, 16, 33]); // 3x² + 2x
    const [h] = wg.autograd.grad(x.grad!.sum(), x); // 6x + 2
    expect(Array.from(h!.data())).toEqual([8, 14, 20]);
    const w = wg.tensor([1, 2], { requiresGrad: true });
    expect(() => wg.compile((a: wg.Tensor) => a.mul(w).sum().backward(undefined, { createGraph: true }))(wg.ones([2]))).toThrow(
      /backward\(\) with createGraph: true cannot run inside wg.compile/,
    );
  });
});
