/**
 * Activation modules (issue 12 item 3): each equals its function with the constructor's options
 * (PyTorch's positional arguments or an options object), prints PyTorch's settings, and checks them.
 */
import { beforeAll, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const x = () => wg.tensor([-4, -1.5, -0.2, 0, 0.3, 2, 7]);
const same = (a: wg.Tensor, b: wg.Tensor) => expect(Array.from(a.data())).toEqual(Array.from(b.data()));

test('each module is its function', () => {
  const nn = wg.nn;
  const cases: [wg.nn.Module, (t: wg.Tensor) => wg.Tensor][] = [
    [new nn.Mish(), wg.mish],
    [new nn.SELU(), wg.selu],
    [new nn.Hardswish(), wg.hardswish],
    [new nn.Hardsigmoid(), wg.hardsigmoid],
    [new nn.ReLU6(), wg.relu6],
    [new nn.Softsign(), wg.softsign],
    [new nn.LogSigmoid(), wg.logsigmoid],
    [new nn.ELU(), (t) => wg.elu(t)],
    [new nn.ELU(0.5), (t) => wg.elu(t, { alpha: 0.5 })],
    [new nn.CELU({ alpha: 2 }), (t) => wg.celu(t, { alpha: 2 })],
    [new nn.Hardtanh(), (t) => wg.hardtanh(t)],
    [new nn.Hardtanh(-2, 3), (t) => wg.hardtanh(t, { minVal: -2, maxVal: 3 })],
    [new nn.Hardtanh({ maxVal: 0.5 }), (t) => wg.hardtanh(t, { minVal: -1, maxVal: 0.5 })],
    [new nn.Softplus(2, 5), (t) => wg.softplus(t, { beta: 2, threshold: 5 })],
    [new nn.Softplus({ threshold: 1 }), (t) => wg.softplus(t, { beta: 1, threshold: 1 })],
    [new nn.GELU('tanh'), (t) => wg.gelu(t, { approximate: 'tanh' })],
    [new nn.GELU(), (t) => wg.gelu(t)],
  ];
  for (const [m, f] of cases) same(m.forward(x()), f(x()));
});

test("PyTorch's settings in the printout; bad options are ValueErrors naming the module", () => {
  expect(String(new wg.nn.ELU(0.5))).toBe('ELU(alpha=0.5)');
  expect(String(new wg.nn.Hardtanh())).toBe('Hardtanh(min_val=-1.0, max_val=1.0)');
  expect(String(new wg.nn.Softplus())).toBe('Softplus(beta=1, threshold=20)');
  expect(String(new wg.nn.GELU('tanh'))).toBe("GELU(approximate='tanh')");
  expect(String(new wg.nn.Mish())).toBe('Mish()');
  expect(() => new wg.nn.ELU(NaN)).toThrow('wasmgrad.nn.ELU: alpha must be a finite number, got NaN');
  expect(() => new wg.nn.Hardtanh(1, 1)).toThrow('wasmgrad.nn.Hardtanh: maxVal must be greater than minVal, got minVal 1, maxVal 1');
  // an options object is checked as every other: a misspelt key is an error, not the default
  expect(() => new wg.nn.Softplus({ beta: 1, thresh: 3 } as never)).toThrow("wasmgrad.nn.Softplus: unknown option 'thresh' (the options are beta, threshold)");
  expect(() => new wg.nn.ELU({ alpha: 1, bogus: 2 } as never)).toThrow("wasmgrad.nn.ELU: unknown option 'bogus' (the options are alpha, inplace)");
  expect(() => new wg.nn.Hardtanh({ minVal: -2, max: 2 } as never)).toThrow(/nn\.Hardtanh: unknown option 'max'/);
  expect(() => new wg.nn.Softshrink({ lamda: 0.3 } as never)).toThrow(/nn\.Softshrink: unknown option 'lamda'/);
  expect(() => new wg.nn.CELU({ inplace: 1 } as never)).toThrow('wasmgrad.nn.CELU: inplace must be a boolean, got 1');
  expect(() => new wg.nn.ELU('2' as never)).toThrow('wasmgrad.nn.ELU: alpha must be a finite number, got "2"');
  expect(() => new wg.nn.Softshrink('0.5' as never)).toThrow(/nn\.Softshrink: lambd must be a finite number/);
  // PyTorch's inplace, positional or in the options object: the result is written into the input
  const x = wg.tensor([-1, 2]);
  const y = new wg.nn.ELU({ alpha: 2, inplace: true }).forward(x);
  expect([y === x, Array.from(x.data(), (v) => Math.round(v * 1e6) / 1e6)]).toEqual([true, [-1.264241, 2]]);
  expect(() => new wg.nn.ReLU({ inplce: true } as never)).toThrow("wasmgrad.nn.ReLU: unknown option 'inplce' (the options are inplace)");
  expect(() => new wg.nn.Dropout(0.5, 'yes' as never)).toThrow('wasmgrad.nn.Dropout: inplace must be a boolean, got "yes"');
  // repr(m) of torch 1.13 for each with inplace=True (Hardswish and Hardsigmoid print none)
  const printed = [
    [new wg.nn.ReLU(true), 'ReLU(inplace=True)'],
    [new wg.nn.ReLU6(true), 'ReLU6(inplace=True)'],
    [new wg.nn.SELU(true), 'SELU(inplace=True)'],
    [new wg.nn.SiLU(true), 'SiLU(inplace=True)'],
    [new wg.nn.Mish(true), 'Mish(inplace=True)'],
    [new wg.nn.Hardswish(true), 'Hardswish()'],
    [new wg.nn.Hardsigmoid(true), 'Hardsigmoid()'],
    [new wg.nn.LeakyReLU(0.1, true), 'LeakyReLU(negative_slope=0.1, inplace=True)'],
    [new wg.nn.ELU(1, true), 'ELU(alpha=1.0, inplace=True)'],
    [new wg.nn.CELU({ alpha: 2, inplace: true }), 'CELU(alpha=2.0, inplace=True)'],
    [new wg.nn.Hardtanh(-2, 2, true), 'Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)'],
    [new wg.nn.Threshold(0.1, 20, true), 'Threshold(threshold=0.1, value=20, inplace=True)'],
    [new wg.nn.RReLU(0.1, 0.3, true), 'RReLU(lower=0.1, upper=0.3, inplace=True)'],
    [new wg.nn.Dropout2d(0.2, true), 'Dropout2d(p=0.2, inplace=True)'],
    [new wg.nn.FeatureAlphaDropout(0.2, true), 'FeatureAlphaDropout(p=0.2, inplace=True)'],
  ] as const;
  expect(printed.map(([m]) => String(m))).toEqual(printed.map(([, s]) => s));
  expect(() => new wg.nn.GELU('erf' as 'none')).toThrow("wasmgrad.nn.GELU: approximate must be 'none' or 'tanh', got \"erf\"");
});
