/**
 * The composite cells nn.RNN / GRU / LSTM ran before the fused recurrence ops (src/ops/recurrent.ts):
 * one layer and direction as generic ops, the input projection of all steps in one linear, then
 * per step h·W_hhᵀ + b_hh and the gate maths (several records per step). Kept as the independent
 * formulation the fused ops are checked against (test/op-examples/recurrent-fused.test.ts) and
 * timed against (bench/recurrent.ts).
 */
import * as wg from '../../src/index.js';

export type CellKind = 'rnnTanh' | 'rnnRelu' | 'gru' | 'lstm';

export interface LayerWeights {
  wIh: wg.Tensor;
  wHh: wg.Tensor;
  bIh: wg.Tensor | null;
  bHh: wg.Tensor | null;
}

/** One step: xp = W_ih x_t + b_ih [N, G·H] and the state (h, or h and c) → the next state. */
function step(kind: CellKind, xp: wg.Tensor, [h, c]: wg.Tensor[], w: LayerWeights): wg.Tensor[] {
  const hh = wg.linear(h, w.wHh, w.bHh);
  const H = h.shape[1];
  if (kind === 'rnnTanh') return [wg.tanh(wg.add(xp, hh))];
  if (kind === 'rnnRelu') return [wg.relu(wg.add(xp, hh))];
  if (kind === 'gru') {
    const [xRz, xN] = wg.split(xp, [2 * H, H], 1);
    const [hRz, hN] = wg.split(hh, [2 * H, H], 1);
    const [r, z] = wg.split(wg.sigmoid(wg.add(xRz, hRz)), H, 1);
    const n = wg.tanh(wg.add(xN, wg.mul(r, hN)));
    return [wg.add(wg.mul(wg.sub(h, n), z), n)];
  }
  const [i, f, g, o] = wg.split(wg.add(xp, hh), H, 1);
  const c2 = wg.add(wg.mul(wg.sigmoid(f), c), wg.mul(wg.sigmoid(i), wg.tanh(g)));
  return [wg.mul(wg.sigmoid(o), wg.tanh(c2)), c2];
}

/**
 * One layer and direction: x [L, N, in] and the initial state (h0, and c0 for the LSTM, each
 * [N, H]) → h of every step [L, N, H] and the final state (hn, and cn).
 */
export function compositeLayer(kind: CellKind, x: wg.Tensor, w: LayerWeights, initial: wg.Tensor[], reverse: boolean): [wg.Tensor, wg.Tensor[]] {
  const xp = wg.unbind(wg.linear(x, w.wIh, w.bIh), 0);
  const L = xp.length;
  let state = initial;
  const hs = new Array<wg.Tensor>(L);
  for (let s = 0; s < L; s++) {
    const t = reverse ? L - 1 - s : s;
    state = step(kind, xp[t], state, w);
    hs[t] = state[0];
  }
  return [wg.stack(hs, 0), state];
}
