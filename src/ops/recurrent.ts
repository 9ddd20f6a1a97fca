/**
 * Fused recurrences: the whole time loop of one RNN, GRU or LSTM layer and direction in one record
 * (kernels: assembly/kernels/recurrent.ts). src/nn/recurrent.ts projects the input of all steps
 * with one linear (xp = x·W_ihᵀ + b_ih, with the parts of b_hh that only add to a gate's
 * pre-activation folded in) and hands xp to one of these ops; its backward writes dxp for every
 * step, so dW_ih and the input's gradient come from that one linear's backward.
 *
 * Inputs, always (xp [L, N, G·H], W_hh [G·H, H], h0 [N, H], extra): extra is none for the RNN,
 * b_hn [H] for the GRU (PyTorch's n = tanh(x_n + b_in + r ⊙ (W_hn h + b_hn)): the r ⊙ keeps b_hn
 * out of xp) and c0 [N, H] for the LSTM. The result is h at every step, [L, N, H] in time order
 * (the reverse direction runs t = L−1 … 0 and writes each h at its own t); the LSTM's has one
 * more row, index L, holding the final cell state cn (one output serves out, hn = a row of it, and
 * cn; their gradients meet in the one GOUT). Saved for backward: the GRU's r, z, n and
 * W_hn h + b_hn per step (AUX0 [L, N, 4H]); the LSTM's gates i, f, g, o (AUX0 [L, N, 4H]) and cell
 * states (AUX1 [L, N, H]); the RNN needs only its output.
 *
 * params: [L, N, H, reverse, kind] with kind 0 = RNN tanh, 1 = RNN relu, 2 = GRU, 3 = LSTM.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { ALIGN_WORDS, gemmScratchWords, planThreads } from './contract.js';
import {
  aux,
  checkBool,
  defineOps,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  sameShape,
  type Meta,
  type OpSpec,
  type Plan,
  type TestCase,
  type OpInfo,
} from './types.js';

const RNN_TANH = 0,
  RNN_RELU = 1,
  GRU = 2,
  LSTM = 3;
/** Gates per kind. */
const GATES = [1, 1, 3, 4];

