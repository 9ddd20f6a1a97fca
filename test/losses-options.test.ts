/** crossEntropy class weights and label smoothing, against values printed by PyTorch 1.13 (float64). */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const X = [
  [1, 2, 3],
  [3, 1, -1],
  [0.5, -0.5, 2],
];
const Y = [2, 0, 1];
const W = [0.2, 1.0, 3.0];
// F.cross_entropy(x, y, reduction=r, **kw)
const torch = {
  smooth: { mean: [1.1667462753615823], sum: [3.500238826084747], none: [0.5076059644443804, 0.34293162849989967, 2.649701233140467] },
  weight: { mean: [0.9566124092476797], sum: [4.017772118840255], none: [1.2228178933331413, 0.028586325699979938, 2.7663678998071335] },
  both: { mean: [1.1086391824704602], sum: [4.656284566375933], none: [1.1857173180442728, 0.9962232498732893, 2.474343998458371] },
};
// d/dx of F.cross_entropy(x, y, weight=w, label_smoothing=0.2)
const GRAD_BOTH = [
  0.05427347684840149, 0.14028705613337883, -0.19456053298178036, 0.04953917448416522, -0.0035833520055093774, -0.04595582247865586, 0.04078468316197146,
  -0.19017748865741183, 0.14939280549544037,
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`crossEntropy options on ${be}`, () => {
    test('weights, smoothing and both, every reduction, and the gradient', () => {
      wg.setBackend(be);
      const y = wg.tensor(Int32Array.from(Y));
      const w = wg.tensor(W);
      const opts = { smooth: { labelSmoothing: 0.1 }, weight: { weight: w }, both: { weight: w, labelSmoothing: 0.2 } };
      for (const [k, o] of Object.entries(opts) as [keyof typeof opts, object][])
        for (const r of ['mean', 'sum', 'none'] as const)
          expectClose(wg.losses.crossEntropy(wg.tensor(X), y, { ...o, reduction: r }).data(), torch[k][r], 2e-6);
      const x = wg.tensor(X, { requiresGrad: true });
      wg.losses.crossEntropy(x, y, opts.both).backward();
      expectClose(x.grad!.data(), GRAD_BOTH, 2e-6);
    });

    test('probability targets with smoothing and with weights', () => {
      wg.setBackend(be);
      const p = wg.tensor([
        [0.2, 0.3, 0.5],
        [1, 0, 0],
        [0.1, 0.1, 0.8],
      ]);
      expectClose(wg.losses.crossEntropy(wg.tensor(X), p, { labelSmoothing: 0.1 }).data(), [0.7467462753615824], 2e-6);
      expectClose(wg.losses.crossEntropy(wg.tensor(X), p, { weight: wg.tensor(W) }).data(), [0.703276135930539], 2e-6);
      expectClose(wg.losses.crossEntropy(wg.tensor(X), p, { weight: wg.tensor(W), reduction: 'sum' }).data(), [2.1098284077916167], 2e-6);
    });

    test('bad options are clear errors', () => {
      wg.setBackend(be);
      const y = wg.tensor(Int32Array.from(Y));
      expect(() => wg.losses.crossEntropy(wg.tensor(X), y, { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\]/);
      expect(() => wg.losses.crossEntropy(wg.tensor(X), y, { weight: wg.tensor([1, 2]) })).toThrow(/weight must be a float32 tensor of shape \[3\]/);
      expect(() => wg.losses.crossEntropy(wg.tensor(X), wg.tensor(Int32Array.from([0, 3, 1])), { weight: wg.tensor(W) })).toThrow(/label/);
    });
  });
}

test("BCELoss and BCEWithLogitsLoss take PyTorch's weight and posWeight as buffers ('weight', 'pos_weight') and equal the functions", () => {
  wg.setBackend('wasm');
  const weight = wg.tensor([1, 0.5, 2]),
    posWeight = wg.tensor([2, 1, 3]);
  const m = new wg.nn.BCEWithLogitsLoss({ weight, posWeight });
  expect(Object.keys(m.stateDict())).toEqual(['weight', 'pos_weight']);
  expect(Object.keys(new wg.nn.BCELoss({ weight }).stateDict())).toEqual(['weight']);
  const x = wg.tensor([[0.5, -1, 2]]),
    t = wg.tensor([[1, 0, 0.5]]);
  expect(m.forward(x, t).item()).toBe(wg.losses.bceWithLogits(x, t, { weight, posWeight }).item());
  expect(new wg.nn.BCELoss({ weight, reduction: 'sum' }).forward(x.sigmoid(), t).item()).toBe(
    wg.losses.bce(x.sigmoid(), t, { weight, reduction: 'sum' }).item(),
  );
  expect(() => new wg.nn.BCEWithLogitsLoss({ pos_weight: posWeight } as never)).toThrow(/nn.BCEWithLogitsLoss: unknown option 'pos_weight'/);
});
