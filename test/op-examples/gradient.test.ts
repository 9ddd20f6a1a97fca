/**
 * wg.gradient (torch.gradient) and wg.range (torch.range) on both backends: values and gradients
 * computed by PyTorch 1.13 and written here as literals (the gradients are of Σₖ Σ w·yₖ over the
 * returned tensors, w = 1, 2, 3, … over each one's elements), a gradcheck, and the error paths.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
/** Equal in length, within float32 rounding (relative 3e-6 or 1e-5 absolute: sums of a few float32 terms). */
function close(got: unknown, want: unknown): void {
  const [g, w] = [flat(got), flat(want)];
  expect(g.length, `${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(w.length);
  g.forEach((x, i) => expect(Math.abs(x - w[i]), `element ${i}: ${x} vs ${w[i]}`).toBeLessThanOrEqual(1e-5 + 3e-6 * Math.abs(w[i])));
}

const X1 = [1, -2, 0.5, 4, 3];
const X2 = [
  [1, 2, 4, 7, 11],
  [0.5, -1, 3, 2, -4],
  [2, 2.5, -0.5, 6, 1],
];
// (arange(30).reshape(2, 3, 5) ** 1.5) % 7 in float32, as the PyTorch script made it
const X3 = [
  [
    [0.0, 1.0, 2.8284270763397217, 5.196152210235596, 1.0],
    [4.180339813232422, 0.6969385147094727, 4.520259857177734, 1.6274166107177734, 6.0],
    [3.6227760314941406, 1.4828720092773438, 6.569217681884766, 4.872165679931641, 3.3832015991210938],
  ],
  [
    [2.0947494506835938, 1.0, 0.09279632568359375, 6.367530822753906, 5.8190765380859375],
    [5.442718505859375, 5.234092712402344, 5.18914794921875, 5.3041229248046875, 5.575508117675781],
    [6.0, 6.5745086669921875, 0.296112060546875, 1.162078857421875, 2.1697845458984375],
  ],
];
/** Non-uniform sample coordinates for a dim of 5 and of 3. */
const C5 = [0, 0.5, 1.5, 1.75, 3];
const C3 = [0, 1, 3];

interface Case {
  name: string;
  x: wg.NestedArray;
  opts: Omit<wg.GradientOptions, 'spacing'> & { spacing?: number | number[] };
  /** Coordinate tensors' data, as the spacing when given. */
  coords: number[][];
  ys: unknown[];
  gx: unknown;
  gc: unknown[];
}
// torch.gradient(x, **opts) (spacing = the coordinates when given), then the weighted backward
const CASES: Case[] = [
  { name: '1d default', x: X1, opts: {}, coords: [], ys: [[-3.0, -0.25, 3.0, 1.25, -1.0]], gx: [-2.0, -0.5, -1.0, -3.5, 7.0], gc: [] },
  { name: '1d spacing 2', x: X1, opts: { spacing: 2 }, coords: [], ys: [[-1.5, -0.125, 1.5, 0.625, -0.5]], gx: [-1.0, -0.25, -0.5, -1.75, 3.5], gc: [] },
  {
    name: '1d edge 2 spacing 0.5',
    x: X1,
    opts: { spacing: 0.5, edgeOrder: 2 },
    coords: [],
    ys: [[-11.5, -0.5, 6.0, 2.5, -6.5]],
    gx: [-5.0, 1.0, 2.0, -17.0, 19.0],
    gc: [],
  },
  {
    name: '1d coords edge 1',
    x: X1,
    opts: { edgeOrder: 1 },
    coords: [C5],
    ys: [[-6.0, -3.1666667461395264, 11.699999809265137, 11.533332824707031, -0.800000011920929]],
    gx: [-4.6666669845581055, 3.4000000953674316, -21.66666603088379, 18.400001525878906, 4.5333333015441895],
    gc: [[-35.55555725097656, 36.97999954223633, 374.6111145019531, -386.239990234375, 10.20444393157959]],
  },
  {
    name: '1d coords edge 2',
    x: X1,
    opts: { edgeOrder: 2 },
    coords: [C5],
    ys: [[-8.833333969116211, -3.1666667461395264, 11.699999809265137, 11.533332824707031, -13.13333511352539]],
    gx: [-5.333333492279053, 4.400000095367432, -5.333334445953369, -1.5999994277954102, 7.866666793823242],
    gc: [[-35.77777862548828, 34.47999954223633, 102.88887786865234, -106.239990234375, 4.648895740509033]],
  },
  {
    name: '2d default',
    x: X2,
    opts: {},
    coords: [],
    ys: [
      [
        [-0.5, -3.0, -1.0, -5.0, -15.0],
        [0.5, 0.25, -2.25, -0.5, -5.0],
        [1.5, 3.5, -3.5, 4.0, 5.0],
      ],
      [
        [1.0, 1.5, 2.5, 3.5, 4.0],
        [-1.5, 1.25, 1.5, -3.5, -6.0],
        [0.5, -1.25, 1.75, 0.75, -5.0],
      ],
    ],
    gx: [
      [-6.0, -6.0, -8.0, -12.0, -3.0],
      [-19.5, -8.0, -11.0, -16.0, 4.5],
      [-3.0, 20.0, 16.0, 10.0, 42.0],
    ],
    gc: [],
  },
  {
    name: '2d dim -1',
    x: X2,
    opts: { dim: -1 },
    coords: [],
    ys: [
      [
        [1.0, 1.5, 2.5, 3.5, 4.0],
        [-1.5, 1.25, 1.5, -3.5, -6.0],
        [0.5, -1.25, 1.75, 0.75, -5.0],
      ],
    ],
    gx: [
      [-2.0, -0.5, -1.0, -3.5, 7.0],
      [-9.5, 2.0, -1.0, -6.0, 14.5],
      [-17.0, 4.5, -1.0, -8.5, 22.0],
    ],
    gc: [],
  },
  {
    name: '2d dims [1,0] spacing list edge 2',
    x: X2,
    opts: { dim: [1, 0], spacing: [2, 0.5], edgeOrder: 2 },
    coords: [],
    ys: [
      [
        [0.25, 0.75, 1.25, 1.75, 2.25],
        [-2.125, 0.625, 0.75, -1.75, -4.25],
        [1.125, -0.625, 0.875, 0.375, -5.375],
      ],
      [
        [-3.0, -12.5, 0.5, -19.0, -50.0],
        [1.0, 0.5, -4.5, -1.0, -10.0],
        [5.0, 13.5, -9.5, 17.0, 30.0],
      ],
    ],
    gx: [
      [0.75, -0.75, -3.5, -11.25, -5.25],
      [-46.25, -36.0, -39.5, -48.0, -30.25],
      [26.75, 48.75, 44.5, 35.25, 64.75],
    ],
    gc: [],
  },
  {
    name: '2d coords dim 0 edge 2',
    x: X2,
    opts: { dim: 0, edgeOrder: 2 },
    coords: [C3],
    ys: [
      [
        [-0.9166667461395264, -4.583333492279053, -0.7500001788139343, -7.333333969116211, -20.83333396911621],
        [-0.0833333432674408, -1.4166667461395264, -1.2500001192092896, -2.6666669845581055, -9.166666984558105],
        [1.5833332538604736, 4.9166669845581055, -2.25, 6.6666669845581055, 14.166666984558105],
      ],
    ],
    gx: [
      [2.0, 0.6666660308837891, -0.6666665077209473, -1.9999995231628418, -3.333333969116211],
      [-12.0, -11.5, -11.0, -10.5, -10.0],
      [9.999999046325684, 10.833333969116211, 11.666666030883789, 12.499999046325684, 13.333333969116211],
    ],
    gc: [[2.9444580078125, 31.124980926513672, -34.06943893432617]],
  },
  {
    name: '2d coords both edge 1',
    x: X2,
    opts: { edgeOrder: 1 },
    coords: [C3, C5],
    ys: [
      [
        [-0.5, -3.0, -1.0, -5.0, -15.0],
        [-0.0833333432674408, -1.4166667461395264, -1.2500001192092896, -2.6666669845581055, -9.166666984558105],
        [0.75, 1.75, -1.75, 2.0, 2.5],
      ],
      [
        [2.0, 2.0, 10.0, 10.533332824707031, 3.200000047683716],
        [-3.0, -0.6666667461395264, -2.4000000953674316, -4.133333206176758, -4.800000190734863],
        [1.0, -0.33333343267440796, 20.200000762939453, 21.0, -4.0],
      ],
    ],
    gx: [
      [-9.666666984558105, -3.266666889190674, -30.0, 8.400001525878906, -7.133333683013916],
      [-22.83333396911621, 16.899999618530273, -51.16666793823242, 47.900001525878906, 11.699999809265137],
      [-31.5, 38.56666946411133, -73.83332824707031, 82.9000015258789, 23.03333282470703],
    ],
    gc: [
      [-316.4444580078125, 390.375, -73.93055725097656],
      [-17.111116409301758, -39.08000183105469, 2880.333251953125, -2960.639892578125, 136.497802734375],
    ],
  },
  {
    name: '3d dims [0,2] spacing 0.25',
    x: X3,
    opts: { dim: [0, 2], spacing: 0.25 },
    coords: [],
    ys: [
      [
        [
          [8.378997802734375, 0.0, -10.942523002624512, 4.685514450073242, 19.27630615234375],
          [5.0495147705078125, 18.148616790771484, 2.6755523681640625, 14.706825256347656, -1.697967529296875],
          [9.508895874023438, 20.366546630859375, -25.092422485351562, -14.840347290039062, -4.853668212890625],
        ],
        [
          [8.378997802734375, 0.0, -10.942523002624512, 4.685514450073242, 19.27630615234375],
          [5.0495147705078125, 18.148616790771484, 2.6755523681640625, 14.706825256347656, -1.697967529296875],
          [9.508895874023438, 20.366546630859375, -25.092422485351562, -14.840347290039062, -4.853668212890625],
        ],
      ],
      [
        [
          [4.0, 5.656854152679443, 8.392304420471191, -3.6568541526794434, -16.784608840942383],
          [-13.933605194091797, 0.679840087890625, 1.8609561920166016, 2.9594802856445312, 17.490333557128906],
          [-8.559616088867188, 5.89288330078125, 6.778587341308594, -6.372032165527344, -5.9558563232421875],
        ],
        [
          [-4.378997802734375, -4.00390625, 10.735061645507812, 11.452560424804688, -2.193817138671875],
          [-0.834503173828125, -0.50714111328125, 0.1400604248046875, 0.7727203369140625, 1.085540771484375],
          [2.29803466796875, -11.40777587890625, -10.824859619140625, 3.747344970703125, 4.03082275390625],
        ],
      ],
    ],
    gx: [
      [
        [-76.0, -78.0, -88.0, -106.0, -72.0],
        [-146.0, -108.0, -128.0, -156.0, -82.0],
        [-216.0, -138.0, -168.0, -206.0, -92.0],
      ],
      [
        [-30.0, 104.0, 80.0, 48.0, 218.0],
        [-20.0, 154.0, 120.0, 78.0, 288.0],
        [-10.0, 204.0, 160.0, 108.0, 358.0],
      ],
    ],
    gc: [],
  },
  {
    name: '3d coords dim -2 edge 2',
    x: X3,
    opts: { dim: [-2], edgeOrder: 2 },
    coords: [C3],
    ys: [
      [
        [
          [5.666713714599609, -0.5350709557533264, 1.9142839908599854, -5.299105644226074, 7.102799415588379],
          [2.6939659118652344, -0.07105208933353424, 1.4693814516067505, -1.8383655548095703, 2.897200107574463],
          [-3.2515296936035156, 0.8569855093955994, 0.5795764923095703, 5.0831146240234375, -5.513998508453369],
        ],
        [
          [4.3710784912109375, 5.422054290771484, 7.6106414794921875, -0.7275371551513672, 0.24286237359046936],
          [2.324859619140625, 3.046131134033203, 2.582061767578125, -1.3992795944213867, -0.7299996614456177],
          [-1.767578125, -1.7057156562805176, -7.47509765625, -2.742764472961426, -2.6757240295410156],
        ],
      ],
    ],
    gx: [
      [
        [2.0, 0.6666660308837891, -0.6666665077209473, -1.9999995231628418, -3.333333969116211],
        [-12.0, -11.5, -11.0, -10.5, -10.0],
        [9.999999046325684, 10.833333969116211, 11.666666030883789, 12.499999046325684, 13.333333969116211],
      ],
      [
        [-18.0, -19.333335876464844, -20.66666603088379, -22.0, -23.333335876464844],
        [-4.5, -4.0, -3.5, -3.0, -2.5],
        [22.5, 23.333332061767578, 24.16666603088379, 25.0, 25.833332061767578],
      ],
    ],
    gc: [[127.40113830566406, -197.39483642578125, 69.99370574951172]],
  },
];

for (const be of BACKENDS) {
  describe(`gradient and range on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    for (const c of CASES)
      test(`gradient: ${c.name}`, () => {
        const x = wg.tensor(c.x, { requiresGrad: true });
        const coords = c.coords.map((v) => wg.tensor(v, { requiresGrad: true }));
        const ys = wg.gradient(x, coords.length > 0 ? { ...c.opts, spacing: coords } : c.opts);
        expect(ys.length).toBe(c.ys.length);
        ys.forEach((y, k) => {
          expect(y.shape).toEqual(x.shape);
          close(y.toArray(), c.ys[k]);
        });
        const loss = ys.map((y) => y.mul(wg.arange(1, y.size + 1).reshape(y.shape)).sum()).reduce((a, b) => a.add(b));
        loss.backward();
        close(x.grad!.toArray(), c.gx);
        coords.forEach((t, k) => close(t.grad!.toArray(), c.gc[k]));
      });

    test('gradient: int32 input gives float32, the smallest sizes, 0-d and empty dim lists', () => {
      const ints = wg.tensor(
        [
          [1, 2, 4],
          [3, 3, 0],
        ],
        { dtype: 'int32' },
      );
      const [g] = wg.gradient(ints, { dim: 1, spacing: 2 });
      expect(g.dtype).toBe('float32');
      expect(g.toArray()).toEqual([
        [0.5, 0.75, 1],
        [0, -0.75, -1.5],
      ]);
      // size 2 with edge order 1, size 3 with edge order 2 (torch 1.13's values)
      expect(wg.gradient(wg.tensor([3, 5]))[0].toArray()).toEqual([2, 2]);
      expect(wg.gradient(wg.tensor([1, 4, 9]), { edgeOrder: 2 })[0].toArray()).toEqual([2, 4, 6]);
      close(wg.gradient(wg.tensor([1, 4, 9]), { spacing: [wg.tensor([0, 1, 3])], edgeOrder: 2 })[0].toArray(), [19 / 6, 17 / 6, 13 / 6]);
      // a dim of size 1 outside the dims asked for, and an empty one, are no obstacle
      expect(wg.gradient(wg.ones([1, 5]), { dim: 1 })[0].toArray()).toEqual([[0, 0, 0, 0, 0]]);
      expect(wg.gradient(wg.zeros([3, 0]), { dim: 0 })[0].shape).toEqual([3, 0]);
      // torch's None (null) is the default spacing and dims
      expect(wg.gradient(wg.tensor([3, 5, 9]), { spacing: null, dim: null })[0].toArray()).toEqual([2, 3, 4]);
      expect(wg.gradient(wg.tensor(3))).toEqual([]);
      expect(wg.gradient(wg.ones([3, 4]), { dim: [] })).toEqual([]);
    });

    test('gradient passes gradcheck, uniform and with coordinates', () => {
      const x = wg.tensor([0.3, -1.2, 2.1, 0.7, -0.4, 1.6, 0.9], { requiresGrad: true });
      const t = wg.tensor([0, 0.4, 1.1, 1.5, 2.6, 3.0, 3.9], { requiresGrad: true });
      for (const edgeOrder of [1, 2]) {
        expect(wg.gradcheck((a) => wg.gradient(a, { spacing: 0.7, edgeOrder })[0], [x]).ok).toBe(true);
        expect(wg.gradcheck((a, c) => wg.gradient(a, { spacing: [c], edgeOrder })[0], [x, t]).ok).toBe(true);
      }
      const m = wg.tensor([0.1, 0.5, -0.3, 0.8, 1.1, -0.6, 0.2, 0.9, -1.0, 0.4, 0.3, 0.7, -0.2, 0.6, 1.3], { requiresGrad: true });
      const grid = (a: wg.Tensor) => wg.gradient(a.reshape([3, 5]), { spacing: [1.5, 0.5], edgeOrder: 2 });
      expect(wg.gradcheck((a) => grid(a)[0].add(grid(a)[1].mul(2)), [m]).ok).toBe(true);
    });

    test('gradient and range replay inside wg.compile', () => {
      const f = wg.compile((x: wg.Tensor) => wg.gradient(x, { spacing: [wg.range(0, 4, 1).mul(wg.range(1, 5))], edgeOrder: 2 })[0]);
      // coordinates 0, 2, 6, 12, 20; the same values as the eager call, for two inputs
      for (const data of [X1, [2, 0, -1, 3, 5]])
        close(f(wg.tensor(data)).toArray(), wg.gradient(wg.tensor(data), { spacing: [wg.tensor([0, 2, 6, 12, 20])], edgeOrder: 2 })[0].toArray());
    });

    test('gradient errors name the function and the values (where torch 1.13 raises, or reads past a list)', () => {
      const x = wg.ones([3, 4]);
      const err = (f: () => unknown, cls: unknown, msg: RegExp) =>
        expect(f).toThrow(expect.objectContaining({ constructor: cls, message: expect.stringMatching(msg) }));
      err(() => wg.gradient(x, { spacing: [2, 3, 4] }), wg.ValueError, /gradient.*a list of length 2 \(input's dims\), got a list of length 3/);
      // torch 1.13 accepts a one-element list for a 2-D input, then reads memory past it
      err(() => wg.gradient(x, { spacing: [2] }), wg.ValueError, /got a list of length 1/);
      err(() => wg.gradient(x, { spacing: [2, 3], dim: 1 }), wg.ValueError, /length 1 \(as dim\), got a list of length 2/);
      err(() => wg.gradient(x, { spacing: [wg.tensor([0, 1, 3, 4]), 2] as never }), wg.ValueError, /not a mix/);
      err(() => wg.gradient(x, { spacing: 'a' as never }), wg.ValueError, /spacing must be a number or a list/);
      err(() => wg.gradient(x, { spacing: [wg.tensor([[0, 1, 3, 4]])], dim: 1 }), wg.ShapeError, /spacing\[0\] must be 1-D.*dim 1 \(4\), got shape \[1, 4\]/);
      err(() => wg.gradient(x, { spacing: [wg.tensor([0, 1, 3])], dim: 1 }), wg.ShapeError, /as long as dim 1 \(4\), got shape \[3\]/);
      err(() => wg.gradient(x, { edgeOrder: 3 }), wg.ValueError, /only supports edgeOrder 1 and 2, got 3/);
      err(() => wg.gradient(x, { edgeOrder: 0 }), wg.ValueError, /edgeOrder 1 and 2, got 0/);
      err(() => wg.gradient(wg.ones([2, 5]), { edgeOrder: 2 }), wg.ShapeError, /at least edgeOrder \+ 1 = 3 elements, got 2 along dim 0/);
      err(() => wg.gradient(wg.ones([1, 5])), wg.ShapeError, /at least edgeOrder \+ 1 = 2 elements, got 1 along dim 0/);
      err(() => wg.gradient(x, { dim: 2 }), wg.ShapeError, /dim 2 is out of range/);
      err(() => wg.gradient(x, { dim: [1, -1] }), wg.ValueError, /dim 1 appears multiple times/);
      err(() => wg.gradient(x, { dim: 0.5 }), wg.ValueError, /dim must be an integer/);
      err(() => wg.gradient(x, { dims: 0 } as never), wg.ValueError, /gradient/);
      err(() => wg.gradient([1, 2] as never), wg.ValueError, /gradient/);
    });

    test('range: the end included, float32 values of start + i·step computed in float64', () => {
      const r = wg.range(0, 1, 0.1);
      expect(r.dtype).toBe('float32');
      // torch.range(0, 1, 0.1).tolist()
      expect(r.toArray()).toEqual([
        0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929,
        0.8999999761581421, 1.0,
      ]);
      // (0.7 − 0.1)/0.2 is 2.9999999999999996 in float64: three values, as torch
      expect(wg.range(0.1, 0.7, 0.2).toArray()).toEqual([0.10000000149011612, 0.30000001192092896, 0.5]);
      // 0.75/0.15 is 5.000000000000001: six
      expect(wg.range(-0.3, 0.45, 0.15).toArray()).toEqual([
        -0.30000001192092896, -0.15000000596046448, 0.0, 0.15000000596046448, 0.30000001192092896, 0.44999998807907104,
      ]);
      expect(wg.range(1, 4).toArray()).toEqual([1, 2, 3, 4]);
      expect(wg.range(1, 4).dtype).toBe('float32');
      expect(wg.range(5, 1, -1.5).toArray()).toEqual([5, 3.5, 2]);
      expect(wg.range(1, 1).toArray()).toEqual([1]);
      expect(wg.range(0, 2 ** 24 + 3, 2 ** 23).toArray()).toEqual([0, 8388608, 16777216]);
      // int32 truncates the bounds and the step first, as torch's integer kernel
      const i = wg.range(-1.7, 3.2, 1.1, { dtype: 'int32' });
      expect([i.dtype, i.toArray()]).toEqual(['int32', [-1, 0, 1, 2, 3]]);
      // torch's keyword form
      expect(wg.range({ start: 1, end: 3 } as never).toArray()).toEqual([1, 2, 3]);
      expect(wg.range(0, 2, { step: 0.5 } as never).toArray()).toEqual([0, 0.5, 1, 1.5, 2]);
      const g = wg.range(0, 2, 1, { requiresGrad: true });
      expect([g.requiresGrad, g.isLeaf]).toEqual([true, true]);
    });

    test('range errors as torch 1.13 (step 0, the wrong sign, non-finite bounds)', () => {
      const err = (f: () => unknown, msg: RegExp) =>
        expect(f).toThrow(expect.objectContaining({ constructor: wg.ValueError, message: expect.stringMatching(msg) }));
      err(() => wg.range(0, 1, 0), /range.*step must be a finite non-zero number, got 0/);
      err(() => wg.range(0, 5, 0.5, { dtype: 'int32' }), /step must be .*non-zero.*got 0.5 \(truncated for int32\)/);
      err(() => wg.range(1, 0, 1), /inconsistent with step sign: start 1, end 0, step 1/);
      err(() => wg.range(1, 1e-9), /inconsistent with step sign/);
      err(() => wg.range(0, 2, -1), /inconsistent with step sign/);
      err(() => wg.range(0, Infinity), /unsupported range: 0 -> Infinity/);
      err(() => wg.range(0, NaN), /unsupported range: 0 -> NaN/);
      err(() => wg.range(0, 2 ** 32, 1, { dtype: 'int32' }), /do not fit in int32/);
      err(() => wg.range(0, '2' as never), /end must be a number/);
      err(() => wg.range(0, 2, 1, { shape: [2] } as never), /range/);
      err(() => wg.range(0, 2, 1, 4 as never), /range/);
    });
  });
}
