/**
 * L-BFGS (torch.optim.LBFGS), eager only. Each step(closure) runs up to maxIter quasi-Newton
 * iterations, re-evaluating the closure (zeroGrad, loss, backward) as it goes, so the number of
 * forward/backward passes depends on the values: a compiled function cannot replay it (a
 * CompileError inside wg.compile). The search direction comes from the last historySize pairs
 * (s, y) of parameter and gradient changes by the two-loop recursion (Nocedal & Wright, Alg. 7.4);
 * the vector algebra runs in JavaScript on the flattened gradient, in float32 as PyTorch's (vectors
 * in Float32Arrays, the scalars PyTorch keeps as float32 tensors rounded with Math.fround; sums
 * accumulate in float64 and round once), so the iterations take PyTorch's decisions on
 * ill-conditioned problems too (Rosenbrock). With lineSearchFn 'strong_wolfe' the
 * step length satisfies the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), by PyTorch's
 * bracketing and cubic interpolation (after minFunc); without, each iteration steps by lr.
 */
import { tensor } from '../api/creation.js';
import { checkOptions, isRecord } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { CompileError, DTypeError, StateDictError, ValueError, fmtValue } from '../errors.js';
import { checkNumber, paramList, torchHyper, type Params, type TorchHyperArgs } from './optimizer.js';
import { zeroGrads, type SetToNone } from './zero-grad.js';

export interface LBFGSOptions {
  /** Step length of each iteration, or the first trial step of the line search (default 1). */
  lr?: number;
  /** Iterations per step() (default 20). */
  maxIter?: number;
  /** Closure evaluations per step() (default ⌊1.25·maxIter⌋). */
  maxEval?: number;
  /** Stop when max |gradient| ≤ this (default 1e-7). */
  toleranceGrad?: number;
  /** Stop when the loss or the parameters move by less than this (default 1e-9). */
  toleranceChange?: number;
  /** How many (s, y) pairs the inverse-Hessian estimate keeps (default 100). */
  historySize?: number;
  /** null: fixed steps of lr; 'strong_wolfe': a line search (default null). */
  lineSearchFn?: 'strong_wolfe' | null;
}

type Closure = () => Tensor | number;

/** LBFGS's options with their defaults, checked. */
type LBFGSHyper = Required<LBFGSOptions>;
const OPTION_NAMES = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearchFn'];

function lbfgsHyper(options: LBFGSOptions | undefined): LBFGSHyper {
  const FN = 'optim.LBFGS';
  const o = checkOptions<LBFGSOptions>(FN, options, OPTION_NAMES);
  const err = (m: string) => new ValueError(FN, m);
  const integer = (key: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw err(`${key} must be an integer ≥ 1, got ${fmtValue(v)}`);
    return v;
  };
  const lr = o.lr ?? 1;
  checkNumber(err, 'lr', lr, 0);
  const maxIter = integer('maxIter', o.maxIter ?? 20);
  const maxEval = integer('maxEval', o.maxEval ?? Math.floor((maxIter * 5) / 4));
  const toleranceGrad = o.toleranceGrad ?? 1e-7;
  checkNumber(err, 'toleranceGrad', toleranceGrad, 0);
  const toleranceChange = o.toleranceChange ?? 1e-9;
  checkNumber(err, 'toleranceChange', toleranceChange, 0);
  const historySize = integer('historySize', o.historySize ?? 100);
  const lineSearchFn = o.lineSearchFn ?? null;
  if (lineSearchFn !== null && lineSearchFn !== 'strong_wolfe') throw err(`lineSearchFn must be null or 'strong_wolfe', got ${fmtValue(lineSearchFn)}`);
  return { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn };
}

