/**
 * torch's functional recurrent cells (torch.rnn_tanh_cell, rnn_relu_cell, gru_cell, lstm_cell):
 * one time step with the weights passed in, the computation of nn.RNNCell / GRUCell / LSTMCell
 * (the fused sequence ops of src/nn/recurrent.ts over a sequence of length 1), so the same values
 * and gradients, to every input and weight.
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import * as F from '../api/functional.js';
import { zerosLike } from '../api/factories.js';
import { gruRecurrence, lstmRecurrence, rnnRecurrence, type CellWeights } from './recurrent.js';

/**
 * Checks a cell call, input [N, in], states [N, H], weight_ih [G·H, in], weight_hh [G·H, H],
 * biases [G·H] or null, and returns the one-step sequence [1, N, in] and the weights. A lone bias
 * is paired with zeros: torch adds whichever biases are given.
 */
function cellCall(
  fn: string,
  gates: number,
  input: Tensor,
  states: Record<string, Tensor>,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
): { seq: Tensor; w: CellWeights } {
  const given: Record<string, Tensor | null> = { input, ...states, wIh, wHh, bIh, bHh };
  for (const [name, t] of Object.entries(given)) {
    if (t === null) continue;
    checkTensor(fn, name, t);
    if (t.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${t.dtype} of shape ${fmtShape(t.shape)}`);
  }
  const GH = wIh.shape[0];
  const H = GH / gates;
  if (input.ndim !== 2 || wIh.ndim !== 2 || !Number.isInteger(H))
    throw new ShapeError(
      fn,
      `expected input [N, in] and weight_ih [${gates}·H, in], got ${fmtShape(input.shape)} and ${fmtShape(wIh.shape)}${gates > 1 ? ` (${GH} rows are not ${gates} gates)` : ''}`,
    );
  const want: Record<string, readonly number[]> = { input: [input.shape[0], wIh.shape[1]], wIh: wIh.shape, wHh: [GH, H], bIh: [GH], bHh: [GH] };
  for (const name of Object.keys(states)) want[name] = [input.shape[0], H];
  for (const [name, t] of Object.entries(given))
    if (t !== null && (t.ndim !== want[name].length || t.shape.some((d, k) => d !== want[name][k])))
      throw new ShapeError(
        fn,
        `expected ${name} of shape ${fmtShape(want[name])} (input ${fmtShape(input.shape)}, hidden size ${H}), got ${fmtShape(t.shape)}`,
      );
  const w: CellWeights = { wIh, wHh, bIh: bIh ?? (bHh && zerosLike(bHh)), bHh: bHh ?? (bIh && zerosLike(bIh)), wHr: null };
  return { seq: F.unsqueeze(input, 0), w };
}

/** Row `row` of a one-step result [rows, N, H] as [N, H]. */
const row = (y: Tensor, r: number): Tensor => F.squeeze(F.narrow(y, 0, r, 1), 0);

/** torch.rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih?, b_hh?): h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), [N, H]. */
export function rnnTanhCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const { seq, w } = cellCall('rnnTanhCell', 1, input, { hx }, wIh, wHh, bIh, bHh);
  return row(rnnRecurrence(seq, hx, w, false, 'tanh'), 0);
}

/** torch.rnn_relu_cell: rnnTanhCell with relu. */
export function rnnReluCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const { seq, w } = cellCall('rnnReluCell', 1, input, { hx }, wIh, wHh, bIh, bHh);
  return row(rnnRecurrence(seq, hx, w, false, 'relu'), 0);
}

/** torch.gru_cell(input, hx, w_ih, w_hh, b_ih?, b_hh?): PyTorch's GRU step (gates r, z, n), [N, H]. */
export function gruCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  const { seq, w } = cellCall('gruCell', 3, input, { hx }, wIh, wHh, bIh, bHh);
  return row(gruRecurrence(seq, hx, w, false), 0);
}

/** torch.lstm_cell(input, [hx, cx], w_ih, w_hh, b_ih?, b_hh?) → [h', c'] (gates i, f, g, o), each [N, H]. */
export function lstmCell(
  input: Tensor,
  state: readonly [Tensor, Tensor],
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
): [Tensor, Tensor] {
  if (!Array.isArray(state) || state.length !== 2)
    throw new ValueError('lstmCell', `the state must be an array [hx, cx] of two tensors, got ${fmtValue(state)}`);
  const [hx, cx] = state;
  const { seq, w } = cellCall('lstmCell', 4, input, { hx, cx }, wIh, wHh, bIh, bHh);
  const y = lstmRecurrence(seq, hx, cx, w, false);
  return [row(y, 0), row(y, 1)];
}
