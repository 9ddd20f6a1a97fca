/**
 * State dicts written by PyTorch 1.13 load into the same modules built with camelCase options and
 * give torch's outputs: test/fixtures/torch-weights.py builds each module with options that change
 * its parameters (bias=False, groups, affine, track_running_stats, proj_size, kdim/vdim,
 * add_bias_kv, padding_idx, …), records its state-dict keys, shapes and dtypes, fills entry k with
 * 0.5·sin(i·(0.37 + 0.11·k) + 0.5) and records the eval-mode outputs. Here the module's keys, order,
 * shapes and dtypes must be torch's, and a state dict made from torch's keys and shapes (int64
 * buffers as int32 zeros, as torch's fill truncates them) must load strictly and give its outputs.
 * Modules covered elsewhere with the same pattern: test/nn-modules-torch.test.ts (Conv1d,
 * ConvTranspose2d, GroupNorm, InstanceNorm2d), test/nn-stacks.test.ts, test/attention.test.ts.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { sinFilled } from './helpers/sin-fill.js';

interface Ref {
  keys: string[];
  shapes: number[][];
  dtypes: string[];
  y: number[];
  yshapes: number[][];
}
const REF: Record<string, Ref> = JSON.parse(readFileSync(new URL('./fixtures/torch-weights.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initWasm();
});

type M = wg.nn.AnyModule;
type Out = wg.Tensor | null | Out[];
/** An input: [shape, s] is sin-filled with scale s (sin_fill.inp), a number array is int32 indices. */
type In = [number[], number] | number[] | number[][];
const nn = wg.nn;
const ints = (v: number[] | number[][]) => wg.tensor(v, { dtype: 'int32' });
const isFilled = (x: In): x is [number[], number] => x.length === 2 && Array.isArray(x[0]) && typeof x[1] === 'number';
const make = (x: In) => (isFilled(x) ? sinFilled(x[0], x[1], false) : ints(x as number[]));

