/**
 * wg.histogramdd (src/api/histogramdd.ts) on both backends against torch 1.13
 * (test/fixtures/histogramdd-torch.py → histogramdd-torch.json): numbers of bins, per-dim numbers,
 * edge tensors, range, weight, density, degenerate and empty data, leading dims; its agreement
 * with wg.histogram for one dim; and every error path.
 */
import { describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { onBothBackends, readFixture } from './helpers/both-backends.js';

interface Case {
  x: wg.NestedArray;
  xshape: number[];
  bins: number | number[] | number[][];
  edgeBins: boolean;
  range: number[] | null;
  weight: wg.NestedArray | null;
  density: boolean;
  hist: number[];
  shape: number[];
  edges: number[][];
}
const REF = readFixture<Case[]>('histogramdd-torch.json');

onBothBackends(() => {
  test.each(REF.map((c, i) => [i, c] as const))('case %i equals torch', (_, c) => {
    const x = wg.tensor(c.x, { shape: c.xshape });
    const bins = c.edgeBins ? (c.bins as number[][]).map((e) => wg.tensor(e)) : (c.bins as number | number[]);
    const r = wg.histogramdd(x, bins, {
      ...(c.range ? { range: c.range } : {}),
      ...(c.weight ? { weight: wg.tensor(c.weight) } : {}),
      density: c.density,
    });
    expect(r.hist.shape).toEqual(c.shape);
    expectClose(r.hist.data(), c.hist, 1e-5);
    expect(r.binEdges.length).toBe(c.edges.length);
    r.binEdges.forEach((e, d) => expectClose(e.data(), c.edges[d], 1e-6));
    const [hist, edges] = r;
    expect(hist).toBe(r.hist);
    expect(edges).toBe(r.binEdges);
  });

  test('one dim is wg.histogram', () => {
    wg.manualSeed(5);
    const x = wg.randn([33]);
    const w = wg.rand([33]);
    const h1 = wg.histogram(x, 7, { weight: w, density: true });
    const hd = wg.histogramdd(x.reshape([33, 1]), 7, { weight: w, density: true });
    expectClose(hd.hist.data(), h1.hist.data(), 1e-6);
    expectClose(hd.binEdges[0].data(), h1.binEdges.data(), 1e-7);
  });

  test('no gradient reaches the input or the weight', () => {
    const x = wg.randn([4, 2]).requiresGrad_(true);
    const w = wg.rand([4]).requiresGrad_(true);
    expect(wg.histogramdd(x, 2, { weight: w }).hist.requiresGrad).toBe(false);
  });
});

describe('errors', () => {
  const x = () => wg.zeros([3, 2]);
  test.each([
    [() => wg.histogramdd(wg.zeros([3]), 2), 'wasmgrad.histogramdd: input must have at least 2 dims [..., D], got [3]'],
    [() => wg.histogramdd(wg.zeros([3, 0]), 2), "wasmgrad.histogramdd: input's last dim holds the points' coordinates and must not be 0, got [3, 0]"],
    [() => wg.histogramdd(x(), [2]), 'wasmgrad.histogramdd: bins must be a number, 2 numbers or 2 edge tensors (one per dim of the points), got [2]'],
    [() => wg.histogramdd(x(), [2, wg.tensor([0, 1])] as unknown as number[]), 'wasmgrad.histogramdd: bins must be a number, 2 numbers or 2 edge tensors'],
    [() => wg.histogramdd(x(), 0), 'wasmgrad.histogramdd: bins must be an integer ≥ 1'],
    [
      () => wg.histogramdd(x(), 2, { range: [0, 1] }),
      'wasmgrad.histogramdd: for a 2-dimensional histogram range must be 4 numbers [min₀, max₀, …], got [0, 1]',
    ],
    [() => wg.histogramdd(x(), 2, { range: [1, 0, 0, 1] }), "wasmgrad.histogramdd: range's min must not exceed its max, got [1, 0]"],
    [
      () => wg.histogramdd(x(), 2, { weight: wg.ones([2]) }),
      "wasmgrad.histogramdd: weight must be a float32 tensor of the input's shape without its last dim [3], got float32 [2]",
    ],
    [
      () => wg.histogramdd(x(), [wg.tensor([0, 1]), wg.tensor([[0, 1]])]),
      'wasmgrad.histogramdd: bins[1] must be a 1-D tensor of at least 2 edges, got shape [1, 2]',
    ],
    [() => wg.histogramdd(x(), [wg.tensor([0, 1]), wg.tensor([0, 1])], { range: [0, 1, 0, 1] }), 'wasmgrad.histogramdd: range applies to numbers of bins'],
    [() => wg.histogramdd(wg.zeros([3, 2], { dtype: 'int32' }), 2), 'wasmgrad.histogramdd: input 0 must be float32, got int32'],
    [() => wg.histogramdd(x(), 2, { density: 1 as unknown as boolean }), 'wasmgrad.histogramdd: density'],
    [() => wg.histogramdd(wg.tensor([[NaN, 0]]), 2), 'wasmgrad.histogramdd: the range'],
  ])('%#', (f, msg) => {
    expect(f).toThrow(msg);
  });
});