/** A flat float32 vector (PyTorch's flat gradient and its relatives). */
type Vec = Float32Array;
const f32 = Math.fround;
const dot = (a: Vec, b: Vec) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return f32(s);
};
const maxAbs = (a: Vec) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const sumAbs = (a: Vec) => f32(a.reduce((m, v) => m + Math.abs(v), 0));
/** a += alpha·b (each element rounded once) */
const axpy = (a: Vec, alpha: number, b: Vec) => {
  for (let i = 0; i < a.length; i++) a[i] += alpha * b[i];
};
const scaled = (a: Vec, alpha: number) => a.map((v) => alpha * v);

/**
 * The minimizer of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to the bounds
 * (the interval between x1 and x2 by default); the midpoint where the cubic has no minimum.
 */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

/** What a line search returns: the loss and gradient at the step it took, the step, and its evaluations. */
interface Search {
  loss: number;
  grad: Vec;
  t: number;
  evals: number;
}

/**
 * PyTorch's _strong_wolfe: a step t along d from the point with loss f, gradient g (slope gtd =
 * g·d < 0) such that f(t) ≤ f + c1·t·gtd and |g(t)·d| ≤ −c2·gtd; `evaluate(t)` gives the loss and
 * gradient at x + t·d (the parameters are restored after).
 */
function strongWolfe(evaluate: (t: number) => [number, Vec], t: number, d: Vec, f: number, g: Vec, gtd: number, toleranceChange: number): Search {
  const c1 = 1e-4,
    c2 = 0.9,
    maxLs = 25;
  const dNorm = maxAbs(d);
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let tPrev = 0,
    fPrev = f,
    gPrev = g,
    gtdPrev = gtd;
  let done = false;
  let iter = 0;
  let bracket: number[] = [],
    bracketF: number[] = [],
    bracketG: Vec[] = [],
    bracketGtd: number[] = [];
  // bracketing phase: grow the step until an interval holds a point satisfying the conditions
  while (iter < maxLs) {
    // no sufficient decrease (or worse than the last trial): the minimum lies before t
    const overshot = fNew > f + c1 * t * gtd || (iter > 1 && fNew >= fPrev);
    if (!overshot && Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    // overshot, or the slope turned: the interval (tPrev, t) brackets a minimum
    if (overshot || gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    // extrapolate, between 1.01·t and 10·t
    const next = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
    [tPrev, fPrev, gPrev, gtdPrev] = [t, fNew, gNew, gtdNew];
    t = next;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
  }
  if (iter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  // zoom phase: shrink the bracket around a point satisfying the conditions
  let insufficientProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // a point too close to an end makes no progress: move it eps into the interval
    const top = Math.max(...bracket),
      bottom = Math.min(...bracket);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = dot(gNew, d);
    iter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0)
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]];
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { loss: bracketF[low], grad: bracketG[low], t: bracket[low], evals };
}

/** What L-BFGS carries from one step() to the next (PyTorch's state of its first parameter). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Vec;
  t: number;
  oldDirs: Vec[];
  oldStps: Vec[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Vec | null;
  prevLoss: number;
}

/**
 * L-BFGS's state under its first parameter, with torch's keys (as the other optimizers' buffers):
 * the counters, and after the first iteration the direction d, step t, the history (old_dirs y,
 * old_stps s, ro = 1/(y·s)), H_diag and the previous flat gradient and loss. Vectors are 1-D
 * float32 tensors over all parameters' elements; torch's scratch `al` is recomputed, not kept.
 */
export interface LBFGSParamState {
  func_evals: number;
  n_iter: number;
  d?: Tensor;
  t?: number;
  old_dirs?: Tensor[];
  old_stps?: Tensor[];
  ro?: number[];
  H_diag?: number;
  prev_flat_grad?: Tensor;
  prev_loss?: number;
}

export interface LBFGSStateDict {
  /** Empty before the first step. */
  state: { 0?: LBFGSParamState };
  /** The one group: the options (camelCase) and its parameters' indices. */
  paramGroups: [LBFGSHyper & { params: number[] }];
}