/** [fixture case, module, inputs, forward (default: m.forward(...inputs))]. */
const CASES: [string, () => M, In[], ((m: M, xs: wg.Tensor[]) => Out)?][] = [
  ['linear_nobias', () => new nn.Linear(3, 4, { bias: false }), [[[2, 3], 0.3]]],
  [
    'bilinear',
    () => new nn.Bilinear(2, 3, 4),
    [
      [[2, 2], 0.3],
      [[2, 3], 0.4],
    ],
  ],
  [
    'bilinear_nobias',
    () => new nn.Bilinear(2, 3, 4, { bias: false }),
    [
      [[2, 2], 0.3],
      [[2, 3], 0.4],
    ],
  ],
  ['conv2d_groups', () => new nn.Conv2d(2, 4, [2, 3], { stride: [1, 2], padding: 1, groups: 2 }), [[[1, 2, 4, 5], 0.5]]],
  ['conv3d_nobias', () => new nn.Conv3d(2, 2, 2, { bias: false, dilation: [1, 2, 1] }), [[[1, 2, 3, 4, 3], 0.6]]],
  ['convT1d_groups', () => new nn.ConvTranspose1d(4, 2, 3, { stride: 2, groups: 2 }), [[[1, 4, 5], 0.7]]],
  ['convT2d_nobias', () => new nn.ConvTranspose2d(2, 3, 2, { stride: 2, dilation: 2, bias: false }), [[[1, 2, 3, 3], 0.8]]],
  ['convT3d', () => new nn.ConvTranspose3d(2, 3, 2, { stride: [2, 1, 1] }), [[[1, 2, 2, 2, 3], 0.9]]],
  ['conv2d_circular', () => new nn.Conv2d(2, 3, 3, { padding: [1, 2], paddingMode: 'circular' }), [[[1, 2, 4, 5], 0.55]]],
  ['conv1d_reflect', () => new nn.Conv1d(2, 2, 3, { padding: 2, paddingMode: 'reflect', bias: false }), [[[2, 2, 5], 0.65]]],
  ['bn1d', () => new nn.BatchNorm1d(3, { momentum: null }), [[[4, 3], 1.0]]],
  ['bn1d_noaffine', () => new nn.BatchNorm1d(3, { affine: false }), [[[2, 3, 5], 1.1]]],
  ['bn2d_nostats', () => new nn.BatchNorm2d(2, { trackRunningStats: false }), [[[2, 2, 3, 3], 1.2]]],
  ['bn3d', () => new nn.BatchNorm3d(2, { eps: 1e-3 }), [[[2, 2, 2, 2, 3], 1.3]]],
  ['in1d_stats', () => new nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true }), [[[2, 3, 5], 1.4]]],
  ['in3d', () => new nn.InstanceNorm3d(2), [[[1, 2, 2, 3, 3], 1.5]]],
  ['in2d_stats', () => new nn.InstanceNorm2d(2, { trackRunningStats: true }), [[[2, 2, 3, 3], 1.55]]],
  ['gn_noaffine', () => new nn.GroupNorm(2, 4, { affine: false }), [[[2, 4, 3], 1.6]]],
  ['ln_noaffine', () => new nn.LayerNorm([3, 4], { elementwiseAffine: false }), [[[2, 3, 4], 1.7]]],
  ['ln', () => new nn.LayerNorm([3, 4], { eps: 1e-3 }), [[[2, 3, 4], 1.75]]],
  [
    'embedding_pad',
    () => new nn.Embedding(5, 3, { paddingIdx: 1 }),
    [
      [
        [0, 1, 4],
        [3, 1, 2],
      ],
    ],
  ],
  [
    'embeddingbag_sum',
    () => new nn.EmbeddingBag(5, 3, { mode: 'sum', paddingIdx: 0 }),
    [
      [0, 1, 4, 3, 0, 2],
      [0, 2],
    ],
  ],
  [
    'embeddingbag_max',
    () => new nn.EmbeddingBag(5, 3, { mode: 'max' }),
    [
      [
        [0, 1, 4],
        [3, 3, 2],
      ],
    ],
  ],
  ['prelu3', () => new nn.PReLU(3, 0.1), [[[2, 3, 2], 1.8]]],
  ['rnn', () => new nn.RNN(3, 4, { numLayers: 2, nonlinearity: 'relu', bidirectional: true, bias: false }), [[[5, 2, 3], 1.9]]],
  ['lstm_proj', () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2, batchFirst: true }), [[[2, 5, 3], 2.0]]],
  ['gru', () => new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5 }), [[[5, 2, 3], 2.1]]],
  ['rnncell_nobias', () => new nn.RNNCell(3, 4, { bias: false, nonlinearity: 'relu' }), [[[2, 3], 2.2]]],
  ['lstmcell', () => new nn.LSTMCell(3, 4), [[[2, 3], 2.3]]],
  ['grucell', () => new nn.GRUCell(3, 4), [[[2, 3], 2.4]]],
  [
    'mha',
    () => new nn.MultiheadAttention(4, 2),
    [
      [[3, 2, 4], 2.5],
      [[5, 2, 4], 2.6],
      [[5, 2, 4], 2.7],
    ],
  ],
  [
    'mha_kdim',
    () => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5, bias: false, batchFirst: true }),
    [
      [[2, 3, 4], 2.5],
      [[2, 5, 3], 2.6],
      [[2, 5, 5], 2.7],
    ],
  ],
  [
    'mha_biaskv',
    () => new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true }),
    [
      [[3, 2, 4], 2.5],
      [[5, 2, 4], 2.6],
      [[5, 2, 4], 2.7],
    ],
  ],
  [
    'mha_kdim_biaskv',
    () => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5, addBiasKv: true }),
    [
      [[3, 2, 4], 2.5],
      [[5, 2, 3], 2.6],
      [[5, 2, 5], 2.7],
    ],
  ],
  ['lstm_proj_nobias', () => new nn.LSTM(3, 4, { projSize: 3, bias: false }), [[[4, 2, 3], 2.05]]],
  ['enc_layer', () => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, activation: 'gelu', normFirst: true }), [[[3, 2, 4], 2.8]]],
  [
    'dec_layer',
    () => new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, batchFirst: true, layerNormEps: 1e-3 }),
    [
      [[2, 3, 4], 2.9],
      [[2, 5, 4], 3.0],
    ],
  ],
  [
    'encoder',
    () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 }), 2, { norm: new nn.LayerNorm(4), enableNestedTensor: false }),
    [[[3, 2, 4], 3.1]],
  ],
  [
    'decoder',
    () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6 }), 2),
    [
      [[3, 2, 4], 3.2],
      [[5, 2, 4], 3.3],
    ],
  ],
  [
    'transformer',
    () => new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 6 }),
    [
      [[5, 2, 4], 3.4],
      [[3, 2, 4], 3.5],
    ],
  ],
  [
    'adaptive_lsm',
    () => new nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 7], { divValue: 2, headBias: true }),
    [
      [[4, 6], 3.6],
      [0, 4, 8, 9],
    ],
  ],
  [
    'ce_weight',
    () => new nn.CrossEntropyLoss({ weight: wg.ones([3]), labelSmoothing: 0.1 }),
    [
      [[4, 3], 3.7],
      [0, 2, 1, 2],
    ],
  ],
  [
    'nll_weight',
    () => new nn.NLLLoss({ weight: wg.ones([3]), ignoreIndex: 1 }),
    [
      [[4, 3], 3.8],
      [0, 2, 1, 2],
    ],
  ],
  [
    'bce_weight',
    () => new nn.BCELoss({ weight: wg.ones([3]) }),
    [
      [[2, 3], 3.9],
      [[2, 3], 4.0],
    ],
    (m, [x, t]) => (m as wg.nn.BCELoss).forward(x.sigmoid(), t),
  ],
  [
    'bcel_posweight',
    () => new nn.BCEWithLogitsLoss({ weight: wg.ones([3]), posWeight: wg.ones([3]) }),
    [
      [[2, 3], 4.1],
      [[2, 3], 4.2],
    ],
  ],
  [
    'multimargin_weight',
    () => new nn.MultiMarginLoss({ weight: wg.ones([3]) }),
    [
      [[4, 3], 4.3],
      [0, 2, 1, 2],
    ],
  ],
  [
    'mlsm_weight',
    () => new nn.MultiLabelSoftMarginLoss({ weight: wg.ones([3]) }),
    [
      [[2, 3], 4.4],
      [[2, 3], 4.5],
    ],
  ],
  // the lazy modules size themselves from torch's state dict of the eager module
  ['linear_nobias', () => new nn.LazyLinear(4, { bias: false }), [[[2, 3], 0.3]]],
  ['conv2d_groups', () => new nn.LazyConv2d(4, [2, 3], { stride: [1, 2], padding: 1, groups: 2 }), [[[1, 2, 4, 5], 0.5]]],
  ['convT1d_groups', () => new nn.LazyConvTranspose1d(2, 3, { stride: 2, groups: 2 }), [[[1, 4, 5], 0.7]]],
  ['bn3d', () => new nn.LazyBatchNorm3d({ eps: 1e-3 }), [[[2, 2, 2, 2, 3], 1.3]]],
  ['in1d_stats', () => new nn.LazyInstanceNorm1d(), [[[2, 3, 5], 1.4]]],
  ['conv3d_nobias', () => new nn.LazyConv3d(2, 2, { bias: false, dilation: [1, 2, 1] }), [[[1, 2, 3, 4, 3], 0.6]]],
  ['convT2d_nobias', () => new nn.LazyConvTranspose2d(3, 2, { stride: 2, dilation: 2, bias: false }), [[[1, 2, 3, 3], 0.8]]],
  ['convT3d', () => new nn.LazyConvTranspose3d(3, 2, { stride: [2, 1, 1] }), [[[1, 2, 2, 2, 3], 0.9]]],
  ['bn1d', () => new nn.LazyBatchNorm1d({ momentum: null }), [[[4, 3], 1.0]]],
  ['bn2d_nostats', () => new nn.LazyBatchNorm2d({ trackRunningStats: false }), [[[2, 2, 3, 3], 1.2]]],
  ['in2d_stats', () => new nn.LazyInstanceNorm2d({ affine: false }), [[[2, 2, 3, 3], 1.55]]],
  [
    'nll_weight',
    () => new nn.NLLLoss2d({ weight: wg.ones([3]), ignoreIndex: 1 }),
    [
      [[4, 3], 3.8],
      [0, 2, 1, 2],
    ],
  ],
];

