/**
 * torch.nn.utils.rnn's packed sequences: PackedSequence, packPaddedSequence, padPackedSequence,
 * packSequence, unpackSequence, unpadSequence. A batch of sequences of different lengths, sorted
 * longest first, stored time step by time step: data [Σ lengths, *] holds step 0 of every sequence,
 * then step 1 of those still running, …; batchSizes[t] counts them. The recurrent modules take one
 * (src/nn/recurrent.ts) and run each sequence for its own length, as PyTorch's.
 *
 * Moving between the padded and the packed layout is one indexSelect (a gather, so gradients flow
 * back); the lengths are read in JavaScript.
 */
import { full, tensor } from '../api/creation.js';
import * as F from '../api/functional.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';

/** torch's PackedSequence: iterable as its named tuple [data, batchSizes, sortedIndices, unsortedIndices]. */
export class PackedSequence {
  constructor(
    /** [Σ lengths, *]: the sequences' steps, time-major, longest sequence first. */
    readonly data: Tensor,
    /** int32 [T]: how many sequences run at each step (non-increasing). */
    readonly batchSizes: Tensor,
    /** int32 [B]: the original batch index of each sorted sequence (null: the batch was sorted). */
    readonly sortedIndices: Tensor | null = null,
    /** int32 [B]: where each original sequence sits in the sorted order (null: the batch was sorted). */
    readonly unsortedIndices: Tensor | null = null,
  ) {}

  *[Symbol.iterator](): Iterator<Tensor | null> {
    yield this.data;
    yield this.batchSizes;
    yield this.sortedIndices;
    yield this.unsortedIndices;
  }

  /** @internal The batch sizes as numbers. */
  sizes(): number[] {
    return Array.from(this.batchSizes.data());
  }

  /** @internal The padded [T, B, *] batch in sorted order, `fill` after each sequence's end. */
  paddedSorted(fill = 0): Tensor {
    const sizes = this.sizes();
    const B = sizes[0];
    const trail = this.data.shape.slice(1);
    // row t·B + b of the padded batch is packed row offset(t) + b while b < sizes[t], else the fill row at the end
    const fillRow = this.data.shape[0];
    const idx: number[] = [];
    let at = 0;
    for (const n of sizes) {
      for (let b = 0; b < B; b++) idx.push(b < n ? at + b : fillRow);
      at += n;
    }
    const src = F.cat([this.data, full([1, ...trail], fill, { dtype: this.data.dtype })], 0);
    return F.reshape(F.indexSelect(src, 0, tensor(idx, { dtype: 'int32' })), [sizes.length, B, ...trail]);
  }

  /** @internal The same batch sizes and order holding `padded` [T, B, *] (sorted order) packed. */
  withPadded(padded: Tensor): PackedSequence {
    const sizes = this.sizes();
    const B = sizes[0];
    const idx: number[] = [];
    sizes.forEach((n, t) => {
      for (let b = 0; b < n; b++) idx.push(t * B + b);
    });
    const flat = F.reshape(padded, [padded.shape[0] * B, ...padded.shape.slice(2)]);
    return new PackedSequence(F.indexSelect(flat, 0, tensor(idx, { dtype: 'int32' })), this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }
}

/** Lengths from an int32/float32 tensor or numbers, as integers. */
function lengthList(fn: string, lengths: unknown): number[] {
  const list = lengths instanceof Tensor ? (lengths.ndim === 1 ? Array.from(lengths.data()) : null) : lengths;
  if (!Array.isArray(list) || list.some((l) => !Number.isInteger(l)))
    throw new ValueError(fn, `lengths must be a 1-D tensor or an array of integers, got ${fmtValue(lengths)}`);
  return list as number[];
}

export interface PackPaddedOptions {
  /** input is [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The lengths are sorted longest first (default true); false sorts them here and remembers the order. */
  enforceSorted?: boolean;
}

/**
 * torch.nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first, enforce_sorted): input
 * [T, B, *] ([B, T, *] with batchFirst) holding B sequences of the given lengths. Without
 * enforceSorted, the sequences are sorted by length, longest first (ties keep their order).
 */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], options: PackPaddedOptions = {}): PackedSequence {
  const FN = 'nn.utils.rnn.packPaddedSequence';
  checkTensor(FN, 'input', input);
  const o = checkOptions<PackPaddedOptions>(FN, options, ['batchFirst', 'enforceSorted']);
  checkBool(FN, 'batchFirst', o.batchFirst);
  checkBool(FN, 'enforceSorted', o.enforceSorted);
  const lens = lengthList(FN, lengths);
  if (input.ndim < 2) throw new ShapeError(FN, `input must be [T, B, *] or [B, T, *], got shape ${fmtShape(input.shape)}`);
  const seq = o.batchFirst ? F.transpose(input, 0, 1) : input;
  const [T, B] = seq.shape;
  if (lens.length !== B) throw new ShapeError(FN, `expected ${B} lengths (the batch of input ${fmtShape(input.shape)}), got ${lens.length}`);
  if (lens.some((l) => l <= 0))
    throw new ValueError(FN, `length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0: ${fmtValue(lens)}`);
  if (lens.some((l) => l > T)) throw new ValueError(FN, `a length is larger than the input's ${T} steps: ${fmtValue(lens)}`);
  let order: number[] | null = null;
  if (o.enforceSorted ?? true) {
    if (lens.some((l, i) => i > 0 && l > lens[i - 1]))
      throw new ValueError(
        FN,
        `lengths ${fmtValue(lens)} must be sorted in decreasing order when enforceSorted is true; pass enforceSorted: false to sort them here`,
      );
  } else order = lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a]);
  const sorted = order === null ? lens : order.map((i) => lens[i]);
  const sizes = Array.from({ length: sorted[0] }, (_, t) => sorted.filter((l) => l > t).length);
  const perm = order && tensor(order, { dtype: 'int32' });
  const inv =
    order &&
    tensor(
      order.map((_, k) => order.indexOf(k)),
      { dtype: 'int32' },
    );
  const padded = F.narrow(perm ? F.indexSelect(seq, 1, perm) : seq, 0, 0, sizes.length);
  return new PackedSequence(padded, tensor(sizes, { dtype: 'int32' }), perm, inv).withPadded(padded);
}

