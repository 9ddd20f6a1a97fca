/**
 * wg.autograd as torch.autograd's namespace: the grad-mode blocks and checks listed there,
 * gradgradcheck, and functional.jvp with torch's options (createGraph, strict, vectorize).
 * Values from PyTorch 1.13.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const { jvp, vjp, jacobian, hessian, hvp } = wg.autograd.functional;

test('the grad-mode blocks and gradcheck are the top-level ones (torch.autograd.no_grad is torch.no_grad)', () => {
  expect(wg.autograd.noGrad).toBe(wg.noGrad);
  expect(wg.autograd.enableGrad).toBe(wg.enableGrad);
  expect(wg.autograd.setGradEnabled).toBe(wg.setGradEnabled);
  expect(wg.autograd.inferenceMode).toBe(wg.inferenceMode);
  expect(wg.autograd.gradcheck).toBe(wg.gradcheck);
  expect(wg.autograd.gradgradcheck).toBe(wg.gradgradcheck);
  const x = wg.ones([2], { requiresGrad: true });
  expect(wg.autograd.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  expect(wg.autograd.noGrad(() => wg.autograd.enableGrad(() => x.mul(2))).requiresGrad).toBe(true);
});

describe('gradgradcheck', () => {
  test('accepts correct second derivatives: one input, two inputs, two outputs', () => {
    const x = wg.tensor([0.3, -0.7, 1.1, 0.5, -1.3], { requiresGrad: true });
    expect(wg.gradgradcheck((t) => t.pow(3), [x]).ok).toBe(true);
    const a = wg.randn([3, 4], { requiresGrad: true });
    const b = wg.randn([4, 2], { requiresGrad: true });
    const r = wg.gradgradcheck((p, q) => p.matmul(q).tanh(), [a, b]);
    expect(r.ok).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-5);
    const two = wg.gradgradcheck((p, q) => [p.mul(q).sin(), p.exp().sum()], [x, wg.tensor([1, 2, 3, 4, 5], { requiresGrad: true })]);
    expect(two.ok).toBe(true);
  });

  test('catches a first derivative that is right while its own derivative is not (gradcheck passes it)', () => {
    // f(x) = (x − x̄)·3x̄² + x̄³ with x̄ = x.detach(): the value is x³ and the gradient 3x̄² is
    // right, but it has no graph back to x, so its derivative reads 0 where 6x is right (torch's
    // gradgradcheck raises GradcheckError on this function; ours reports ok: false).
    const f = (t: wg.Tensor) => {
      const d = t.detach();
      return t.sub(d).mul(d.mul(d).mul(3)).add(d.pow(3));
    };
    const x = wg.tensor([0.5, -1, 2], { requiresGrad: true });
    expect(wg.gradcheck(f, [x]).ok).toBe(true);
    const r = wg.gradgradcheck(f, [x]);
    expect(r.ok).toBe(false);
    expect(r.maxAbsError).toBeGreaterThan(0.1);
  });

  test('given gradOutputs are the seeds; only those that require grad are checked as inputs (torch)', () => {
    const x = wg.tensor([0.2, 0.4, -0.6], { requiresGrad: true });
    expect(wg.gradgradcheck((t) => t.mul(t).exp(), [x], [wg.tensor([1, -2, 0.5])]).ok).toBe(true);
    expect(wg.gradgradcheck((t) => t.mul(t).exp(), [x], wg.tensor([1, -2, 0.5], { requiresGrad: true }), { atol: 1e-4 }).ok).toBe(true);
  });

  test('typed errors name gradgradcheck', () => {
    const x = wg.tensor([1, 2], { requiresGrad: true });
    expect(() => wg.gradgradcheck((t) => t.exp(), [wg.tensor([1, 2])])).toThrow(/gradgradcheck: expects at least one input to require grad/);
    expect(() => wg.gradgradcheck((t) => t.exp(), [x], [wg.tensor([1, 2, 3])])).toThrow(wg.ShapeError);
    expect(() => wg.gradgradcheck((t) => t.exp(), [x], [wg.tensor([1, 2]), wg.tensor([1, 2])])).toThrow(/one tensor per output of fn \(1\)/);
    expect(() => wg.gradgradcheck((t) => t.exp(), [x], null, { eps: 0 })).toThrow(/gradgradcheck: eps must be a finite number > 0/);
    expect(() => wg.gradgradcheck((() => 3) as never, [x])).toThrow(/fn must return a Tensor or an array of Tensors, got 3/);
  });
});

describe.each(['wasm', 'reference'] as const)('functional on %s', (backend) => {
  const use = () => wg.setBackend(backend);

  test('jvp: J·v of a reduction (torch literal), the output returned detached', () => {
    use();
    const x = wg.tensor([
      [0.5, -1.0, 2.0],
      [0.3, 0.7, -0.2],
    ]);
    const v = wg.tensor([
      [1.0, 0.5, -1.0],
      [2.0, 0.0, 1.5],
    ]);
    const [out, j] = jvp((t) => t.exp().sum(1), x, v) as [wg.Tensor, wg.Tensor];
    expectClose(out.data(), [9.40565681, 4.18234205], 1e-6);
    expectClose(j.data(), [-5.55639553, 3.92781353], 1e-6);
    expect([out.requiresGrad, j.requiresGrad]).toEqual([false, false]);
  });

  test('jvp: several inputs and outputs give arrays shaped like the outputs (torch literal)', () => {
    use();
    const a = wg.tensor([0.1, 0.2, -0.3, 0.4, 0.5]);
    const b = wg.tensor([1.5, -0.5, 0.25, 2.0, -1.0]);
    const va = wg.tensor([1.0, -1.0, 0.5, 0.0, 2.0]);
    const vb = wg.tensor([0.3, 0.1, -0.2, 1.0, 0.5]);
    const [outs, js] = jvp((p, q) => [p.mul(q).tanh(), p.sin().sum()], [a, b], [va, vb]) as [wg.Tensor[], wg.Tensor[]];
    expectClose(outs[0].data(), [0.14888504, -0.099668, -0.07485969, 0.66403675, -0.46211717], 1e-6);
    expectClose(outs[1].data(), [0.87182641], 1e-6);
    expectClose(js[0].data(), [1.49608493, 0.51483446, 0.18396327, 0.22362208, -1.37628353], 1e-6);
    expectClose(js[1].data(), [2.24777102], 1e-6);
    expect(js[1].shape).toEqual([]);
  });

  test('jvp: v omitted for a single one-element input (seed 1): d/dx x³ at 2 = 12', () => {
    use();
    const [out, j] = jvp((t) => t.mul(t).mul(t), wg.tensor(2)) as [wg.Tensor, wg.Tensor];
    expect([out.item(), j.item()]).toEqual([8, 12]);
    expect(() => jvp((t) => t, wg.tensor([1, 2]))).toThrow(/jvp: v can only be omitted when the input is a single Tensor with a single element/);
  });

  test('jvp: an input the outputs ignore adds zeros; strict makes it torch’s error', () => {
    use();
    const ins = [wg.tensor([1, 2]), wg.tensor([1, 2])];
    const vs = [wg.tensor([1, 1]), wg.tensor([1, 1])];
    const [, j] = jvp((t) => t.mul(2), ins, vs) as [wg.Tensor, wg.Tensor];
    expect(Array.from(j.data())).toEqual([2, 2]);
    expect(() => jvp((t) => t.mul(2), ins, vs, { strict: true })).toThrow(
      'The output of the user-provided function is independent of input 1. This is not allowed in strict mode.',
    );
    expect(() => jvp(() => wg.ones([2]), wg.tensor([1, 2]), wg.tensor([1, 1]), { strict: true })).toThrow(
      'Output 0 of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.',
    );
    expect(Array.from((jvp(() => wg.ones([2]), wg.tensor([1, 2]), wg.tensor([1, 1]))[1] as wg.Tensor).data())).toEqual([0, 0]);
  });

  test('createGraph: jvp, vjp and jacobian results can be differentiated w.r.t. the inputs (torch literals)', () => {
    use();
    const x = wg.tensor([0.5, 1.0, 1.5], { requiresGrad: true });
    const [out, j] = jvp((t) => t.pow(3), x, wg.tensor([1, 2, 3]), { createGraph: true }) as [wg.Tensor, wg.Tensor];
    expect(out.requiresGrad && j.requiresGrad).toBe(true);
    expectClose(j.data(), [0.75, 6, 20.25], 1e-6);
    j.sum().backward();
    expectClose(x.grad!.data(), [3, 12, 27], 1e-5);
    const y = wg.tensor([0.5, 1.0, 1.5], { requiresGrad: true });
    const [, k] = vjp((t) => t.pow(3), y, wg.tensor([1, 2, 3]), { createGraph: true }) as [wg.Tensor, wg.Tensor];
    k.sum().backward();
    expectClose(y.grad!.data(), [3, 12, 27], 1e-5);
    const z = wg.tensor([0.5, 1.0], { requiresGrad: true });
    const J = jacobian((t) => t.pow(3), z, { createGraph: true }) as wg.Tensor;
    expectClose(J.data(), [0.75, 0, 0, 3], 1e-6);
    J.sum().backward();
    expectClose(z.grad!.data(), [3, 6], 1e-5);
  });

  test("strict in vjp and jacobian: torch's messages", () => {
    use();
    const ins = [wg.tensor([1, 2]), wg.tensor([1, 2])];
    expect(() => vjp((t) => t.mul(2), ins, wg.tensor([1, 1]), { strict: true })).toThrow(
      'The output of the user-provided function is independent of input 1. This is not allowed in strict mode.',
    );
    expect(() => jacobian((t) => t.mul(2), ins, { strict: true })).toThrow(
      'Output 0 of the user-provided function is independent of input 1. This is not allowed in strict mode.',
    );
  });
});

test('options: vectorize and strategy accepted with the same result; unknown options and strict with vectorize refused as torch', () => {
  const x = wg.tensor([0.5, -1, 2]);
  const plain = (jacobian((t) => t.exp(), x) as wg.Tensor).toArray();
  expect((jacobian((t) => t.exp(), x, { vectorize: true }) as wg.Tensor).toArray()).toEqual(plain);
  expect((jacobian((t) => t.exp(), x, { strategy: 'forward-mode' }) as wg.Tensor).toArray()).toEqual(plain);
  const h = hessian((t) => t.pow(3).sum(), x, { vectorize: true, outerJacobianStrategy: 'reverse-mode' }) as wg.Tensor;
  expectClose(h.data(), [3, 0, 0, 0, -6, 0, 0, 0, 12], 1e-5);
  expect(() => jacobian((t) => t, x, { strict: true, vectorize: true })).toThrow(/strict: true and vectorize: true are not supported together/);
  expect(() => jacobian((t) => t, x, { strategy: 'sideways' as never })).toThrow(wg.ValueError);
  expect(() => hvp((t) => t.sum(), x, x, { vectorize: true } as never)).toThrow(/unknown option 'vectorize'/);
  expect(() => jvp((t) => t, x, x, { createGraph: 1 } as never)).toThrow(wg.ValueError);
});