const flat = (y: Out): wg.Tensor[] => (y === null ? [] : Array.isArray(y) ? y.flatMap(flat) : [y]);

/** torch's state dict: entry k sin-filled with scale 0.37 + 0.11·k, int32 (torch's int64) entries 0. */
function torchStateDict(ref: Ref): Record<string, wg.Tensor> {
  const sd: Record<string, wg.Tensor> = {};
  ref.keys.forEach((key, k) => {
    sd[key] = ref.dtypes[k] === 'int32' ? wg.zeros(ref.shapes[k], { dtype: 'int32' }) : sinFilled(ref.shapes[k], 0.37 + 0.11 * k, false);
  });
  return sd;
}

for (const be of ['wasm', 'reference'] as const)
  describe(`PyTorch-written weights load and give torch's outputs on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    CASES.forEach(([name, build, ins, run], i) =>
      test(`${name} #${i}`, () => {
        const ref = REF[name];
        const m = build();
        m.loadStateDict(torchStateDict(ref));
        const sd = m.stateDict();
        expect(Object.keys(sd)).toEqual(ref.keys);
        expect(Object.values(sd).map((t) => [...t.shape])).toEqual(ref.shapes);
        expect(Object.values(sd).map((t) => t.dtype)).toEqual(ref.dtypes);
        m.eval();
        const xs = ins.map(make);
        const ys = flat(wg.noGrad(() => (run ? run(m, xs) : (m.forward as (...a: wg.Tensor[]) => Out)(...xs))));
        expect(ys.map((t) => [...t.shape])).toEqual(ref.yshapes);
        expectClose(
          ys.flatMap((t) => Array.from(t.data())),
          ref.y,
          1e-5,
        );
      }),
    );
  });