export interface SequenceAttrs {
  /** Run the time loop from the last step to the first (the reverse direction of a layer). */
  reverse?: boolean;
}
export interface RnnSequenceAttrs extends SequenceAttrs {
  /** h' = act(xp + W_hh h) (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
}

const block = (words: number) => ALIGN_WORDS + words;

/**
 * Shapes of xp [L, N, G·H], W_hh [G·H, H], h0 [N, H] and the extra input (b_hn [H] or c0 [N, H]);
 * the workspace is the larger of the two kernels' allocations, in their order: forward, the
 * step's h·W_hhᵀ [N, G·H] and a GEMM scratch for G·H columns (one per part when a pool splits
 * the record's rows, assembly/kernels/recurrent.ts); backward, the hidden-side
 * pre-activation gradients of every step [L, N, G·H] (for the one dW_hh GEMM at the end), the
 * carried dh [N, H] (and dc for the LSTM) and a GEMM scratch for H columns (one per part).
 */
function planSequence(name: string, kind: number, ins: readonly Meta[], reverse: unknown): Plan {
  checkBool(name, 'reverse', reverse);
  const G = GATES[kind];
  const [xp, w, h0] = ins;
  const what = `${name} expects xp [L, N, ${G}·H], weight_hh [${G}·H, H], h0 [N, H]${kind === GRU ? ', b_hn [H]' : kind === LSTM ? ', c0 [N, H]' : ''}`;
  const given = `got ${ins.map((m) => fmtShape(m.shape)).join(', ')}`;
  if (w.shape.length !== 2 || w.shape[1] < 1 || w.shape[0] !== G * w.shape[1])
    throw new ShapeError(name, `${what}: weight_hh must be [${G}·H, H] with H ≥ 1, ${given}`);
  const H = w.shape[1];
  if (xp.shape.length !== 3 || xp.shape[2] !== G * H) throw new ShapeError(name, `${what}: xp must be [L, N, ${G * H}] for H = ${H}, ${given}`);
  const [L, N] = xp.shape;
  if (!sameShape(h0.shape, [N, H])) throw new ShapeError(name, `${what}: h0 must be ${fmtShape([N, H])}, ${given}`);
  if (kind === GRU && !sameShape(ins[3].shape, [H])) throw new ShapeError(name, `${what}: b_hn must be ${fmtShape([H])}, ${given}`);
  if (kind === LSTM && !sameShape(ins[3].shape, [N, H])) throw new ShapeError(name, `${what}: c0 must be ${fmtShape([N, H])}, ${given}`);
  const fwd = block(N * G * H) + planThreads() * gemmScratchWords(G * H);
  const bwd = block(L * N * G * H) + block(N * H) * (kind === LSTM ? 2 : 1) + planThreads() * gemmScratchWords(H);
  return {
    shape: kind === LSTM ? [L + 1, N, H] : [L, N, H],
    params: [L, N, H, reverse === true ? 1 : 0, kind],
    aux: kind === GRU ? [L * N * 4 * H] : kind === LSTM ? [L * N * 4 * H, L * N * H] : [],
    workspace: Math.max(fwd, bwd),
  };
}

// ---- float64 reference: the same loop as the kernels ---------------------------------------------

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** A record's sizes, buffers (inputs, output, saved) and the time position of loop step s. */
function geometry(r: Int32Array) {
  const L = param(r, 0),
    N = param(r, 1),
    H = param(r, 2),
    reverse = param(r, 3) === 1,
    kind = param(r, 4);
  const [xp, w, h0, extra] = [0, 1, 2, 3].map((i) => inp(r, i));
  const buffers = { xp, w, h0, extra, y: out(r), sv: aux(r, 0), cs: aux(r, 1) };
  return { L, N, H, GH: GATES[kind] * H, kind, at: (s: number) => (reverse ? L - 1 - s : s), ...buffers };
}

/** h·W_hhᵀ for one step: [N, G·H] from h [N, H] at a and W_hh [G·H, H] at w. */
function hiddenProduct(h: Float64Array, a: number, w: number, N: number, GH: number, H: number): Float64Array {
  const c = new Float64Array(N * GH);
  for (let n = 0; n < N; n++)
    for (let g = 0; g < GH; g++) {
      let s = 0;
      for (let k = 0; k < H; k++) s += h[a + n * H + k] * h[w + g * H + k];
      c[n * GH + g] = s;
    }
  return c;
}

function refForward(h: Float64Array, r: Int32Array): void {
  const { L, N, H, GH, kind, at, xp, w, h0, extra, y, sv, cs } = geometry(r);
  let hp = h0,
    cp = extra;
  for (let s = 0; s < L; s++) {
    const t = at(s);
    const gh = hiddenProduct(h, hp, w, N, GH, H);
    for (let n = 0; n < N; n++)
      for (let j = 0; j < H; j++) {
        // Gate k's pre-activation parts at (t, n, j): from the input and from h.
        const x = (k: number) => h[xp + (t * N + n) * GH + k * H + j];
        const q = (k: number) => gh[n * GH + k * H + j];
        const o = (t * N + n) * H + j,
          a = (t * N + n) * 4 * H + j;
        if (kind === RNN_TANH) h[y + o] = Math.tanh(x(0) + q(0));
        else if (kind === RNN_RELU) h[y + o] = Math.max(x(0) + q(0), 0);
        else if (kind === GRU) {
          const rg = sigmoid(x(0) + q(0)),
            z = sigmoid(x(1) + q(1)),
            ghn = q(2) + h[extra + j],
            ng = Math.tanh(x(2) + rg * ghn);
          [rg, z, ng, ghn].forEach((v, k) => (h[sv + a + k * H] = v));
          h[y + o] = (h[hp + n * H + j] - ng) * z + ng;
        } else {
          const ig = sigmoid(x(0) + q(0)),
            fg = sigmoid(x(1) + q(1)),
            gg = Math.tanh(x(2) + q(2)),
            og = sigmoid(x(3) + q(3));
          [ig, fg, gg, og].forEach((v, k) => (h[sv + a + k * H] = v));
          const c = fg * h[cp + n * H + j] + ig * gg;
          h[cs + o] = c;
          h[y + o] = og * Math.tanh(c);
        }
      }
    hp = y + t * N * H;
    cp = cs + t * N * H;
  }
  // The LSTM's row L: the last cell state (c0 for an empty sequence).
  if (kind === LSTM) for (let i = 0; i < N * H; i++) h[y + L * N * H + i] = h[cp + i];
}

/**
 * Backward through time: per step (last first) dh = GOUT[t] + the carried dh, the gates'
 * pre-activation gradients dA (hidden side; the GRU's n part is r ⊙ dn_pre there and dn_pre on the
 * input side), dxp += dA, dW_hh += dAᵀ·h_prev, then the carried dh = dA·W_hh (+ z ⊙ dh for the
 * GRU, whose h' = (h − n) ⊙ z + n also depends on h directly) and, for the LSTM, dc = dc' ⊙ f.
 */
function refBackward(h: Float64Array, r: Int32Array): void {
  const { L, N, H, GH, kind, at, w, h0, extra, y, sv, cs } = geometry(r);
  const g = gout(r);
  const gxp = gin(r, 0),
    gw = gin(r, 1),
    gh0 = gin(r, 2),
    gex = gin(r, 3);
  let dhc = new Float64Array(N * H);
  // The LSTM's cn is row L of the output: its gradient starts the carried dc.
  const dcc = new Float64Array(N * H);
  if (kind === LSTM) for (let i = 0; i < N * H; i++) dcc[i] = h[g + L * N * H + i];
  for (let s = L - 1; s >= 0; s--) {
    const t = at(s);
    const hp = s > 0 ? y + at(s - 1) * N * H : h0,
      cp = s > 0 ? cs + at(s - 1) * N * H : extra;
    const dA = new Float64Array(N * GH);
    const direct = new Float64Array(N * H);
    for (let n = 0; n < N; n++)
      for (let j = 0; j < H; j++) {
        const o = (t * N + n) * H + j,
          a = (t * N + n) * 4 * H + j;
        const dh = h[g + o] + dhc[n * H + j];
        const set = (k: number, hidden: number, input = hidden) => {
          dA[n * GH + k * H + j] = hidden;
          if (gxp) h[gxp + (t * N + n) * GH + k * H + j] += input;
        };
        const v = (k: number) => h[sv + a + k * H];
        if (kind === RNN_TANH) set(0, dh * (1 - h[y + o] ** 2));
        else if (kind === RNN_RELU) set(0, h[y + o] > 0 ? dh : 0);
        else if (kind === GRU) {
          const [rg, z, ng, ghn] = [0, 1, 2, 3].map(v);
          const dnp = dh * (1 - z) * (1 - ng * ng);
          set(0, dnp * ghn * rg * (1 - rg));
          set(1, dh * (h[hp + n * H + j] - ng) * z * (1 - z));
          set(2, dnp * rg, dnp);
          if (gex) h[gex + j] += dnp * rg;
          direct[n * H + j] = dh * z;
        } else {
          const [ig, fg, gg, og] = [0, 1, 2, 3].map(v);
          const tc = Math.tanh(h[cs + o]);
          const dc = dcc[n * H + j] + dh * og * (1 - tc * tc);
          set(0, dc * gg * ig * (1 - ig));
          set(1, dc * h[cp + n * H + j] * fg * (1 - fg));
          set(2, dc * ig * (1 - gg * gg));
          set(3, dh * tc * og * (1 - og));
          dcc[n * H + j] = dc * fg;
        }
      }
    if (gw)
      for (let q = 0; q < GH; q++)
        for (let k = 0; k < H; k++) {
          let acc = 0;
          for (let n = 0; n < N; n++) acc += dA[n * GH + q] * h[hp + n * H + k];
          h[gw + q * H + k] += acc;
        }
    for (let n = 0; n < N; n++)
      for (let k = 0; k < H; k++) {
        let acc = direct[n * H + k];
        for (let q = 0; q < GH; q++) acc += dA[n * GH + q] * h[w + q * H + k];
        direct[n * H + k] = acc;
      }
    dhc = direct;
  }
  if (gh0) for (let i = 0; i < N * H; i++) h[gh0 + i] += dhc[i];
  if (kind === LSTM && gex) for (let i = 0; i < N * H; i++) h[gex + i] += dcc[i];
}

// ---- the ops -------------------------------------------------------------------------------------

/**
 * Cases at L ∈ {0, 1, 3, 5}, N ∈ {0, 1, 3}, H ∈ {1, 3, 5, 7, 9, 17, 33}: the gate maths run four
 * lanes with a scalar tail, the GEMM's tiles are 4×8, its dot products start at depth 32.
 */
function sequenceCases<A extends SequenceAttrs>(G: number, extra: (N: number, H: number) => number[] | null, attrs: A[]): TestCase<A>[] {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 3, 3],
    [5, 1, 5],
    [3, 3, 7],
    [1, 3, 9],
    [5, 3, 17],
    [3, 1, 33],
    [0, 3, 5],
    [3, 0, 5],
  ];
  return sizes.flatMap(([L, N, H], i) => {
    const e = extra(N, H);
    // The weights stay small enough (|W h| ≲ 1) that the gates do not saturate for the gradcheck.
    const inputs = [{ shape: [L, N, G * H] }, { shape: [G * H, H], domain: [-0.4, 0.4] as [number, number] }, { shape: [N, H] }, ...(e ? [{ shape: e }] : [])];
    const a = attrs[i % attrs.length];
    return [{ inputs, attrs: a, name: `L ${L}, N ${N}, H ${H}${a.reverse ? ', reverse' : ''}` }];
  });
}

