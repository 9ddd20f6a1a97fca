/**
 * Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly): the NaN check of each
 * backward function's outputs, with torch's message, and the forward stack in backward errors.
 * Expected messages and gradients from PyTorch 1.13.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => wg.setAnomalyEnabled(false, true));

/** The error fn throws (the test fails if it throws none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test('off by default, with checkNan on (torch.is_anomaly_enabled / is_anomaly_check_nan_enabled)', () => {
  expect(wg.isAnomalyEnabled()).toBe(false);
  expect(wg.isAnomalyCheckNanEnabled()).toBe(true);
});

describe.each(['wasm', 'reference'] as const)('%s backend', (backend) => {
  const use = () => wg.setBackend(backend);

  test("a NaN gradient is torch's error, naming the backward function and its output, with the forward stack", () => {
    use();
    const x = wg.tensor([0, 1, 4], { requiresGrad: true });
    const e = thrown(() =>
      wg.autograd.detectAnomaly(() => {
        const y = x.sqrt().mul(0).sum();
        y.backward();
      }),
    );
    expect(e).toBeInstanceOf(wg.AutogradError);
    // torch: Function 'SqrtBackward0' returned nan values in its 0th output.
    expect(e.message).toContain("Function 'SqrtBackward0' returned nan values in its 0th output.");
    expect(e.message).toContain('Traceback of forward call that caused the error:');
    expect(e.message).toMatch(/anomaly\.test\.ts/);
    expect(wg.isAnomalyEnabled()).toBe(false); // restored after the throw
  });

  test("the output index counts the op's inputs: x / y at 0 / 0 is DivBackward0's 1th output (torch)", () => {
    use();
    const x = wg.zeros([2], { requiresGrad: true });
    const y = wg.tensor([0, 1], { requiresGrad: true });
    const e = thrown(() => wg.autograd.detectAnomaly(() => x.div(y).sum().backward()));
    expect(e.message).toContain("Function 'DivBackward0' returned nan values in its 1th output.");
  });

  test('without the mode the same backward runs and leaves the NaN, as torch: grad [nan, 0, 0]', () => {
    use();
    const x = wg.tensor([0, 1, 4], { requiresGrad: true });
    x.sqrt().mul(0).sum().backward();
    const g = Array.from(x.grad!.data());
    expect(Number.isNaN(g[0])).toBe(true);
    expect(g.slice(1)).toEqual([0, 0]);
  });

  test('checkNan false keeps the stacks but checks nothing (torch.is_anomaly_check_nan_enabled() false inside)', () => {
    use();
    const x = wg.tensor([0, 1], { requiresGrad: true });
    wg.autograd.detectAnomaly(() => {
      expect(wg.isAnomalyEnabled()).toBe(true);
      expect(wg.isAnomalyCheckNanEnabled()).toBe(false);
      x.sqrt().mul(0).sum().backward();
    }, false);
    expect(Number.isNaN(x.grad!.data()[0])).toBe(true);
    expect([wg.isAnomalyEnabled(), wg.isAnomalyCheckNanEnabled()]).toEqual([false, true]);
  });

  test('finite gradients pass and equal those without the mode', () => {
    use();
    const x = wg.tensor([0.5, 1, 4], { requiresGrad: true });
    wg.autograd.detectAnomaly(() => x.sqrt().mul(x).sum().backward());
    // d/dx x^1.5 = 1.5·sqrt(x) (torch: [1.0607, 1.5000, 3.0000])
    expectClose(x.grad!.data(), [1.0606601717798212, 1.5, 3], 1e-6);
  });

  test('a NaN already accumulated in a leaf .grad by an earlier pass is not blamed on this one', () => {
    use();
    const x = wg.tensor([0, 1], { requiresGrad: true });
    x.sqrt().mul(0).sum().backward(); // x.grad = [nan, 0]
    wg.autograd.detectAnomaly(() => x.mul(2).sum().backward());
    const g = x.grad!.data();
    expect(Number.isNaN(g[0])).toBe(true);
    expect(g[1]).toBe(2);
  });

  test('wg.autograd.grad (the hooked pass) and createGraph (the vjp pass) check too', () => {
    use();
    const x = wg.tensor([0, 1], { requiresGrad: true });
    const msg = "Function 'SqrtBackward0' returned nan values in its 0th output.";
    wg.setAnomalyEnabled(true);
    expect(thrown(() => wg.autograd.grad(x.sqrt().mul(0).sum(), [x])).message).toContain(msg);
    expect(thrown(() => wg.autograd.grad(x.sqrt().mul(0).sum(), [x], { createGraph: true })).message).toContain(msg);
  });

  test('a hook that throws and an input modified in place name the forward call', () => {
    use();
    wg.autograd.setDetectAnomaly(true, () => {
      const x = wg.tensor([1, 2], { requiresGrad: true });
      const y = x.mul(2);
      y.registerHook(() => {
        throw new wg.ValueError('myHook', 'bad');
      });
      const e = thrown(() => y.sum().backward());
      expect(e.message).toContain('wasmgrad.myHook: bad');
      expect(e.message).toContain('Traceback of forward call that caused the error:');
      const a = wg.tensor([1, 2]);
      const b = a.mul(x);
      a.add_(1);
      const e2 = thrown(() => b.sum().backward());
      expect(e2).toBeInstanceOf(wg.AutogradError);
      expect(e2.message).toMatch(/modified in place[^]*Traceback of forward call[^]*anomaly\.test\.ts/);
    });
    expect(wg.isAnomalyEnabled()).toBe(false);
  });
});

test('outside the mode no stack is kept: errors carry none', () => {
  const a = wg.tensor([1, 2]);
  const b = a.mul(wg.tensor([1, 2], { requiresGrad: true }));
  a.add_(1);
  expect(thrown(() => b.sum().backward()).message).not.toContain('Traceback');
});

test('setDetectAnomaly: a switch without fn, a block with fn (checkNan before fn), and typed errors', () => {
  wg.autograd.setDetectAnomaly(true, false);
  expect([wg.isAnomalyEnabled(), wg.isAnomalyCheckNanEnabled()]).toEqual([true, false]);
  wg.autograd.setDetectAnomaly(false);
  expect([wg.isAnomalyEnabled(), wg.isAnomalyCheckNanEnabled()]).toEqual([false, true]);
  expect(wg.autograd.setDetectAnomaly(true, false, () => [wg.isAnomalyEnabled(), wg.isAnomalyCheckNanEnabled()])).toEqual([true, false]);
  expect([wg.isAnomalyEnabled(), wg.isAnomalyCheckNanEnabled()]).toEqual([false, true]);
  wg.setAnomalyEnabled(true);
  expect(wg.autograd.setDetectAnomaly(false, () => wg.isAnomalyEnabled())).toBe(false);
  expect(wg.isAnomalyEnabled()).toBe(true);
  expect(() => wg.autograd.setDetectAnomaly('yes' as never)).toThrow(/autograd\.setDetectAnomaly: mode must be a boolean, got "yes"/);
  expect(() => wg.autograd.detectAnomaly(() => 1, 1 as never)).toThrow(wg.ValueError);
  expect(() => wg.autograd.detectAnomaly((() => Promise.resolve(1)) as never)).toThrow(/must be synchronous/);
  expect(() => wg.setAnomalyEnabled(1 as never)).toThrow(/setAnomalyEnabled: mode must be a boolean, got 1/);
});

test('wg.compile: the function runs eagerly while the mode is on (so the check runs), and the mode cannot be switched inside', () => {
  const x = wg.tensor([0, 1], { requiresGrad: true });
  const step = wg.compile((t: wg.Tensor) => {
    t.sqrt().mul(0).sum().backward();
    return t.grad!.sum();
  });
  x.grad = null;
  expect(Number.isNaN(step(x).item())).toBe(true); // compiled, no check
  x.grad = null;
  expect(() => wg.autograd.detectAnomaly(() => step(x))).toThrow(/SqrtBackward0' returned nan values in its 0th output/);
  const bad = wg.compile((t: wg.Tensor) => {
    wg.setAnomalyEnabled(true);
    return t.mul(2);
  });
  expect(() => bad(x)).toThrow(wg.CompileError);
});
