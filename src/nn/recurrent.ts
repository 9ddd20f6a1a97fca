/**
 * Recurrent layers RNN, GRU and LSTM with PyTorch's formulas, gate order, defaults, parameter names
 * (weight_ih_l0, bias_hh_l1_reverse, ...) and call forms (forward returns arrays where PyTorch
 * returns tuples).
 *
 * Each layer and direction projects the whole sequence at once (one linear over [L·N, in]:
 * x·W_ihᵀ + b_ih, with the parts of b_hh that only shift a gate's pre-activation folded into its
 * bias), then runs the whole time loop in one fused op (src/ops/recurrent.ts: per step one
 * h·W_hhᵀ GEMM and the gate maths in WASM), whose backward gives dxp for every step, so dW_ih and
 * the input's gradient are that one linear's backward. An LSTM with a projection (projSize > 0)
 * runs its time loop as ordinary ops, one step after the other (lstmProjRecurrence). Autodiff, both
 * backends and wg.compile see ordinary ops.
 */
import { checkBool, checkOptions, checkTensor, isRecord } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { constant } from '../api/creation.js';
import { apply } from '../engine/engine.js';
import { op } from '../ops/index.js';
import { fmtShape } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import { uniformParameter } from './init.js';
import { checkInt, pyFloat } from './layers.js';
import { Module, type AnyModule, type Forward } from './module.js';
import { PackedSequence } from './packed.js';
import * as forms from './module-forms.js';

export interface RecurrentOptions {
  /** Stacked layers (default 1); layer k ≥ 1 takes the previous layer's output, H·numDirections wide. */
  numLayers?: number;
  /** With false, no bias_ih / bias_hh parameters (default true). */
  bias?: boolean;
  /** Input and output as [N, L, features] instead of [L, N, features]; h0/c0 keep [layers·dirs, N, ·]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode only (default 0). */
  dropout?: number;
  /** A second direction per layer reading the sequence backwards; outputs are concatenated (forward first). */
  bidirectional?: boolean;
}

export interface LSTMOptions extends RecurrentOptions {
  /**
   * With P > 0 (and P < hiddenSize), h is projected to P features at every step:
   * h' = W_hr (o ⊙ tanh c'), W_hr = weight_hr [P, H]; h, the output and layer k ≥ 1's input are
   * P wide (P·numDirections), c stays H wide (default 0: no projection).
   */
  projSize?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** The cell's activation: h' = act(W_ih x + b_ih + W_hh h + b_hh) (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
}

/** The parameters of one layer and direction. */
export interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** The LSTM's projection weight_hr [P, H] (projSize P > 0), else null. */
  wHr: Tensor | null;
}

// ---- one layer and direction: the input projection of all steps, then the fused time loop -------
// input [L, N, in], states [N, H]; the result holds h for every step [L, N, H] (the LSTM's with cn
// as row L). Shared by the sequence modules and the cells (src/nn/cells.ts: L = 1).

/** h' = act(xp + W_hh h), with all of b_hh folded into the projection's bias. */
export function rnnRecurrence(input: Tensor, h0: Tensor, w: CellWeights, reverse: boolean, nonlinearity: 'tanh' | 'relu'): Tensor {
  const xp = F.linear(input, w.wIh, w.bIh && w.bHh && F.add(w.bIh, w.bHh));
  return apply(op('rnnSequence'), [xp, w.wHh, h0], { nonlinearity, reverse });
}

/**
 * The GRU: b_hr and b_hz only add to their gates' pre-activations and are folded into the
 * projection's bias; b_hn sits inside r ⊙ (W_hn h + b_hn) and goes to the op (zeros without biases).
 */