/** The state before any iteration, after `funcEvals` closure calls (a first step that stopped at once). */
const beforeIterations = (funcEvals: number): LBFGSState => ({
  funcEvals,
  nIter: 0,
  d: new Float32Array(0),
  t: 0,
  oldDirs: [],
  oldStps: [],
  ro: [],
  hDiag: 1,
  prevFlatGrad: null,
  prevLoss: 0,
});

/** The state keys written after the first iteration (all or none of them). */
const ITERATION_KEYS = ['d', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss'];

export class LBFGS {
  readonly params: readonly Tensor[];
  readonly lr!: number;
  readonly maxIter!: number;
  readonly maxEval!: number;
  readonly toleranceGrad!: number;
  readonly toleranceChange!: number;
  readonly historySize!: number;
  readonly lineSearchFn!: 'strong_wolfe' | null;
  private readonly numel: number;
  private history: LBFGSState | null = null;

  /** LBFGS: lr = 1, maxIter = 20, maxEval = ⌊1.25·maxIter⌋, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null. */
  constructor(params: Params | Tensor, options?: LBFGSOptions);
  /** torch's positional form: LBFGS(params, lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn). */
  constructor(params: Params | Tensor, ...torch: TorchHyperArgs);
  constructor(params: Params | Tensor, ...args: unknown[]) {
    const FN = 'optim.LBFGS';
    const options = torchHyper('LBFGS', args, OPTION_NAMES) as LBFGSOptions | undefined;
    if (Array.isArray(params) && params.length > 0 && params[0] !== null && typeof params[0] === 'object' && !(params[0] instanceof Tensor))
      throw new ValueError(FN, "doesn't support per-parameter options (parameter groups): give one list of tensors or a module");
    const list = paramList(FN, params);
    list.forEach((p, i) => {
      if (p.dtype !== 'float32') throw new DTypeError(FN, `params[${i}] is a ${p.dtype} tensor; only float32 tensors can be optimized`);
    });
    // (readonly to users; loadStateDict assigns them again)
    Object.assign(this, lbfgsHyper(options));
    this.params = Object.freeze(list);
    this.numel = list.reduce((n, p) => n + p.size, 0);
  }

  /** Clears the gradients (set to null, or filled with zeros). */
  zeroGrad(setToNone: SetToNone = true): void {
    zeroGrads('optim.LBFGS.zeroGrad', this.params, setToNone);
  }

  /** The gradients of every parameter, flattened in order (zeros for a parameter without one). */
  private flatGrad(): Vec {
    const flat = new Float32Array(this.numel);
    let at = 0;
    for (const p of this.params) {
      const g = p.peekGrad();
      if (g !== null) flat.set(g.rawValues(), at);
      at += p.size;
    }
    return flat;
  }

  private values(): Vec {
    const flat = new Float32Array(this.numel);
    let at = 0;
    for (const p of this.params) {
      flat.set(p.rawValues(), at);
      at += p.size;
    }
    return flat;
  }

  /** Writes the flat values into the parameters (rounded to float32), as in-place updates. */
  private setValues(flat: Vec): void {
    let at = 0;
    noGrad(() => {
      for (const p of this.params) {
        p.copy_(tensor(Float32Array.from(flat.subarray(at, at + p.size)), { shape: p.shape }));
        at += p.size;
      }
    });
  }

  /** x + t·d into the parameters. */
  private addStep(x: Vec, t: number, d: Vec): void {
    const next = Float32Array.from(x);
    axpy(next, t, d);
    this.setValues(next);
  }

  /**
   * Up to maxIter L-BFGS iterations; `closure` zeroes the gradients, computes the loss, calls
   * backward() and returns the loss (a tensor or a number). Returns the closure's first result,
   * as PyTorch.
   */
  step(closure: Closure): Tensor | number {
    const FN = 'optim.LBFGS.step';
    if (sink.mode !== 'off')
      throw new CompileError(
        FN,
        'L-BFGS evaluates its closure a number of times that depends on the values (the line search, the stopping tests), ' +
          'which a compiled function cannot replay: call step(closure) outside wg.compile (the closure itself may be compiled)',
      );
    if (typeof closure !== 'function')
      throw new ValueError(
        FN,
        `L-BFGS needs a closure that zeroes the gradients, computes the loss, calls backward() and returns it; got ${fmtValue(closure)}`,
      );
    for (const p of this.params) p.assertAlive(FN);
    const lossOf = (v: Tensor | number) => {
      if (typeof v === 'number') return v;
      if (v instanceof Tensor && v.size === 1) return v.item();
      throw new ValueError(FN, `the closure must return the loss (a number or a one-element tensor), got ${fmtValue(v)}`);
    };
    // A closure that throws (or returns no loss) part-way leaves the parameters and the history as
    // they were before this step (PyTorch keeps the moved parameters and a broken state).
    const x0 = this.values();
    const saved = this.history && { ...this.history, oldDirs: [...this.history.oldDirs], oldStps: [...this.history.oldStps], ro: [...this.history.ro] };
    try {
      return this.iterate(closure, lossOf);
    } catch (e) {
      this.setValues(x0);
      this.history = saved;
      throw e;
    }
  }

  /** step's iterations, after its checks. */
  private iterate(closure: Closure, lossOf: (v: Tensor | number) => number): Tensor | number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize } = this;

    const origLoss = closure();
    let loss = lossOf(origLoss);
    let currentEvals = 1;
    const st: LBFGSState = this.history ?? beforeIterations(0);
    this.history = st;
    st.funcEvals++;
    let flatGrad = this.flatGrad();
    if (maxAbs(flatGrad) <= toleranceGrad) return origLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      st.nIter++;
      // the direction: −H·g with H the L-BFGS inverse-Hessian estimate
      if (st.nIter === 1) {
        st.d = scaled(flatGrad, -1);
        st.oldDirs = [];
        st.oldStps = [];
        st.ro = [];
        st.hDiag = 1;
      } else {
        const y = flatGrad.map((g, i) => g - st.prevFlatGrad![i]);
        const s = scaled(st.d, st.t);
        const ys = dot(y, s);
        // keep the pair only where it has positive curvature, so H stays positive definite
        if (ys > 1e-10) {
          if (st.oldDirs.length === historySize) {
            st.oldDirs.shift();
            st.oldStps.shift();
            st.ro.shift();
          }
          st.oldDirs.push(y);
          st.oldStps.push(s);
          st.ro.push(f32(1 / ys));
          st.hDiag = f32(ys / dot(y, y));
        }
        // two-loop recursion
        const al = new Array<number>(st.oldDirs.length);
        const q = scaled(flatGrad, -1);
        for (let i = st.oldDirs.length - 1; i >= 0; i--) {
          al[i] = f32(dot(st.oldStps[i], q) * st.ro[i]);
          axpy(q, -al[i], st.oldDirs[i]);
        }
        const r = scaled(q, st.hDiag);
        for (let i = 0; i < st.oldDirs.length; i++) axpy(r, f32(al[i] - f32(dot(st.oldDirs[i], r) * st.ro[i])), st.oldStps[i]);
        st.d = r;
      }
      st.prevFlatGrad = Float32Array.from(flatGrad);
      st.prevLoss = loss;
      // the first step ever is scaled down to a length ≤ lr in the 1-norm of the gradient
      st.t = st.nIter === 1 ? f32(Math.min(1, f32(1 / sumAbs(flatGrad))) * lr) : lr;
      const gtd = dot(flatGrad, st.d);
      if (gtd > -toleranceChange) break; // not a descent direction (to tolerance)

      let evals = 0;
      let optimal = false;
      if (this.lineSearchFn === 'strong_wolfe') {
        const x = this.values();
        const d = st.d;
        const evaluate = (t: number): [number, Vec] => {
          this.addStep(x, t, d);
          const f = lossOf(closure());
          const g = this.flatGrad();
          this.setValues(x);
          return [f, g];
        };
        const found = strongWolfe(evaluate, st.t, d, loss, flatGrad, gtd, toleranceChange);
        [loss, flatGrad, st.t, evals] = [found.loss, found.grad, found.t, found.evals];
        this.addStep(x, st.t, d);
        optimal = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.addStep(this.values(), st.t, st.d);
        if (nIter !== maxIter) {
          loss = lossOf(closure());
          flatGrad = this.flatGrad();
          optimal = maxAbs(flatGrad) <= toleranceGrad;
          evals = 1;
        }
      }
      currentEvals += evals;
      st.funcEvals += evals;
      // stopping tests
      if (nIter === maxIter || currentEvals >= maxEval || optimal) break;
      if (maxAbs(st.d) * Math.abs(st.t) <= toleranceChange) break;
      if (Math.abs(loss - st.prevLoss) < toleranceChange) break;
    }
    return origLoss;
  }

  /** Closure evaluations and iterations over all steps so far (PyTorch's state func_evals, n_iter). */
  get counts(): { funcEvals: number; nIter: number } {
    return { funcEvals: this.history?.funcEvals ?? 0, nIter: this.history?.nIter ?? 0 };
  }

  /**
   * PyTorch's `optimizer.state`: LBFGS keeps its state under its first parameter (torch's
   * `state[params[0]]`), as stateDict's `state[0]` (copies); empty before the first step.
   */
  get state(): Map<Tensor, LBFGSParamState> {
    const entry = this.stateDict().state[0];
    return new Map(entry === undefined ? [] : [[this.params[0], entry]]);
  }

  /** The options and the state (copies), torch's LBFGS state_dict with camelCase options. */
  stateDict(): LBFGSStateDict {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this;
    const paramGroups: LBFGSStateDict['paramGroups'] = [
      { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn, params: this.params.map((_, i) => i) },
    ];
    const st = this.history;
    if (st === null) return { state: {}, paramGroups };
    const vec = (v: Vec) => tensor(Float32Array.from(v));
    const entry: LBFGSParamState = { func_evals: st.funcEvals, n_iter: st.nIter };
    if (st.prevFlatGrad !== null)
      Object.assign(entry, {
        d: vec(st.d),
        t: st.t,
        old_dirs: st.oldDirs.map(vec),
        old_stps: st.oldStps.map(vec),
        ro: [...st.ro],
        H_diag: st.hDiag,
        prev_flat_grad: vec(st.prevFlatGrad),
        prev_loss: st.prevLoss,
      });
    return { state: { 0: entry }, paramGroups };
  }

  /**
   * Restores a state dict made by stateDict() (of an LBFGS over parameters of as many elements):
   * the options and the state, all checked before anything changes; the next step continues as
   * the saved optimizer's would.
   */
  loadStateDict(sd: LBFGSStateDict): void {
    const FN = 'optim.LBFGS';
    const fail = (m: string) => new StateDictError(FN, `loadStateDict: ${m}`);
    if (!isRecord(sd) || !isRecord(sd.state) || !Array.isArray(sd.paramGroups))
      throw new ValueError(FN, `loadStateDict expects { state: {...}, paramGroups: [...] } as made by stateDict(), got ${fmtValue(sd)}`);
    if (sd.paramGroups.length !== 1 || !isRecord(sd.paramGroups[0]))
      throw fail(`paramGroups must hold one group (LBFGS has one), got ${fmtValue(sd.paramGroups)}`);
    const { params, ...options } = sd.paramGroups[0];
    if (params !== undefined && (!Array.isArray(params) || params.length !== this.params.length))
      throw fail(`paramGroups[0].params must list the ${this.params.length} parameters, got ${fmtValue(params)}`);
    const hyper = lbfgsHyper(options);
    const keys = Object.keys(sd.state);
    if (keys.some((k) => k !== '0'))
      throw fail(`state must be empty or hold entry 0 (LBFGS keeps its state under its first parameter), got keys ${fmtValue(keys)}`);
    const e = (sd.state as Record<string, unknown>)[0];
    const state = e === undefined ? null : this.readState(e, hyper.historySize, fail);
    Object.assign(this, hyper);
    this.history = state;
  }

  /** The checked state entry of a state dict (fail: its StateDictError). */
  private readState(e: unknown, historySize: number, fail: (m: string) => StateDictError): LBFGSState {
    if (!isRecord(e)) throw fail(`state[0] must be an object, got ${fmtValue(e)}`);
    const entry = e as Record<string, unknown>;
    // (torch's `al`, the two-loop recursion's scratch, is recomputed each iteration: accepted, not read)
    for (const k of Object.keys(entry))
      if (k !== 'func_evals' && k !== 'n_iter' && k !== 'al' && !ITERATION_KEYS.includes(k))
        throw fail(`unknown state 'state[0].${k}' (LBFGS keeps func_evals, n_iter, ${ITERATION_KEYS.join(', ')})`);
    // a number or a one-element tensor (torch keeps H_diag and ro as 0-d tensors)
    const scalar = (raw: unknown, at: string, integer = false) => {
      const v = raw instanceof Tensor && raw.size === 1 ? raw.item() : raw;
      if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !(Number.isInteger(v) && v >= 0)))
        throw fail(`${at} must be a ${integer ? 'non-negative integer' : 'finite number'}, got ${fmtValue(raw)}`);
      return v;
    };
    const read = (k: string, integer = false) => scalar(entry[k], `state[0].${k}`, integer);
    const vector = (v: unknown, at: string): Vec => {
      if (!(v instanceof Tensor) || v.dtype !== 'float32' || v.ndim !== 1 || v.size !== this.numel)
        throw fail(`${at} must be a 1-D float32 tensor of the ${this.numel} parameter elements, got ${fmtValue(v)}`);
      return Float32Array.from(v.rawValues());
    };
    const list = (k: string) => {
      const v = entry[k];
      if (!Array.isArray(v) || v.length > historySize)
        throw fail(`state[0].${k} must be an array of at most historySize ${historySize} entries, got ${fmtValue(v)}`);
      return v as unknown[];
    };
    const funcEvals = read('func_evals', true),
      nIter = read('n_iter', true);
    const given = ITERATION_KEYS.filter((k) => k in entry);
    if (given.length !== (nIter === 0 ? 0 : ITERATION_KEYS.length))
      throw fail(
        `state[0] after ${nIter} iterations must hold ${nIter === 0 ? 'none' : 'all'} of ${ITERATION_KEYS.join(', ')}, got ${given.join(', ') || 'none'}`,
      );
    if (nIter === 0) return beforeIterations(funcEvals);
    const [dirs, stps, ro] = ['old_dirs', 'old_stps', 'ro'].map(list);
    if (stps.length !== dirs.length || ro.length !== dirs.length)
      throw fail(`state[0].old_dirs, old_stps and ro must be as long, got ${dirs.length}, ${stps.length} and ${ro.length}`);
    return {
      funcEvals,
      nIter,
      d: vector(entry.d, 'state[0].d'),
      t: read('t'),
      oldDirs: dirs.map((v, i) => vector(v, `state[0].old_dirs[${i}]`)),
      oldStps: stps.map((v, i) => vector(v, `state[0].old_stps[${i}]`)),
      ro: ro.map((v, i) => scalar(v, `state[0].ro[${i}]`)),
      hDiag: read('H_diag'),
      prevFlatGrad: vector(entry.prev_flat_grad, 'state[0].prev_flat_grad'),
      prevLoss: read('prev_loss'),
    };
  }
}
