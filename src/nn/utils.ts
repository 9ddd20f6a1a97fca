/**
 * wg.nn.utils: torch.nn.utils' parameters_to_vector, vector_to_parameters, clip_grad_norm_ and
 * clip_grad_value_ (wg.optim's, under torch's names), rnn.padSequence (pad_sequence), and the
 * weight_norm / spectral_norm reparametrizations (./reparam.ts).
 */
import { full } from '../api/creation.js';
import { cat, reshape, slice, stack } from '../api/functional.js';
import { copyInto } from '../api/shape.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import { paramList, type Params } from '../optim/optimizer.js';
import { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, unpackSequence, unpadSequence } from './packed.js';

/** torch.nn.utils.clip_grad_norm_: wg.optim.clipGradNorm. */
export const clipGradNorm_ = clipGradNorm;
/** torch.nn.utils.clip_grad_value_: wg.optim.clipGradValue. */
export const clipGradValue_ = clipGradValue;

/** Every parameter flattened and joined into one 1-D tensor, in order (torch parameters_to_vector); gradients flow back to the parameters. */
export function parametersToVector(parameters: Params | Tensor): Tensor {
  return cat(
    paramList('nn.utils.parametersToVector', parameters).map((p) => reshape(p, [-1])),
    0,
  );
}

/** Copies consecutive slices of the 1-D `vec` into the parameters, in order, in place (torch vector_to_parameters); no gradient. */
export function vectorToParameters(vec: Tensor, parameters: Params | Tensor): void {
  const fn = 'nn.utils.vectorToParameters';
  checkTensor(fn, 'vec', vec);
  const params = paramList(fn, parameters);
  const total = params.reduce((n, p) => n + p.size, 0);
  if (vec.ndim !== 1 || vec.size !== total)
    throw new ShapeError(
      fn,
      `vec must be 1-D with the parameters' ${total} elements (${params.map((p) => fmtShape(p.shape)).join(', ')}), got shape ${fmtShape(vec.shape)}`,
    );
  noGrad(() => {
    let at = 0;
    for (const p of params) {
      copyInto(p, reshape(slice(vec, 0, at, at + p.size), p.shape));
      at += p.size;
    }
  });
}

export interface PadSequenceOptions {
  /** Result [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The value of the padded positions (default 0). */
  paddingValue?: number;
}

/**
 * Pads sequences [L_i, *] (same trailing dims, one dtype: float32, or int32 token ids) with
 * paddingValue to the longest length T and stacks them into [T, B, *] (or [B, T, *] with
 * batchFirst), as torch.nn.utils.rnn.pad_sequence. Made of cat and stack, so gradients flow back
 * into every sequence.
 */
function padSequence(sequences: readonly Tensor[], opts: PadSequenceOptions = {}): Tensor {
  const fn = 'nn.utils.rnn.padSequence';
  const { batchFirst = false, paddingValue = 0 } = checkOptions<PadSequenceOptions>(fn, opts, ['batchFirst', 'paddingValue']);
  checkBool(fn, 'batchFirst', batchFirst);
  if (typeof paddingValue !== 'number') throw new ValueError(fn, `paddingValue must be a number, got ${fmtValue(paddingValue)}`);
  if (!Array.isArray(sequences) || sequences.length === 0) throw new ValueError(fn, `expects a non-empty array of tensors [L, *], got ${fmtValue(sequences)}`);
  sequences.forEach((s, i) => checkTensor(fn, `sequences[${i}]`, s));
  const trail = sequences[0].shape.slice(1);
  const bad = sequences.findIndex((s) => s.ndim < 1 || s.ndim !== trail.length + 1 || s.shape.slice(1).some((d: number, k: number) => d !== trail[k]));
  if (bad >= 0)
    throw new ShapeError(
      fn,
      `every sequence must be [L, ${trail.join(', ') || '*'}] like sequences[0] ${fmtShape(sequences[0].shape)}, got sequences[${bad}] ${fmtShape(sequences[bad].shape)}`,
    );
  const dtype = sequences[0].dtype;
  const other = sequences.findIndex((s) => s.dtype !== dtype);
  if (other >= 0) throw new DTypeError(fn, `every sequence must be ${dtype} like sequences[0], got sequences[${other}] ${sequences[other].dtype}`);
  if (dtype === 'int32' && !Number.isInteger(paddingValue))
    throw new ValueError(fn, `paddingValue must be an integer for int32 sequences, got ${fmtValue(paddingValue)}`);
  const longest = Math.max(...sequences.map((s) => s.shape[0]));
  // the padding is a block of paddingValue catted after each shorter sequence: int32 token ids pad as float32 values do
  const padded = sequences.map((s) => (s.shape[0] === longest ? s : cat([s, full([longest - s.shape[0], ...trail], paddingValue, { dtype })], 0)));
  return stack(padded, batchFirst ? 0 : 1);
}

/** torch.nn.utils.rnn. */
export const rnn = { padSequence, PackedSequence, packPaddedSequence, padPackedSequence, packSequence, unpackSequence, unpadSequence };
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm, type SpectralNormOptions } from './reparam.js';