export interface PadPackedOptions {
  /** Return [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** The value after each sequence's end (default 0). */
  paddingValue?: number;
  /** Pad to this many steps (at least the longest length; default the longest length). */
  totalLength?: number | null;
}

/** torch.nn.utils.rnn.pad_packed_sequence: → [padded [T, B, *] in the original batch order, lengths (int32 [B])]. */
export function padPackedSequence(sequence: PackedSequence, options: PadPackedOptions = {}): [Tensor, Tensor] {
  const FN = 'nn.utils.rnn.padPackedSequence';
  if (!(sequence instanceof PackedSequence)) throw new ValueError(FN, `sequence must be a PackedSequence, got ${fmtValue(sequence)}`);
  const o = checkOptions<PadPackedOptions>(FN, options, ['batchFirst', 'paddingValue', 'totalLength']);
  checkBool(FN, 'batchFirst', o.batchFirst);
  const fill = o.paddingValue ?? 0;
  if (typeof fill !== 'number') throw new ValueError(FN, `paddingValue must be a number, got ${fmtValue(fill)}`);
  const sizes = sequence.sizes();
  const total = o.totalLength ?? sizes.length;
  if (!Number.isInteger(total) || total < sizes.length)
    throw new ValueError(FN, `expected totalLength to be at least the length of the longest sequence (${sizes.length}), got ${fmtValue(o.totalLength)}`);
  let padded = sequence.paddedSorted(fill);
  if (total > sizes.length) padded = F.cat([padded, full([total - sizes.length, ...padded.shape.slice(1)], fill, { dtype: padded.dtype })], 0);
  const sortedLens = Array.from({ length: sizes[0] }, (_, b) => sizes.filter((n) => n > b).length);
  const inv = sequence.unsortedIndices;
  const lens = inv === null ? sortedLens : Array.from(inv.data(), (k) => sortedLens[k]);
  if (inv !== null) padded = F.indexSelect(padded, 1, inv);
  return [o.batchFirst ? F.transpose(padded, 0, 1) : padded, tensor(lens, { dtype: 'int32' })];
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
export function padSequence(sequences: readonly Tensor[], opts: PadSequenceOptions = {}): Tensor {
  return padded('nn.utils.rnn.padSequence', sequences, opts);
}

/** padSequence's work, its errors naming `fn` (packSequence pads through it too). */
function padded(fn: string, sequences: readonly Tensor[], opts: PadSequenceOptions): Tensor {
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
  const rows = sequences.map((s) => (s.shape[0] === longest ? s : F.cat([s, full([longest - s.shape[0], ...trail], paddingValue, { dtype })], 0)));
  return F.stack(rows, batchFirst ? 0 : 1);
}

/** torch.nn.utils.rnn.pack_sequence: sequences [L_i, *] padded as padSequence, then packed (enforceSorted as packPaddedSequence). */
export function packSequence(sequences: readonly Tensor[], options: { enforceSorted?: boolean } = {}): PackedSequence {
  const FN = 'nn.utils.rnn.packSequence';
  const o = checkOptions<{ enforceSorted?: boolean }>(FN, options, ['enforceSorted']);
  return packPaddedSequence(
    padded(FN, sequences, {}),
    sequences.map((s) => s.shape[0]),
    o,
  );
}

/** torch.nn.utils.rnn.unpad_sequence: padded [T, B, *] ([B, T, *] with batchFirst) → the B sequences [L_i, *]. */
export function unpadSequence(padded: Tensor, lengths: Tensor | readonly number[], options: { batchFirst?: boolean } = {}): Tensor[] {
  const FN = 'nn.utils.rnn.unpadSequence';
  checkTensor(FN, 'padded', padded);
  const o = checkOptions<{ batchFirst?: boolean }>(FN, options, ['batchFirst']);
  checkBool(FN, 'batchFirst', o.batchFirst);
  const lens = lengthList(FN, lengths);
  const seq = o.batchFirst ? padded : F.transpose(padded, 0, 1);
  if (seq.ndim < 2 || lens.length !== seq.shape[0] || lens.some((l) => l < 0 || l > seq.shape[1]))
    throw new ShapeError(FN, `lengths ${fmtValue(lens)} do not fit padded ${fmtShape(padded.shape)}`);
  return lens.map((l, b) => F.narrow(F.select(seq, 0, b), 0, 0, l));
}

/** torch.nn.utils.rnn.unpack_sequence: the sequences [L_i, *] of a PackedSequence, in the original order. */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
  return unpadSequence(padded, lengths, { batchFirst: true });
}
