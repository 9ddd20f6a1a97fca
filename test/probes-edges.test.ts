/**
 * Regressions from the differential edge probe of tensor ops against PyTorch 1.13 (campaign p18:
 * ~3,300 probes of zero-size dims, 0-d tensors, NaN/±∞, int32 promotion, broadcasting corners and
 * bad inputs, run through torch and both backends and diffed). The fixes (torch.norm's ±∞-norm of
 * no elements, norm(x, 0)'s gradient, var's where N ≤ correction, median()'s of ±∞, smoothL1's slope at β = 0, logit's gradient at and beyond 0
 * and 1, sinc's at huge |x|; then mish, softsign, acosh and asinh at ±∞ and huge |x|, cumprod with NaN
 * and ±∞, lgamma and digamma at +∞, copysign at ±∞ and NaN, xlogy, xlog1py and entr at their
 * degenerate points, prod's with one zero and a ±∞ or NaN) and the edges they were found among are pinned here with PyTorch's
 * literals, on both backends. The differences left on purpose are listed in the README's rules.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const flat = (t: wg.Tensor) => Array.from(t.data());
/** ±∞ and NaN exactly where expected, the finite elements within tol (the sign of a zero not compared). */
const near = (actual: number[], expected: number[], tol = 1e-6) => {
  const finite = expected.map(Number.isFinite);
  expect(actual.map((v, i) => (finite[i] ? 0 : v))).toEqual(expected.map((e, i) => (finite[i] ? 0 : e)));
  expectClose(
    actual.map((v, i) => (finite[i] ? v : 0)),
    expected.map((e, i) => (finite[i] ? e : 0)),
    tol,
  );
};
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
/** Segments along dim 1 of the rows as written (contiguous) and along dim 0 of their transpose (strided). */
const ROWS_AND_COLUMNS = [
  [1, (m: number[][]) => m],
  [0, transpose],
] as const;
const NaN_ = Number.NaN,
  inf = Infinity;

