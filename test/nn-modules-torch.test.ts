/**
 * Conv1d, ConvTranspose2d, Upsample, AdaptiveAvgPool2d, GroupNorm and InstanceNorm2d (issue 12
 * item 3) against PyTorch 1.13 in float64: test/fixtures/modules-torch.py fills state-dict entry k
 * and the input with 0.5·sin(i·s + 0.5) and records keys, shapes, outputs, the input's gradient
 * and the first parameter's gradient of Σy².
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled as filled } from './helpers/sin-fill.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/modules-torch.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initWasm();
});

const CASES: [string, () => wg.nn.Module, number[], number][] = [
  ['conv1d', () => new wg.nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }), [2, 4, 9], 0.3],
  ['conv1d_same', () => new wg.nn.Conv1d(3, 2, 4, { padding: 'same', dilation: 2, bias: false }), [1, 3, 7], 0.4],
  ['convT', () => new wg.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [1, 4, 3, 5], 0.5],
  ['up_nearest', () => new wg.nn.Upsample({ scaleFactor: 2, mode: 'nearest' }), [1, 2, 2, 3], 0.6],
  ['up_bilinear', () => new wg.nn.Upsample({ size: [5, 4], mode: 'bilinear', alignCorners: true }), [1, 2, 2, 3], 0.7],
  ['aap', () => new wg.nn.AdaptiveAvgPool2d([2, 3]), [2, 3, 5, 7], 0.8],
  ['gn', () => new wg.nn.GroupNorm(2, 6), [2, 6, 3, 2], 0.9],
  ['gn1d', () => new wg.nn.GroupNorm(3, 3, { affine: false }), [4, 3, 5], 1.1],
  ['in2d', () => new wg.nn.InstanceNorm2d(3), [2, 3, 4, 4], 1.2],
  ['in2d_affine', () => new wg.nn.InstanceNorm2d(3, { affine: true }), [3, 4, 4], 1.3],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`modules vs PyTorch on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    for (const [name, make, shape, s] of CASES)
      test(name, () => {
        const ref = REF[name];
        const m = make();
        const sd = m.stateDict();
        expect(Object.keys(sd)).toEqual(ref.keys);
        expect(Object.values(sd).map((t) => [...t.shape])).toEqual(ref.shapes);
        loadSinStateDict(m);
        const x = filled(shape, s);
        const y = m.forward(x);
        expect(y.shape).toEqual(ref.shape);
        y.mul(y).sum().backward();
        expectClose(Array.from(y.data()), ref.y, 2e-5);
        expectClose(Array.from(x.grad!.data()), ref.gx, 5e-5);
        if (ref.gw !== null) expectClose(Array.from(m.parameters()[0].grad!.data()), ref.gw, 5e-5);
      });
  });
}

describe('module checks', () => {
  test("PyTorch's default init bounds: Conv1d fanIn = inC/groups·k, ConvTranspose2d fanIn = outC/groups·kh·kw", () => {
    const c = new wg.nn.Conv1d(4, 8, 5, { groups: 2 });
    const bound = 1 / Math.sqrt(2 * 5);
    const w = Array.from(c.weight.data());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    const t = new wg.nn.ConvTranspose2d(3, 4, 3);
    expect(t.weight.shape).toEqual([3, 4, 3, 3]);
    expect(Math.max(...Array.from(t.weight.data()).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(36));
  });

  test('errors name the module', () => {
    expect(() => new wg.nn.GroupNorm(4, 6)).toThrow('wasmgrad.nn.GroupNorm: numChannels 6 must be divisible by numGroups 4');
    expect(() => new wg.nn.GroupNorm(2, 6).forward(wg.ones([2, 4, 3]))).toThrow('wasmgrad.nn.GroupNorm: expected an input [N, 6, *], got shape [2, 4, 3]');
    expect(() => new wg.nn.InstanceNorm2d(3, { momentum: -1 })).toThrow('wasmgrad.nn.InstanceNorm2d: momentum must be a number in [0, 1], got -1');
    expect(() => new wg.nn.Conv1d(3, 4, 3).forward(wg.ones([1, 2, 5]))).toThrow(
      'wasmgrad.nn.Conv1d: expected an input [N, 3, L] or [3, L], got shape [1, 2, 5]',
    );
    expect(() => new wg.nn.ConvTranspose2d(3, 4, 3, { groups: 2 })).toThrow(
      'wasmgrad.nn.ConvTranspose2d: inChannels 3 and outChannels 4 must both be multiples of groups 2',
    );
    expect(String(new wg.nn.GroupNorm(2, 6))).toBe('GroupNorm(2, 6, eps=1e-05, affine=True)');
    expect(String(new wg.nn.Conv1d(3, 2, 4, { padding: 'same', dilation: 2, bias: false }))).toBe(REF.conv1d_same.repr);
    expect(String(new wg.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }))).toBe(REF.convT.repr);
  });
});
