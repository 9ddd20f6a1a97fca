/**
 * nn.utils.rnn's packed sequences and RNN/GRU/LSTM over them, against torch 1.13 in float64
 * (test/fixtures/packed-torch.py → packed-torch.json: three sequences of lengths 2, 4, 1 given
 * unsorted, batchFirst; weights filled in state-dict order), on both backends.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/packed-torch.json', import.meta.url), 'utf8'));
const { rnn } = wg.nn.utils;

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
/** fill(shape, k) of the python: sin(0.37 i + k) / 2. */
const fill = (shape: number[], k: number, requiresGrad = false) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + k) * 0.5),
    { shape, requiresGrad },
  );
const LENGTHS = [2, 4, 1];

for (const be of ['wasm', 'reference'] as const)
  describe(`packed sequences on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));
    // the reference computes in float64 from float32 inputs (wg.tensor stores float32 values), torch from float64 ones
    const TOL = be === 'wasm' ? 2e-5 : 1e-7;

    test('packPaddedSequence (unsorted, batchFirst) and padPackedSequence (paddingValue, totalLength) as torch', () => {
      const p = rnn.packPaddedSequence(fill([3, 4, 2], 0.1), LENGTHS, { batchFirst: true, enforceSorted: false });
      expectClose(vals(p.data), REF.pack.data, TOL);
      expect([vals(p.batchSizes), vals(p.sortedIndices!), vals(p.unsortedIndices!)]).toEqual([REF.pack.batch_sizes, REF.pack.sorted, REF.pack.unsorted]);
      const [padded, lengths] = rnn.padPackedSequence(p, { batchFirst: true, paddingValue: -1, totalLength: 5 });
      expect([padded.shape, vals(lengths), lengths.dtype]).toEqual([REF.pad.shape, REF.pad.lengths, 'int32']);
      expectClose(vals(padded), REF.pad.values, TOL);
      const [data, sizes] = p; // torch's named tuple unpacks
      expect([data, sizes]).toEqual([p.data, p.batchSizes]);
      // unpackSequence gives the sequences back in the original order; packSequence packs them alike
      const seqs = rnn.unpackSequence(p);
      expect(seqs.map((s) => s.shape)).toEqual([
        [2, 2],
        [4, 2],
        [1, 2],
      ]);
      expectClose(vals(rnn.packSequence(seqs, { enforceSorted: false }).data), REF.pack.data, TOL);
    });

    for (const kind of ['lstm', 'gru', 'rnn', 'lstmproj'] as const)
      test(`${kind} over a packed batch: output, final states and every gradient as torch`, () => {
        const ref = REF[kind];
        const mod =
          kind === 'lstm'
            ? new wg.nn.LSTM(2, 3, { numLayers: 2, bidirectional: true })
            : kind === 'gru'
              ? new wg.nn.GRU(2, 3, { bidirectional: true })
              : kind === 'rnn'
                ? new wg.nn.RNN(2, 3, { nonlinearity: 'relu' })
                : new wg.nn.LSTM(2, 3, { projSize: 2 });
        mod.loadStateDict(Object.fromEntries(Object.entries(mod.stateDict()).map(([n, t], k) => [n, fill([...t.shape], 0.3 * k + 1)])));
        const x = fill([3, 4, 2], 0.1, true);
        const p = rnn.packPaddedSequence(x, LENGTHS, { batchFirst: true, enforceSorted: false });
        let y: InstanceType<typeof rnn.PackedSequence>, loss: wg.Tensor, hs: wg.Tensor[];
        if (mod instanceof wg.nn.LSTM) {
          const [out, [hn, cn]] = mod.forward(p, kind === 'lstm' ? [fill([4, 3, 3], 2), fill([4, 3, 3], 3)] : null);
          [y, hs] = [out, [hn, cn]];
          loss = out.data.square().sum().add(hn.sum()).add(cn.square().sum().mul(0.5));
        } else {
          const [out, hn] = mod.forward(p, kind === 'rnn' ? fill([1, 3, 3], 4) : null);
          [y, hs] = [out, [hn]];
          loss = out.data.square().sum().add(hn.sum());
        }
        expectClose(vals(y.data), ref.y, TOL);
        expectClose(vals(rnn.padPackedSequence(y, { batchFirst: true })[0]), ref.ypad, TOL);
        hs.forEach((h, j) => expectClose(vals(h), ref.hn[j], TOL));
        loss.backward();
        expectClose(vals(x.grad!), ref.gx, TOL);
        for (const [n, t] of mod.namedParameters()) expect(() => expectClose(vals(t.grad!), ref.grads[n], TOL), n).not.toThrow();
      });
  });

describe('packed sequences: errors, compile', () => {
  test("errors as torch's, naming the function", () => {
    const x = wg.zeros([4, 3, 2]);
    expect(() => rnn.packPaddedSequence(x, [2, 4, 1])).toThrow(
      /nn\.utils\.rnn\.packPaddedSequence: lengths \[2, 4, 1\] must be sorted in decreasing order when enforceSorted is true/,
    );
    expect(() => rnn.packPaddedSequence(x, [4, 0, 0])).toThrow(/length of all samples has to be greater than 0/);
    expect(() => rnn.packPaddedSequence(x, [5, 1, 1])).toThrow(/a length is larger than the input's 4 steps/);
    expect(() => rnn.packPaddedSequence(x, [4, 1])).toThrow(/expected 3 lengths \(the batch of input \[4, 3, 2\]\), got 2/);
    expect(() => rnn.packSequence([wg.zeros([2, 3]), wg.zeros([1, 2])])).toThrow(
      /nn\.utils\.rnn\.packSequence: every sequence must be \[L, 3\] like sequences\[0\] \[2, 3\], got sequences\[1\] \[1, 2\]/,
    );
    const p = rnn.packPaddedSequence(x, [4, 2, 1]);
    expect(() => rnn.padPackedSequence(p, { totalLength: 3 })).toThrow(/expected totalLength to be at least the length of the longest sequence \(4\), got 3/);
    expect(() => new wg.nn.LSTM(3, 4).forward(p)).toThrow(/nn\.LSTM: expected a PackedSequence of float32 data \[Σ lengths, 3\], got float32 \[7, 2\]/);
  });

  test('a packed LSTM classifier trains under wg.compile as eager', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(2);
      const lstm = new wg.nn.LSTM(2, 4, { batchFirst: true });
      const head = new wg.nn.Linear(4, 2);
      const opt = new wg.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
      const x = wg.randn([3, 5, 2]);
      const labels = wg.tensor([0, 1, 0], { dtype: 'int32' });
      const step = (xs: wg.Tensor, ys: wg.Tensor) => {
        opt.zeroGrad();
        const [, [hn]] = lstm.forward(rnn.packPaddedSequence(xs, [3, 5, 2], { batchFirst: true, enforceSorted: false }));
        const loss = wg.losses.crossEntropy(head.forward(hn.squeeze(0)), ys);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      return Array.from({ length: 5 }, () => f(x, labels).item());
    };
    const eager = run(false);
    expect(eager.at(-1)!).toBeLessThan(eager[0]);
    expectClose(run(true), eager, 1e-6);
  });
});