describe.each(['wasm', 'reference'] as const)('edge probes against PyTorch 1.13 (%s backend)', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  afterAll(() => wg.setBackend('wasm'));

  test('torch.norm: the ±∞-norm of no elements is 0 (linalg.vectorNorm still refuses it)', () => {
    // torch.norm(torch.empty(0), inf) -> tensor(0.)
    const n = wg.norm(wg.zeros([0]), Infinity);
    expect(n.shape).toEqual([]);
    expect(flat(n)).toEqual([0]);
    // torch.norm(torch.empty(3, 0), -inf, dim=1) -> tensor([0., 0., 0.]); keepdim=True -> [3, 1]
    expect(flat(wg.norm(wg.zeros([3, 0]), -Infinity, 1))).toEqual([0, 0, 0]);
    expect(wg.zeros([3, 0]).norm(Infinity, 1, true).shape).toEqual([3, 1]);
    expect(wg.norm(wg.zeros([3, 0]), Infinity, 0).shape).toEqual([0]);
    // e = torch.empty(3, 0, requires_grad=True); torch.norm(e, inf).backward(); e.grad.shape -> [3, 0]
    const e = wg.zeros([3, 0]).requiresGrad_(true);
    wg.norm(e, Infinity).backward();
    expect(e.grad!.shape).toEqual([3, 0]);
    // torch.linalg.vector_norm(torch.empty(0), inf): "cannot compute the inf norm on an empty tensor"
    expect(() => wg.linalg.vectorNorm(wg.zeros([0]), { ord: Infinity })).toThrow(wg.ShapeError);
    // a bad dim is still named as the norm's
    expect(() => wg.norm(wg.zeros([3, 0]), Infinity, 2)).toThrow(/^wasmgrad\.norm: dim 2 is out of range for a tensor of shape \[3, 0\]/);
  });

  test('norm(x, 0) counts nonzeros and passes gradient 0, NaN and ±∞ included', () => {
    // x = torch.tensor([[1., 0., inf], [nan, -2., 0.]], requires_grad=True); torch.norm(x, 0, 1) -> [2., 2.]
    // (grad_fn NormBackward1); (torch.norm(x, 0, 1).sum() + x.sum()).backward() -> x.grad all ones
    const x = wg.tensor(
      [
        [1, 0, inf],
        [NaN_, -2, 0],
      ],
      { requiresGrad: true },
    );
    const n = wg.norm(x, 0, 1);
    expect([flat(n), n.requiresGrad]).toEqual([[2, 2], true]);
    n.sum().add(x.sum()).backward();
    expect(flat(x.grad!)).toEqual([1, 1, 1, 1, 1, 1]);
    // torch.norm(x, 0) -> 4
    expect(flat(wg.norm(x, 0))).toEqual([4]);
  });

  test("var where N ≤ correction: ∞ or NaN, and PyTorch's gradient 2(x − mean)/0", () => {
    // x = torch.tensor([[1., 5., 5.], [-2., 0., 7.]], requires_grad=True); y = torch.var(x, 0, correction=2)
    // -> [inf, inf, inf]; (y * torch.tensor([1., 2., 3.])).sum().backward() -> [[inf, inf, -inf], [-inf, -inf, inf]]
    const x = wg.tensor(
      [
        [1, 5, 5],
        [-2, 0, 7],
      ],
      { requiresGrad: true },
    );
    const y = wg.var(x, 0, { correction: 2 });
    expect(flat(y)).toEqual([inf, inf, inf]);
    y.mul(wg.tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(flat(x.grad!)).toEqual([inf, inf, -inf, -inf, -inf, inf]);
    // z = torch.tensor([[1., 1.], [1., 0.]], requires_grad=True); torch.var(z, 1, correction=2) -> [nan, inf],
    // .sum().backward() -> [[nan, nan], [inf, -inf]]
    const z = wg.tensor(
      [
        [1, 1],
        [1, 0],
      ],
      { requiresGrad: true },
    );
    const v = wg.var(z, 1, { correction: 2 });
    expect(flat(v)).toEqual([NaN_, inf]);
    v.sum().backward();
    expect(flat(z.grad!)).toEqual([NaN_, NaN_, inf, -inf]);
  });

  test('median()/nanmedian() of ±∞ share the gradient among the equal elements', () => {
    // x = torch.tensor([[1., nan, 5.], [-inf, -inf, -inf]], requires_grad=True); torch.nanmedian(x) -> -inf,
    // .backward() -> [[0, 0, 0], [1/3, 1/3, 1/3]]; torch.median(torch.tensor([1., inf, inf])) -> inf, grad [0, 0.5, 0.5]
    const x = wg.tensor(
      [
        [1, NaN_, 5],
        [-inf, -inf, -inf],
      ],
      { requiresGrad: true },
    );
    const m = wg.nanmedian(x);
    expect(flat(m)).toEqual([-inf]);
    m.backward();
    expectClose(flat(x.grad!), [0, 0, 0, 1 / 3, 1 / 3, 1 / 3], 1e-6);
    const y = wg.tensor([1, inf, inf], { requiresGrad: true });
    const n = wg.median(y);
    expect(flat(n)).toEqual([inf]);
    n.backward();
    expect(flat(y.grad!)).toEqual([0, 0.5, 0.5]);
  });

  test('reductions over an empty dim', () => {
    const e = () => wg.zeros([3, 0]);
    // torch.empty(3, 0).sum(1), .mean(1), .prod(1), torch.logsumexp(torch.empty(3, 0), 1)
    expect(flat(e().sum(1))).toEqual([0, 0, 0]);
    expectClose(flat(e().mean(1)), [NaN_, NaN_, NaN_]);
    expect(flat(e().prod(1))).toEqual([1, 1, 1]);
    expect(flat(wg.logsumexp(e(), 1))).toEqual([-inf, -inf, -inf]);
    expect(wg.softmax(e(), 1).shape).toEqual([3, 0]);
    // torch.empty(0).max(): "max(): Expected reduction dim to be specified for input.numel() == 0"
    expect(() => wg.zeros([0]).max()).toThrow(wg.ShapeError);
    expect(() => wg.argmax(wg.zeros([0]))).toThrow(/^wasmgrad\.argmax: .*shape \[0\]/);
  });

  test('NaN and ±∞ through reductions, clamp, sort, pow, log', () => {
    // torch.tensor([1., nan, 3.]).max() -> nan, .argmax() -> 1
    expectClose(flat(wg.tensor([1, NaN_, 3]).max()), [NaN_]);
    expect(flat(wg.argmax(wg.tensor([1, NaN_, 3])))).toEqual([1]);
    // torch.clamp(torch.tensor([nan, -2., 3.]), 0., 1.) -> [nan, 0., 1.]
    expectClose(flat(wg.clamp(wg.tensor([NaN_, -2, 3]), 0, 1)), [NaN_, 0, 1]);
    // torch.sort(torch.tensor([nan, 1., -inf, inf])) -> values [-inf, 1., inf, nan], indices [2, 1, 3, 0]
    const [v, i] = wg.sort(wg.tensor([NaN_, 1, -inf, inf]));
    expect(flat(v)).toEqual([-inf, 1, inf, NaN_]);
    expect(flat(i)).toEqual([2, 1, 3, 0]);
    // torch.pow(torch.tensor([0.]), 0.) -> 1; torch.log(torch.tensor([0.])) -> -inf; 0 * inf -> nan
    expect(flat(wg.pow(wg.tensor([0]), 0))).toEqual([1]);
    expect(flat(wg.log(wg.tensor([0])))).toEqual([-inf]);
    expectClose(flat(wg.tensor([0]).mul(inf)), [NaN_]);
    // torch.tensor([[-inf, -inf], [0., 1.]]).logsumexp(1) -> [-inf, 1.3133]
    const lse = flat(
      wg.logsumexp(
        wg.tensor([
          [-inf, -inf],
          [0, 1],
        ]),
        1,
      ),
    );
    expect(lse[0]).toBe(-inf);
    expectClose([lse[1]], [1.3132616875182228], 1e-6);
    // torch.softmax(torch.tensor([1e30, 1e30, 0.]), 0) -> [0.5, 0.5, 0.]; log_softmax -> [-0.6931, -0.6931, -1e30]
    expectClose(flat(wg.softmax(wg.tensor([1e30, 1e30, 0]), 0)), [0.5, 0.5, 0]);
    expectClose(flat(wg.logSoftmax(wg.tensor([1e30, 1e30, 0]), 0)), [-0.6931471805599453, -0.6931471805599453, -1e30], 1e-6);
  });

  test('cross entropy with −∞ logits', () => {
    // x = torch.tensor([[-inf, 0., 1.], [2., 1., -inf]], requires_grad=True); F.cross_entropy(x, torch.tensor([1, 0]))
    // -> 0.8133, x.grad [[0, -0.3655, 0.3655], [-0.1345, 0.1345, 0]]
    const x = wg.tensor(
      [
        [-inf, 0, 1],
        [2, 1, -inf],
      ],
      { requiresGrad: true },
    );
    const l = wg.nn.functional.crossEntropy(x, wg.tensor([1, 0], { dtype: 'int32' }));
    expectClose(flat(l), [0.8132616875182228], 1e-6);
    l.backward();
    expectClose(flat(x.grad!), [0, -0.36552928931500245, 0.36552928931500245, -0.13447071068499755, 0.13447071068499755, 0], 1e-6);
  });

  test("smoothL1 with beta 0 has PyTorch's slope −1 for pred and target at a zero difference", () => {
    // x = torch.tensor([1., 0., 2., -3.], requires_grad=True); t = torch.tensor([1., 0., 0., -1.], requires_grad=True)
    // l = F.smooth_l1_loss(x, t, beta=0., reduction='none') -> [0, 0, 2, 2]; l.sum().backward()
    // -> x.grad [-1, -1, 1, -1], t.grad [-1, -1, -1, 1]; the mean -> 1
    const x = wg.tensor([1, 0, 2, -3], { requiresGrad: true }),
      t = wg.tensor([1, 0, 0, -1], { requiresGrad: true });
    const l = wg.losses.smoothL1(x, t, { beta: 0, reduction: 'none' });
    expect(flat(l)).toEqual([0, 0, 2, 2]);
    l.sum().backward();
    expect([flat(x.grad!), flat(t.grad!)]).toEqual([
      [-1, -1, 1, -1],
      [-1, -1, -1, 1],
    ]);
    expect(flat(wg.nn.functional.smoothL1Loss(x, t, { beta: 0 }))).toEqual([1]);
  });

  test("logit's gradient is PyTorch's at 0 and 1 (+∞) and outside [0, 1] (NaN)", () => {
    // x = torch.tensor([0., 1., -1., 2., 0.5, 0.1, 1e-30], requires_grad=True); y = torch.logit(x); y.sum().backward()
    const x = wg.tensor([0, 1, -1, 2, 0.5, 0.1, 1e-30], { requiresGrad: true });
    const y = wg.logit(x);
    const v = flat(y);
    expect(v.slice(0, 5)).toEqual([-inf, inf, NaN_, NaN_, 0]);
    expectClose(v.slice(5), [-2.1972246170043945, -69.07755279541016], 1e-6);
    y.sum().backward();
    const g = flat(x.grad!);
    expect(g.slice(0, 4)).toEqual([inf, inf, NaN_, NaN_]);
    expectClose(g.slice(4), [4, 11.111111640930176, 1.0000000150474662e30], 1e-6);
    // with eps the gradient is 0 outside [eps, 1 − eps]: torch.logit(x, 0.25) of [0, 1, -1, 0.5]
    // -> [-1.0986, 1.0986, -1.0986, 0], grad [0, 0, 0, 4]
    const z = wg.tensor([0, 1, -1, 0.5], { requiresGrad: true });
    const ye = wg.logit(z, 0.25);
    expectClose(flat(ye), [-1.0986123085021973, 1.0986123085021973, -1.0986123085021973, 0], 1e-6);
    ye.sum().backward();
    expectClose(flat(z.grad!), [0, 0, 0, 4], 1e-6);
  });

  test('sinc keeps a finite gradient at huge |x|', () => {
    // x = torch.tensor([1e30, -1e30, 1e20, 3e18, 0.25, 2.5, 0.], requires_grad=True); y = torch.sinc(x); y.sum().backward()
    const x = wg.tensor([1e30, -1e30, 1e20, 3e18, 0.25, 2.5, 0], { requiresGrad: true });
    const y = wg.sinc(x);
    expectClose(
      flat(y),
      [-2.4905130632199458e-31, -2.4905130632199458e-31, -1.933547000694598e-21, 1.0109930047358962e-19, 0.9003162980079651, 0.1273239552974701, 1],
      1e-6,
    );
    y.sum().backward();
    expectClose(flat(x.grad!), [0, 0, 0, 1.0115932922913654e-19, -0.7728379964828491, -0.0509297139942646, 0], 1e-6);
  });

  test("mish, softsign, acosh and asinh gradients at ±∞ and huge |x| are PyTorch's", () => {
    // nine elements: eight through the SIMD body, the last through the scalar tail
    // x = torch.tensor([inf, -inf, nan, 1e30, -1e30, 20., 30., 100., inf], requires_grad=True); F.mish(x).sum().backward()
    const m = wg.tensor([inf, -inf, NaN_, 1e30, -1e30, 20, 30, 100, inf], { requiresGrad: true });
    const my = wg.nn.functional.mish(m);
    near(flat(my), [inf, NaN_, NaN_, 1.0000000150474662e30, -0, 20, 30, 100, inf]);
    my.sum().backward();
    near(flat(m.grad!), [NaN_, NaN_, NaN_, 1, 0, 1, 1, 1, NaN_]);
    // F.softsign of [inf, -inf, nan, 1e30, -1e30, 1e20, 0.5, -2., -inf]
    const s = wg.tensor([inf, -inf, NaN_, 1e30, -1e30, 1e20, 0.5, -2, -inf], { requiresGrad: true });
    const sy = wg.nn.functional.softsign(s);
    near(flat(sy), [NaN_, NaN_, NaN_, 1, -1, 1, 0.3333333432674408, -0.6666666865348816, NaN_], 1e-7);
    sy.sum().backward();
    near(flat(s.grad!), [NaN_, NaN_, NaN_, 0, 0, 0, 0.444444477558136, 0.111111119389534, NaN_], 1e-7);
    // torch's float32 backward squares x in float32: the slope is 0 from |x| = 2⁶⁴ on
    // torch.acosh of [1e30, 2.**64, 18446742974197923840., 3e18, inf, 1.5, 3e38]
    const a = wg.tensor([1e30, 2 ** 64, 18446742974197923840, 3e18, inf, 1.5, 3e38], { requiresGrad: true });
    const ay = wg.acosh(a);
    near(flat(ay), [69.77069854736328, 45.0545654296875, 45.0545654296875, 43.23828887939453, inf, 0.9624236822128296, 89.28999328613281], 1e-7);
    ay.sum().backward();
    near(flat(a.grad!), [0, 0, 5.421011508662376e-20, 3.333333399881036e-19, 0, 0.8944271802902222, 0], 1e-7);
    expect([0, 1, 4, 6].map((i) => flat(a.grad!)[i])).toEqual([0, 0, 0, 0]);
    // torch.asinh of [1e30, -1e30, -2.**64, 18446742974197923840., inf, -inf, 0.5]
    const h = wg.tensor([1e30, -1e30, -(2 ** 64), 18446742974197923840, inf, -inf, 0.5], { requiresGrad: true });
    wg.asinh(h).sum().backward();
    near(flat(h.grad!), [0, 0, 0, 5.421011508662376e-20, 0, 0, 0.8944271802902222], 1e-7);
    expect(flat(h.grad!).slice(0, 3)).toEqual([0, 0, 0]);
  });

  test("cumprod's gradient with NaN, ±∞ and zeros in a segment is PyTorch's (its division before the first zero)", () => {
    // X = torch.tensor(rows, requires_grad=True); y = torch.cumprod(X, 1); (y * torch.arange(1., 56.).reshape(11, 5)).sum().backward()
    const rows = [
      [2, NaN_, 3, 4, 5],
      [2, inf, 3, 4, 5],
      [2, -inf, 3, 0, 5],
      [0, inf, 3, 2, 1],
      [inf, 0, 3, 2, 1],
      [NaN_, 0, 2, 1, 1],
      [2, 0, NaN_, 1, 1],
      [1, 2, 3, inf, 1],
      [0, 2, 0, inf, 1],
      [2, 3, 0, 5, inf],
      [1, 2, 3, 4, 5],
    ];
    const value = [
      [2, NaN_, NaN_, NaN_, NaN_],
      [2, inf, inf, inf, inf],
      [2, -inf, -inf, NaN_, NaN_],
      [0, NaN_, NaN_, NaN_, NaN_],
      [inf, NaN_, NaN_, NaN_, NaN_],
      [NaN_, NaN_, NaN_, NaN_, NaN_],
      [2, 0, NaN_, NaN_, NaN_],
      [1, 2, 6, inf, inf],
      [0, 0, 0, NaN_, NaN_],
      [2, 6, 0, 0, NaN_],
      [1, 2, 6, 24, 120],
    ];
    const grad = [
      [NaN_, NaN_, NaN_, NaN_, NaN_],
      [inf, NaN_, inf, inf, inf],
      [-inf, NaN_, -inf, -inf, 0],
      [inf, 0, 0, 0, 0],
      [NaN_, inf, 0, 0, 0],
      [NaN_, NaN_, 0, 0, 0],
      [31, NaN_, 0, 0, 0],
      [inf, inf, inf, NaN_, inf],
      [125, 0, 0, 0, 0],
      [187, 94, inf, 0, 0],
      [8369, 4159, 2738, 1974, 1320],
    ];
    const weights = wg.arange(1, 56).reshape([11, 5]);
    for (const [dim, t] of ROWS_AND_COLUMNS) {
      const x = wg.tensor(t(rows), { requiresGrad: true });
      const y = wg.cumprod(x, dim);
      near(flat(y), t(value).flat());
      y.mul(dim === 1 ? weights : weights.t())
        .sum()
        .backward();
      near(flat(x.grad!), t(grad).flat());
    }
  });

  test("lgamma and digamma at +∞: ∞ with PyTorch's gradients ∞ and 0", () => {
    // x = torch.tensor([inf, 1e30, 2.5, 1.], requires_grad=True); torch.lgamma(x).sum().backward()
    const x = wg.tensor([inf, 1e30, 2.5, 1], { requiresGrad: true });
    const l = wg.lgamma(x);
    near(flat(l), [inf, 6.807755301009307e31, 0.28468286991119385, 0]);
    l.sum().backward();
    near(flat(x.grad!), [inf, 69.07755279541016, 0.7031567692756653, -0.5772159099578857]);
    // torch.digamma of the same: [inf, 69.0776, 0.7032, -0.5772], gradient [0, 1e-30, 0.4904, 1.6449]
    const z = wg.tensor([inf, 1e30, 2.5, 1], { requiresGrad: true });
    const d = wg.digamma(z);
    near(flat(d), [inf, 69.07755279541016, 0.7031567692756653, -0.5772159099578857]);
    d.sum().backward();
    near(flat(z.grad!), [0, 1.0000000031710769e-30, 0.49035775661468506, 1.644934058189392]);
  });

  test("prod with one zero: the others' gradient is PyTorch's 0, or NaN where another element is ±∞ or NaN", () => {
    // x = torch.tensor(rows, requires_grad=True); x.prod(1).sum().backward() (every row holds one zero)
    const rows = [
      [0, NaN_, 3, 2, 5],
      [inf, 0, 2, 1, 1],
      [0, 2, 3, 4, 5],
      [2, 0, -inf, NaN_, 1],
    ];
    const grad = [
      [NaN_, 0, NaN_, NaN_, NaN_],
      [0, inf, NaN_, NaN_, NaN_],
      [120, 0, 0, 0, 0],
      [NaN_, NaN_, NaN_, NaN_, NaN_],
    ];
    for (const [dim, t] of ROWS_AND_COLUMNS) {
      const x = wg.tensor(t(rows), { requiresGrad: true });
      x.prod(dim).sum().backward();
      near(flat(x.grad!), t(grad).flat());
    }
    // torch.tensor([0., nan, 3., 2., 5.]).prod() the same; without a zero, y/x: torch.tensor([5., nan, 2.]).prod() -> grad all NaN
    const y = wg.tensor(rows[0], { requiresGrad: true });
    y.prod().backward();
    near(flat(y.grad!), grad[0]);
    const z = wg.tensor([5, NaN_, 2], { requiresGrad: true });
    z.prod().backward();
    near(flat(z.grad!), [NaN_, NaN_, NaN_]);
  });

  test("copysign's gradient is NaN at ±∞ and NaN magnitudes, PyTorch's result/x", () => {
    // a = torch.tensor([inf, -inf, nan, 1., 2., inf, 0., -3., -inf], requires_grad=True)
    // torch.copysign(a, torch.tensor([1., -1., 1., inf, nan, nan, -0., 2., -0.])).sum().backward()
    const a = wg.tensor([inf, -inf, NaN_, 1, 2, inf, 0, -3, -inf], { requiresGrad: true });
    const y = wg.copysign(a, wg.tensor([1, -1, 1, inf, NaN_, NaN_, -0, 2, -0]));
    near(flat(y), [inf, -inf, NaN_, 1, 2, inf, -0, 3, -inf]);
    expect(Object.is(flat(y)[6], -0)).toBe(true);
    y.sum().backward();
    near(flat(a.grad!), [NaN_, NaN_, NaN_, 1, 1, NaN_, 0, -1, NaN_]);
  });

  test("xlogy, xlog1py and entr: PyTorch's values and gradients at x = 0 with y = ∞, at y's pole, ±∞ and NaN", () => {
    // x = torch.tensor([0., 0., 0., 0., 1., 0., nan, inf, 2.], requires_grad=True)
    // y = torch.tensor([inf, 0., -1., nan, inf, -inf, 1., 0., 3.], requires_grad=True); torch.xlogy(x, y).sum().backward()
    const x = wg.tensor([0, 0, 0, 0, 1, 0, NaN_, inf, 2], { requiresGrad: true });
    const y = wg.tensor([inf, 0, -1, NaN_, inf, -inf, 1, 0, 3], { requiresGrad: true });
    const v = wg.xlogy(x, y);
    near(flat(v), [0, 0, 0, NaN_, inf, 0, NaN_, -inf, 2.1972246170043945]);
    v.sum().backward();
    near(flat(x.grad!), [inf, 0, 0, NaN_, inf, 0, 0, -inf, 1.0986123085021973]);
    near(flat(y.grad!), [0, NaN_, -0, NaN_, 0, -0, NaN_, inf, 0.6666666865348816]);
    // the same x with y = [inf, -1., -2., nan, inf, -inf, 1., -1., 3.] through torch.special.xlog1py
    const x1 = wg.tensor([0, 0, 0, 0, 1, 0, NaN_, inf, 2], { requiresGrad: true });
    const y1 = wg.tensor([inf, -1, -2, NaN_, inf, -inf, 1, -1, 3], { requiresGrad: true });
    const w = wg.special.xlog1py(x1, y1);
    near(flat(w), [0, 0, 0, NaN_, inf, 0, NaN_, -inf, 2.7725887298583984]);
    w.sum().backward();
    near(flat(x1.grad!), [inf, 0, 0, NaN_, inf, 0, 0.6931471824645996, -inf, 1.3862943649291992]);
    near(flat(y1.grad!), [0, NaN_, -0, NaN_, 0, -0, NaN_, inf, 0.5]);
    // e = torch.tensor([0., -1., inf, nan, 1., -inf, 0.5, 2., 0.], requires_grad=True); torch.special.entr(e).sum().backward()
    const e = wg.tensor([0, -1, inf, NaN_, 1, -inf, 0.5, 2, 0], { requiresGrad: true });
    const h = wg.special.entr(e);
    near(flat(h), [0, -inf, -inf, NaN_, -0, -inf, 0.3465735912322998, -1.3862943649291992, 0]);
    h.sum().backward();
    near(flat(e.grad!), [inf, NaN_, -inf, NaN_, -1, NaN_, -0.3068528175354004, -1.6931471824645996, inf]);
  });

  test('int32 division and remainder signs', () => {
    const a = wg.tensor([7, -7, 7, -7], { dtype: 'int32' }),
      b = wg.tensor([2, 2, -2, -2], { dtype: 'int32' });
    // torch.remainder(a, b) -> [1, 1, -1, -1]; floor_divide -> [3, -4, -4, 3]; fmod -> [1, -1, 1, -1]
    expect(flat(wg.remainder(a, b))).toEqual([1, 1, -1, -1]);
    expect(flat(wg.floorDivide(a, b))).toEqual([3, -4, -4, 3]);
    expect(flat(wg.fmod(a, b))).toEqual([1, -1, 1, -1]);
    // torch.div(a, b, rounding_mode='trunc') -> [3, -3, -3, 3] (int); a / b -> [3.5, -3.5, -3.5, 3.5] (float)
    const t = wg.div(a, b, { roundingMode: 'trunc' });
    expect([t.dtype, flat(t)]).toEqual(['int32', [3, -3, -3, 3]]);
    const q = wg.div(a, b);
    expect([q.dtype, flat(q)]).toEqual(['float32', [3.5, -3.5, -3.5, 3.5]]);
  });

  test('broadcasting with size-0 and 0-d operands', () => {
    // (torch.ones(1) + torch.ones(0)).shape -> [0]; (torch.ones(3, 1) * torch.ones(1, 0)).shape -> [3, 0]
    expect(wg.ones([1]).add(wg.ones([0])).shape).toEqual([0]);
    expect(wg.ones([3, 1]).mul(wg.ones([1, 0])).shape).toEqual([3, 0]);
    // torch.ones(2).add(torch.ones(3)): "The size of tensor a (2) must match the size of tensor b (3)"
    expect(() => wg.ones([2]).add(wg.ones([3]))).toThrow(/^wasmgrad\.add: .*\[2\].*\[3\]/);
    // s = torch.tensor(3.); (s + torch.ones(2, 2)).shape -> [2, 2]; s.item() -> 3.0; s.shape -> []
    const s = wg.tensor(3);
    expect([s.add(wg.ones([2, 2])).shape, s.item(), s.shape]).toEqual([[2, 2], 3, []]);
  });

  test('gradients at the edges: abs at 0, amax ties split, max(dim) ties to the first', () => {
    // x = torch.tensor([0., -0., 1.], requires_grad=True); x.abs().sum().backward() -> [0, 0, 1]
    const x = wg.tensor([0, -0, 1], { requiresGrad: true });
    x.abs().sum().backward();
    expect(flat(x.grad!)).toEqual([0, 0, 1]);
    // torch.tensor([1., 3., 3.]).amax() -> grad [0, 0.5, 0.5]; .max(0).values -> grad [0, 1, 0]
    const y = wg.tensor([1, 3, 3], { requiresGrad: true });
    y.amax().backward();
    expect(flat(y.grad!)).toEqual([0, 0.5, 0.5]);
    const z = wg.tensor([1, 3, 3], { requiresGrad: true });
    z.max(0).backward();
    expect(flat(z.grad!)).toEqual([0, 1, 0]);
  });
});