const sequenceOp = <A extends SequenceAttrs, N extends string>(name: N, arity: number, kindOf: (a: A) => number, info: OpInfo<A>): OpSpec<A, N> => ({
  name,
  module: 'recurrent',
  arity,
  gradInputs: [...Array(arity).keys()],
  plan: (ins, a) => planSequence(name, kindOf(a), ins, a.reverse),
  ref: { fwd: refForward, bwd: refBackward },
  ...info,
});

function rnnKind(a: RnnSequenceAttrs): number {
  const { nonlinearity = 'tanh' } = a;
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
    throw new ValueError('rnnSequence', `nonlinearity must be 'tanh' or 'relu', got ${fmtValue(nonlinearity)}`);
  return nonlinearity === 'tanh' ? RNN_TANH : RNN_RELU;
}

export const RECURRENT_OPS = defineOps(
  sequenceOp<RnnSequenceAttrs, 'rnnSequence'>('rnnSequence', 3, rnnKind, {
    doc: 'Elman RNN over a sequence: h_t = act(xp_t + W_hh h_{t−1}) for every step, [L, N, H]',
    tests: { cases: sequenceCases(1, () => null, [{}, { nonlinearity: 'relu', reverse: true }, { reverse: true }, { nonlinearity: 'relu' }]) },
  }),
  sequenceOp<SequenceAttrs, 'gruSequence'>('gruSequence', 4, () => GRU, {
    doc: 'GRU over a sequence (gates r, z, n; b_hn inside r ⊙ (W_hn h + b_hn)): h at every step, [L, N, H]',
    tests: { cases: sequenceCases(3, (_, H) => [H], [{}, { reverse: true }]) },
  }),
  sequenceOp<SequenceAttrs, 'lstmSequence'>('lstmSequence', 4, () => LSTM, {
    doc: 'LSTM over a sequence (gates i, f, g, o): h at every step and the last cell state, [L + 1, N, H]',
    tests: { cases: sequenceCases(4, (N, H) => [N, H], [{}, { reverse: true }]) },
  }),
);