export function gruRecurrence(input: Tensor, h0: Tensor, w: CellWeights, reverse: boolean): Tensor {
  const H = w.wHh.shape[1];
  let xb: Tensor | null = null,
    bHn = F.expand(constant(0, input.storage.backend), [H]);
  if (w.bIh && w.bHh) {
    const [iRz, iN] = F.split(w.bIh, [2 * H, H]);
    const [hRz, hN] = F.split(w.bHh, [2 * H, H]);
    xb = F.cat([F.add(iRz, hRz), iN]);
    bHn = hN;
  }
  return apply(op('gruSequence'), [F.linear(input, w.wIh, xb), w.wHh, h0, bHn], { reverse });
}

/** The LSTM, all of b_hh folded into the projection's bias; the result's row L is cn. */
export function lstmRecurrence(input: Tensor, h0: Tensor, c0: Tensor, w: CellWeights, reverse: boolean): Tensor {
  const xp = F.linear(input, w.wIh, w.bIh && w.bHh && F.add(w.bIh, w.bHh));
  return apply(op('lstmSequence'), [xp, w.wHh, h0, c0], { reverse });
}

/**
 * The LSTM with a projection (projSize P > 0), one step after the other as ordinary ops (the fused
 * op's h is o ⊙ tanh c, not its projection): gates = xp_t + W_hh h (W_hh [4H, P], h [N, P]),
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g), h' = W_hr (σ(o) ⊙ tanh c'). → h of every step [L, N, P] and cn
 * [1, N, H].
 */
function lstmProjRecurrence(input: Tensor, h0: Tensor, c0: Tensor, w: CellWeights, reverse: boolean): [Tensor, Tensor] {
  const L = input.shape[0];
  const xp = F.unbind(F.linear(input, w.wIh, w.bIh && w.bHh && F.add(w.bIh, w.bHh)), 0);
  const hs: Tensor[] = new Array<Tensor>(L);
  let h = h0,
    c = c0;
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    const [i, f, g, o] = F.chunk(F.add(xp[t], F.linear(h, w.wHh)), 4, 1);
    c = F.add(F.mul(F.sigmoid(f), c), F.mul(F.sigmoid(i), F.tanh(g)));
    h = hs[t] = F.linear(F.mul(F.sigmoid(o), F.tanh(c)), w.wHr!);
  }
  return [F.stack(hs, 0), F.unsqueeze(c, 0)];
}

/**
 * Registers one layer and direction's weight_ih, weight_hh, bias_ih, bias_hh, and with a
 * projection (P > 0) weight_hr [P, H] (+ suffix) on m, in PyTorch's order, each from
 * U(−1/√H, 1/√H) as PyTorch's reset_parameters (drawn in that order). weight_hh is [G·H, P] with a
 * projection (h is P wide), else [G·H, H].
 */
export function registerCellWeights(m: AnyModule, fn: string, gates: number, inSize: number, H: number, bias: boolean, suffix = '', P = 0): CellWeights {
  const bound = 1 / Math.sqrt(H);
  const param = (name: string, shape: number[]) => m.registerParameter(name + suffix, uniformParameter(fn, shape, bound));
  // An object literal evaluates left to right: the parameters are registered and drawn in this order.
  return {
    wIh: param('weight_ih', [gates * H, inSize]),
    wHh: param('weight_hh', [gates * H, P || H]),
    bIh: bias ? param('bias_ih', [gates * H]) : null,
    bHh: bias ? param('bias_hh', [gates * H]) : null,
    wHr: P > 0 ? param('weight_hr', [P, H]) : null,
  };
}

/** RNN's and GRU's options, checked: PyTorch's error for projSize, which only LSTM has (even 0). */
function checkRecurrentOptions<T extends RecurrentOptions>(fn: string, opts: unknown, known: readonly string[]): T {
  if (isRecord(opts) && 'projSize' in opts) throw new ValueError(fn, 'projSize is only supported for LSTM, not RNN or GRU');
  return checkOptions<T>(fn, opts, known);
}

const OPTIONS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'] as const;

/** The initial states a forward was given (null: zeros), each with its name and the option that sizes it. */
type InitialStates = { name: string; t: Tensor | null; size: 'hiddenSize' | 'projSize' }[];
const pyBool = (b: boolean) => (b ? 'True' : 'False');

