/**
 * wg.nn.functional is PyTorch's `F` under camelCased names: each entry must be the wg function
 * itself (no wrapper that could drift), and the `…Loss` names must be the wg.losses functions.
 */
import { beforeAll, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import * as TF from '../src/api/torch-forms.js';
import { initWasm } from './helpers/setup.js';

beforeAll(initWasm);

const F = wg.nn.functional;
const LOSSES: [keyof typeof F, keyof typeof wg.losses][] = [
  ['nllLoss', 'nll'],
  ['mseLoss', 'mse'],
  ['l1Loss', 'l1'],
  ['smoothL1Loss', 'smoothL1'],
  ['huberLoss', 'huber'],
  ['binaryCrossEntropy', 'bce'],
  ['binaryCrossEntropyWithLogits', 'bceWithLogits'],
  ['crossEntropy', 'crossEntropy'],
  ['klDiv', 'klDiv'],
  ['marginRankingLoss', 'marginRanking'],
  ['hingeEmbeddingLoss', 'hingeEmbedding'],
  ['cosineEmbeddingLoss', 'cosineEmbedding'],
  ['tripletMarginLoss', 'tripletMargin'],
  ['tripletMarginWithDistanceLoss', 'tripletMarginWithDistance'],
  ['softMarginLoss', 'softMargin'],
  ['poissonNllLoss', 'poissonNll'],
  ['gaussianNllLoss', 'gaussianNll'],
  ['multilabelSoftMarginLoss', 'multiLabelSoftMargin'],
  ['multiMarginLoss', 'multiMargin'],
  ['multilabelMarginLoss', 'multiLabelMargin'],
  ['ctcLoss', 'ctc'],
];

/** F entries torch has only in torch.nn.functional, not on torch: not on wg either. */
const F_ONLY = ['multiHeadAttentionForward'];

test('every F entry that is not a loss is the wg function of the same name', () => {
  const lossNames = new Set<string>(LOSSES.map(([f]) => f));
  const names = Object.keys(F).filter((k) => !lossNames.has(k) && !F_ONLY.includes(k));
  for (const k of F_ONLY) expect([k, k in wg, typeof F[k as keyof typeof F]]).toEqual([k, false, 'function']);
  expect(names.length).toBeGreaterThan(60);
  for (const k of names) expect([k, F[k as keyof typeof F]]).toEqual([k, (wg as Record<string, unknown>)[k]]);
});

test("F's loss names are wg.losses' functions, with torch's positional and keyword forms (src/api/torch-forms.ts)", () => {
  for (const [f, l] of LOSSES) expect([f, F[f]]).toEqual([f, f in TF ? TF[f as keyof typeof TF] : wg.losses[l]]);
  // all but tripletMarginWithDistanceLoss, whose options are keyword-only in torch too
  expect(LOSSES.filter(([f]) => !(f in TF)).map(([f]) => f)).toEqual(['tripletMarginWithDistanceLoss']);
});

test('a PyTorch-style forward through F trains like the wg functions', () => {
  wg.manualSeed(3);
  const x = wg.randn([4, 6]);
  const w = wg.randn([3, 6], { requiresGrad: true });
  const y = wg.tensor([0, 2, 1, 2], { dtype: 'int32' });
  const loss = F.crossEntropy(F.dropout(F.relu(F.linear(x, w)), 0.5, false), y);
  loss.backward();
  const w2 = w.detach().requiresGrad_();
  const ref = wg.losses.crossEntropy(wg.relu(wg.linear(x, w2)), y);
  ref.backward();
  expect(loss.item()).toBe(ref.item());
  expect(Array.from(w.grad!.data())).toEqual(Array.from(w2.grad!.data()));
});
