/**
 * One time step of a recurrence (PyTorch's nn.RNNCell, nn.GRUCell, nn.LSTMCell): parameters
 * weight_ih [G·H, in], weight_hh [G·H, H], bias_ih, bias_hh [G·H] (U(−1/√H, 1/√H), as PyTorch),
 * run as the fused sequence op of src/nn/recurrent.ts over a sequence of length 1.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { constant } from '../api/creation.js';
import { fmtShape } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import { checkInt } from './layers.js';
import { Module, type Forward } from './module.js';
import { gruRecurrence, lstmRecurrence, registerCellWeights, rnnRecurrence, type CellWeights } from './recurrent.js';
import * as forms from './module-forms.js';

/** What the cells share; exported as nn.RNNCellBase, torch's name, for `m instanceof wg.nn.RNNCellBase`. */
export abstract class CellBase<Fwd extends Forward> extends Module<Fwd> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** weight_ih [G·H, in], weight_hh [G·H, H], bias_ih, bias_hh [G·H]. */
  protected readonly weights: CellWeights;

  protected constructor(
    protected readonly fn: string,
    gates: number,
    inputSize: number,
    hiddenSize: number,
    bias: boolean,
  ) {
    super();
    if (new.target === CellBase)
      throw new ValueError('nn.RNNCellBase', 'is the base class of RNNCell, GRUCell and LSTMCell (for instanceof): construct one of those');
    const kind = fn.slice(3);
    this.inputSize = checkInt(kind, 'inputSize', inputSize, 0);
    this.hiddenSize = checkInt(kind, 'hiddenSize', hiddenSize, 1);
    checkBool(fn, 'bias', bias);
    this.bias = bias;
    this.weights = registerCellWeights(this, fn, gates, inputSize, hiddenSize, bias);
  }

  get weightIh(): Tensor {
    return this.weights.wIh;
  }
  get weightHh(): Tensor {
    return this.weights.wHh;
  }
  get biasIh(): Tensor | null {
    return this.weights.bIh;
  }
  get biasHh(): Tensor | null {
    return this.weights.bHh;
  }

  /**
   * input [N, in] (or unbatched [in]) as a one-step sequence [1, N, in], and each state ([N, H], or
   * [H] unbatched; null is zeros) as [N, H].
   */
  protected prepare(input: Tensor, states: { name: string; t: Tensor | null }[]): { seq: Tensor; states: Tensor[]; batched: boolean } {
    const { fn, inputSize, hiddenSize: H } = this;
    checkTensor(fn, 'input', input);
    if (input.dtype !== 'float32') throw new DTypeError(fn, `input must be a float32 tensor, got ${input.dtype} of shape ${fmtShape(input.shape)}`);
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== inputSize)
      throw new ShapeError(fn, `expected an input [N, ${inputSize}] or unbatched [${inputSize}], got shape ${fmtShape(input.shape)}`);
    const batched = input.ndim === 2;
    const N = batched ? input.shape[0] : 1;
    const want = batched ? [N, H] : [H];
    const out = states.map(({ name, t }) => {
      if (t === null) return F.expand(constant(0, input.storage.backend), [N, H]);
      checkTensor(fn, name, t);
      if (t.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${t.dtype} of shape ${fmtShape(t.shape)}`);
      if (t.ndim !== want.length || t.shape.some((d, k) => d !== want[k]))
        throw new ShapeError(fn, `expected ${name} of shape ${fmtShape(want)} for an input of shape ${fmtShape(input.shape)}, got ${fmtShape(t.shape)}`);
      return batched ? t : F.unsqueeze(t, 0);
    });
    return { seq: F.unsqueeze(batched ? input : F.unsqueeze(input, 0), 0), states: out, batched };
  }

  /** Row `row` of a sequence result [rows, N, H] as [N, H] (or [H] unbatched). */
  protected row(y: Tensor, row: number, batched: boolean): Tensor {
    const r = F.squeeze(F.narrow(y, 0, row, 1), 0);
    return batched ? r : F.squeeze(r, 0);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}`;
  }
}

/** h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); forward(input, hx?) → h'. */
export class RNNCell extends CellBase<(input: Tensor, hx?: Tensor | null) => Tensor> {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options?: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' });
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, options = {}] = forms.moduleArgs(forms.RNNCell, args) as [
      number,
      number,
      { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }?,
    ];
    const o = checkOptions<{ bias?: boolean; nonlinearity?: 'tanh' | 'relu' }>('nn.RNNCell', options, ['bias', 'nonlinearity']);
    const { nonlinearity = 'tanh' } = o;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
      throw new ValueError('nn.RNNCell', `nonlinearity must be 'tanh' or 'relu', got ${fmtValue(nonlinearity)}`);
    super('nn.RNNCell', 1, inputSize, hiddenSize, o.bias ?? true);
    this.nonlinearity = nonlinearity;
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { seq, states, batched } = this.prepare(input, [{ name: 'hx', t: hx }]);
    return this.row(rnnRecurrence(seq, states[0], this.weights, false, this.nonlinearity), 0, batched);
  }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : '');
  }
}

/** PyTorch's GRU cell (gates r, z, n); forward(input, hx?) → h'. */
export class GRUCell extends CellBase<(input: Tensor, hx?: Tensor | null) => Tensor> {
  constructor(inputSize: number, hiddenSize: number, options?: { bias?: boolean });
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, options = {}] = forms.moduleArgs(forms.GRUCell, args) as [number, number, { bias?: boolean }?];
    super('nn.GRUCell', 3, inputSize, hiddenSize, checkOptions<{ bias?: boolean }>('nn.GRUCell', options, ['bias']).bias ?? true);
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { seq, states, batched } = this.prepare(input, [{ name: 'hx', t: hx }]);
    return this.row(gruRecurrence(seq, states[0], this.weights, false), 0, batched);
  }
}

/** PyTorch's LSTM cell (gates i, f, g, o); forward(input, [h, c]?) → [h', c']. */
export class LSTMCell extends CellBase<(input: Tensor, hx?: readonly [Tensor, Tensor] | null) => [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options?: { bias?: boolean });
  constructor(...args: unknown[]) {
    const [inputSize, hiddenSize, options = {}] = forms.moduleArgs(forms.LSTMCell, args) as [number, number, { bias?: boolean }?];
    super('nn.LSTMCell', 4, inputSize, hiddenSize, checkOptions<{ bias?: boolean }>('nn.LSTMCell', options, ['bias']).bias ?? true);
  }
  forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2))
      throw new ValueError(this.fn, `the state must be an array [h, c] of two tensors, got ${fmtValue(hx)}`);
    const { seq, states, batched } = this.prepare(input, [
      { name: 'h', t: hx === null ? null : hx[0] },
      { name: 'c', t: hx === null ? null : hx[1] },
    ]);
    const y = lstmRecurrence(seq, states[0], states[1], this.weights, false);
    return [this.row(y, 0, batched), this.row(y, 1, batched)];
  }
}