/**
 * What RNN, GRU and LSTM share: options, parameters, input checks and the loop over layers,
 * directions and time steps. A subclass gives the number of gates and the cell's `step`; the state
 * is h (RNN, GRU) or [h, c] (LSTM), each [N, H] inside the loop (h [N, P] with a projection).
 * Exported as nn.RNNBase, torch's name, for `m instanceof wg.nn.RNNBase`.
 */
export abstract class RecurrentBase<Fwd extends Forward> extends Module<Fwd> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** The LSTM's projection size P (0: none, and always 0 for RNN and GRU). */
  readonly projSize: number;
  /** Per layer, the forward direction then the reverse one: index layer·numDirections + direction. */
  private readonly cells: CellWeights[] = [];

  protected constructor(
    /** 'nn.LSTM' etc., for errors. */
    protected readonly fn: string,
    gates: number,
    inputSize: number,
    hiddenSize: number,
    o: LSTMOptions,
  ) {
    super();
    // torch's RNNBase(mode, inputSize, hiddenSize, …) is constructible; here the mode is the class
    if (new.target === RecurrentBase) throw new ValueError('nn.RNNBase', 'is the base class of RNN, GRU and LSTM (for instanceof): construct one of those');
    const kind = fn.slice(3);
    this.inputSize = checkInt(kind, 'inputSize', inputSize, 0);
    this.hiddenSize = checkInt(kind, 'hiddenSize', hiddenSize, 1);
    this.numLayers = checkInt(kind, 'numLayers', o.numLayers ?? 1, 1);
    this.projSize = checkInt(kind, 'projSize', o.projSize ?? 0, 0);
    if (this.projSize >= hiddenSize) throw new ValueError(fn, `projSize must be smaller than hiddenSize (${hiddenSize}), got ${this.projSize}`);
    const { bias = true, batchFirst = false, dropout = 0, bidirectional = false } = o;
    checkBool(fn, 'bias', bias);
    checkBool(fn, 'batchFirst', batchFirst);
    checkBool(fn, 'bidirectional', bidirectional);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1))
      throw new ValueError(fn, `dropout must be a probability in [0, 1], got ${fmtValue(dropout)}`);
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    for (let layer = 0; layer < this.numLayers; layer++)
      for (let dir = 0; dir < this.numDirections; dir++) {
        const inSize = layer === 0 ? inputSize : this.outputSize * this.numDirections;
        this.cells.push(registerCellWeights(this, fn, gates, inSize, hiddenSize, bias, `_l${layer}${dir === 1 ? '_reverse' : ''}`, this.projSize));
      }
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The width of h (each direction's output): projSize with a projection, else hiddenSize. */
  private get outputSize(): number {
    return this.projSize || this.hiddenSize;
  }

  /**
   * The whole module: x [L, N, in] ([N, L, in] with batchFirst, or unbatched [L, in]) and the
   * initial states (h0, and c0 for LSTM; null means zeros) each [layers·dirs, N, S] ([layers·dirs,
   * S] unbatched; S is the state's `size`, hiddenSize or projSize) → the last layer's output
   * [L, N, dirs·S] with h0's S (same layout as x) and the final states stacked as the initial ones.
   */
  protected sequence<X extends Tensor | PackedSequence>(x: X, initial: InitialStates): [X, Tensor[]] {
    if (x instanceof PackedSequence) return this.packedSequence(x, initial) as [X, Tensor[]];
    const { fn } = this;
    checkTensor(fn, 'input', x);
    if (x.dtype !== 'float32') throw new DTypeError(fn, `input must be a float32 tensor, got ${x.dtype} of shape ${fmtShape(x.shape)}`);
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(
        fn,
        `expected an input [${this.batchFirst ? 'N, L' : 'L, N'}, ${this.inputSize}] or unbatched [L, ${this.inputSize}], got shape ${fmtShape(x.shape)}`,
      );
    const batched = x.ndim === 3;
    // Inside, the layout is [L, N, in]; an unbatched input is a batch of one.
    const seq = !batched ? F.unsqueeze(x, 1) : this.batchFirst ? F.transpose(x, 0, 1) : x;
    if (seq.shape[0] === 0) throw new ShapeError(fn, `expected a sequence length L > 0, got an input of shape ${fmtShape(x.shape)}`);
    const [out, finals] = this.layers(seq, x.shape, batched, initial, null);
    return [(!batched ? F.squeeze(out, 1) : this.batchFirst ? F.transpose(out, 0, 1) : out) as X, finals.map((f) => (batched ? f : F.squeeze(f, 1)))];
  }

  /**
   * A PackedSequence: the layers run on its padded batch in sorted order, each sequence for its own
   * length (segments of steps with the same batch size, see runSegments); h0/c0 and hn/cn are in
   * the original batch order, as PyTorch's.
   */
  private packedSequence(p: PackedSequence, initial: InitialStates): [PackedSequence, Tensor[]] {
    const { fn } = this;
    checkTensor(fn, 'input.data', p.data);
    if (p.data.ndim !== 2 || p.data.shape[1] !== this.inputSize || p.data.dtype !== 'float32')
      throw new ShapeError(fn, `expected a PackedSequence of float32 data [Σ lengths, ${this.inputSize}], got ${p.data.dtype} ${fmtShape(p.data.shape)}`);
    const padded = p.paddedSorted();
    const order = p.sortedIndices;
    const sorted = initial.map((s) => ({ ...s, t: s.t === null || order === null ? s.t : F.indexSelect(s.t, 1, order) }));
    const [out, finals] = this.layers(padded, padded.shape, true, sorted, p.sizes());
    const inv = p.unsortedIndices;
    return [p.withPadded(out), finals.map((f) => (inv === null ? f : F.indexSelect(f, 1, inv)))];
  }

  /**
   * The layers over seq [L, N, in] from the initial states (checked against `shape`, the input's
   * shape, batched or not): → the last layer's output [L, N, dirs·S] and the final states, each
   * [layers·dirs, N, S]. With `sizes` (a packed batch), sequence b runs for the steps t where
   * b < sizes[t].
   */
  private layers(seq: Tensor, shape: readonly number[], batched: boolean, initial: InitialStates, sizes: number[] | null): [Tensor, Tensor[]] {
    const { fn, numDirections: D } = this;
    const N = seq.shape[1];
    const starts = initial.map(({ name, t, size }) => {
      const S = this[size];
      // A missing state is zeros: a 0-d constant expanded, a transient of the step (wg.zeros would
      // allocate persistent memory at every eager call, freed only by the garbage collector).
      if (t === null) return new Array<Tensor>(this.numLayers * D).fill(F.expand(constant(0, seq.storage.backend), [N, S]));
      checkTensor(fn, name, t);
      if (t.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${t.dtype} of shape ${fmtShape(t.shape)}`);
      const want = batched ? [this.numLayers * D, N, S] : [this.numLayers * D, S];
      if (t.ndim !== want.length || t.shape.some((d, k) => d !== want[k]))
        throw new ShapeError(
          fn,
          `expected ${name} of shape ${fmtShape(want)} (numLayers·numDirections, ${batched ? 'N, ' : ''}${size}) for an input of shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`,
        );
      return F.unbind(batched ? t : F.unsqueeze(t, 1), 0);
    });
    const finals: Tensor[][] = initial.map(() => []);
    let input = seq;
    for (let layer = 0; layer < this.numLayers; layer++) {
      if (layer > 0) input = this.dropBetweenLayers(input);
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const k = layer * D + dir;
        const from = starts.map((s) => s[k]);
        const [hs, ends] = sizes === null ? this.whole(input, from, this.cells[k], dir === 1) : this.runSegments(input, from, this.cells[k], dir === 1, sizes);
        outs.push(hs);
        ends.forEach((e, j) => finals[j].push(F.unsqueeze(e, 0)));
      }
      input = D === 1 ? outs[0] : F.cat(outs, 2);
    }
    return [input, finals.map((f) => F.cat(f, 0))];
  }

  /** One layer and direction over all L steps: → h of every step [L, N, S] and the final states (h, and c for the LSTM), each [N, S]. */
  private whole(input: Tensor, from: Tensor[], w: CellWeights, reverse: boolean): [Tensor, Tensor[]] {
    const L = input.shape[0];
    const [y, c] = this.recurrence(input, from, w, reverse);
    // y holds h for every step (the LSTM's has cn as row L); hn is h at the last step run.
    const hs = L === y.shape[0] ? y : F.narrow(y, 0, 0, L);
    return [hs, [F.select(hs, 0, reverse ? 0 : L - 1), ...(c === null ? [] : [F.squeeze(c, 0)])]];
  }

  /**
   * One layer and direction over a packed batch: the steps cut into runs with the same batch size
   * b, each run on rows [0, b) from their states so far (the reverse direction takes the runs last
   * first, so a sequence starts at its own last step from its initial state). Rows ≥ b keep their
   * states, and their output is 0, as PyTorch's padded output.
   */
  private runSegments(input: Tensor, from: Tensor[], w: CellWeights, reverse: boolean, sizes: number[]): [Tensor, Tensor[]] {
    const N = input.shape[1];
    const runs: [start: number, len: number, b: number][] = [];
    sizes.forEach((b, t) => (t > 0 && sizes[t - 1] === b ? runs[runs.length - 1][1]++ : runs.push([t, 1, b])));
    let states = from;
    const outs: Tensor[] = [];
    if (reverse) runs.reverse();
    for (const [start, len, b] of runs) {
      const rows = (t: Tensor, dim: number) => (b === N ? t : F.narrow(t, dim, 0, b));
      const [hs, ends] = this.whole(
        rows(F.narrow(input, 0, start, len), 1),
        states.map((s) => rows(s, 0)),
        w,
        reverse,
      );
      outs.push(b === N ? hs : F.pad(hs, [0, 0, 0, N - b]));
      states = b === N ? ends : ends.map((e, j) => F.cat([e, F.narrow(states[j], 0, b, N - b)], 0));
    }
    // the runs in time order again
    return [F.cat(reverse ? outs.reverse() : outs, 0), states];
  }

  /**
   * One layer and direction over the whole sequence [L, N, in] from the initial state (h, or h and
   * c, each [N, H]; h [N, P] with a projection): the input projection of all steps in one linear,
   * then the time loop → h of every step [L, N, H] ([L, N, P]; the fused LSTM's with cn as row L)
   * and, for the LSTM, cn [1, N, H].
   */
  protected abstract recurrence(input: Tensor, state: Tensor[], w: CellWeights, reverse: boolean): [Tensor, Tensor | null];

  /** Dropout on a layer's output before the next layer (p = 1 zeroes, as PyTorch; the op takes p < 1). */
  private dropBetweenLayers(x: Tensor): Tensor {
    if (this.dropout === 1 && this.training) return F.mul(x, 0);
    return F.dropout(x, this.dropout, this.training);
  }

  /**
   * PyTorch's flatten_parameters(), which compacts cuDNN weights: a no-op here (the weights are
   * always contiguous), kept so that code calling it before forward runs unchanged.
   */
  flattenParameters(): void {}

  /** PyTorch's RNNBase.extra_repr: the sizes, then each option that differs from its default. */
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/**
 * Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). forward(x, h0?) → [out, hn]:
 * out [L, N, dirs·H] holds the last layer's h at every step, hn [layers·dirs, N, H] every layer's
 * last h (the reverse direction's last is at t = 0).
 */
export class RNN extends RecurrentBase<(x: Tensor | PackedSequence, h0?: Tensor | null) => [Tensor | PackedSequence, Tensor]> {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions);
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, opts = {}] = forms.moduleArgs(forms.RNN, args) as [number, number, RNNOptions?];
    const o = checkRecurrentOptions<RNNOptions>('nn.RNN', opts, [...OPTIONS, 'nonlinearity']);
    const { nonlinearity = 'tanh' } = o;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
      throw new ValueError('nn.RNN', `nonlinearity must be 'tanh' or 'relu', got ${fmtValue(nonlinearity)}`);
    super('nn.RNN', 1, inputSize, hiddenSize, o);
    this.nonlinearity = nonlinearity;
  }

  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(x: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor];
  forward(x: Tensor | PackedSequence, h0: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, [hn]] = this.sequence(x, [{ name: 'h0', t: h0, size: 'hiddenSize' }]);
    return [out, hn];
  }

  protected recurrence(input: Tensor, [h0]: Tensor[], w: CellWeights, reverse: boolean): [Tensor, null] {
    return [rnnRecurrence(input, h0, w, reverse, this.nonlinearity), null];
  }
}

/**
 * GRU with PyTorch's gates r, z, n (in that order in the weights' rows):
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * forward(x, h0?) → [out, hn] as RNN.
 */
export class GRU extends RecurrentBase<(x: Tensor | PackedSequence, h0?: Tensor | null) => [Tensor | PackedSequence, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts?: RecurrentOptions);
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, opts = {}] = forms.moduleArgs(forms.GRU, args) as [number, number, RecurrentOptions?];
    super('nn.GRU', 3, inputSize, hiddenSize, checkRecurrentOptions<RecurrentOptions>('nn.GRU', opts, OPTIONS));
  }

  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(x: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor];
  forward(x: Tensor | PackedSequence, h0: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, [hn]] = this.sequence(x, [{ name: 'h0', t: h0, size: 'hiddenSize' }]);
    return [out, hn];
  }

  protected recurrence(input: Tensor, [h0]: Tensor[], w: CellWeights, reverse: boolean): [Tensor, null] {
    return [gruRecurrence(input, h0, w, reverse), null];
  }
}

/**
 * LSTM with PyTorch's gates i, f, g, o (in that order in the weights' rows):
 * i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of W_i* x + b_i* + W_h* h + b_h*;
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c') (W_hr (o ⊙ tanh(c')) with projSize > 0).
 * forward(x, [h0, c0]?) → [out, [hn, cn]].
 */
export class LSTM extends RecurrentBase<(x: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor] | null) => [Tensor | PackedSequence, [Tensor, Tensor]]> {
  constructor(inputSize: number, hiddenSize: number, opts?: LSTMOptions);
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, opts = {}] = forms.moduleArgs(forms.LSTM, args) as [number, number, LSTMOptions?];
    super('nn.LSTM', 4, inputSize, hiddenSize, checkOptions<LSTMOptions>('nn.LSTM', opts, [...OPTIONS, 'projSize']));
  }

  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(x: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(x: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]];
  forward(x: Tensor | PackedSequence, hx: readonly [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2))
      throw new ValueError(this.fn, `the initial state must be an array [h0, c0] of two tensors, got ${fmtValue(hx)}`);
    const [out, [hn, cn]] = this.sequence(x, [
      { name: 'h0', t: hx === null ? null : hx[0], size: this.projSize > 0 ? 'projSize' : 'hiddenSize' },
      { name: 'c0', t: hx === null ? null : hx[1], size: 'hiddenSize' },
    ]);
    return [out, [hn, cn]];
  }

  protected recurrence(input: Tensor, [h0, c0]: Tensor[], w: CellWeights, reverse: boolean): [Tensor, Tensor] {
    if (w.wHr !== null) return lstmProjRecurrence(input, h0, c0, w, reverse);
    const y = lstmRecurrence(input, h0, c0, w, reverse);
    return [y, F.narrow(y, 0, input.shape[0], 1)];
  }
}
