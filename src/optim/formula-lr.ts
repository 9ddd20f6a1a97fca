/**
 * Schedules computed in JavaScript from the epoch (torch.optim.lr_scheduler): the FormulaLR base
 * (epoch count, state dict, restart for SequentialLR) and PyTorch's LinearLR, ConstantLR,
 * PolynomialLR, CosineAnnealingWarmRestarts, LambdaLR, MultiplicativeLR and CyclicLR on it. LinearLR,
 * ConstantLR, PolynomialLR and MultiplicativeLR step by PyTorch's chainable form (a factor on the
 * current lr, applied in a kernel); the others set every group's lr through a hyperWrite launch (as
 * `opt.paramGroups[i].lr = x`). Either way the factor or lr comes from JavaScript, so inside
 * wg.compile the step's JavaScript must run every call (a slow program, with the reason named); the
 * closed forms of lr.ts replay without it. */
import { checkOptions } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { fmtValue } from '../errors.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { EpochLR, LrScaler, initialLrs, nonNeg, options, perGroup, posInt, torchOptions, type LRSchedulerState, type Schedulable } from './scheduler.js';

/**
 * A schedule whose lr at epoch t is a JavaScript function of t and the group. Those with PyTorch's
 * chainable form (chainFactor) step by scaling the lr the optimizer holds, in memory (LrScaler), so
 * they compose with other schedulers as torch's; the others set lrAt from the base.
 */
export abstract class FormulaLR extends EpochLR {
  /** Each group's initial lr (PyTorch's base_lrs). */
  readonly baseLrs: number[];
  private epoch = 0;
  private readonly scaler: LrScaler | null;

  /** `why`: the reason a compiled step must run this scheduler's JavaScript. */
  protected constructor(
    name: string,
    optimizer: Schedulable,
    private readonly why: string,
  ) {
    super(name, optimizer);
    this.baseLrs = initialLrs(optimizer);
    this.scaler = this.chainFactor === undefined ? null : new LrScaler(optimizer, name);
  }

  /** Group i's learning rate at epoch t, the closed form (throws a ValueError, changing nothing, for a bad one). */
  protected abstract lrAt(t: number, i: number): number;

  /**
   * PyTorch's chainable get_lr as a factor: group i's lr at epoch t is its lr at t − 1 (at t = 0:
   * the lr before the scheduler was made) times this.
   */
  protected chainFactor?(t: number, i: number): number;

  get lastEpoch(): number {
    return this.epoch;
  }

  step(): void {
    this.epoch++;
    this.advance();
  }

  restart(): void {
    this.epoch = 0;
    this.refresh();
  }

  /** Sets every group's lr to the closed form at the current epoch. */
  protected refresh(): void {
    // every group's lr first: a failure changes no group
    const lrs = this.baseLrs.map((_, i) => this.lrAt(this.epoch, i));
    this.slow();
    this.optimizer.setLrs(lrs);
  }

  /** PyTorch's initial step, at epoch 0 (the end of a subclass's constructor). */
  protected advance(): void {
    if (this.scaler === null) return this.refresh();
    const factors = this.baseLrs.map((_, i) => this.chainFactor!(this.epoch, i));
    this.slow();
    this.scaler.scale(factors);
  }

  private slow(): void {
    if (sink.mode !== 'off') sink.slow(`optim.lr.${this.name}: ${this.why}`);
  }

  protected restore(lastEpoch: number): void {
    this.epoch = lastEpoch;
  }
}

const unit = (v: number) => v >= 0 && v <= 1;
const FORMULA = 'its lr is computed in JavaScript';

/**
 * lr = baseLr · (startFactor + (endFactor − startFactor) · min(t, totalIters) / totalIters): from
 * startFactor·baseLr to endFactor·baseLr over totalIters epochs, then constant (PyTorch's LinearLR:
 * startFactor 1/3, endFactor 1, totalIters 5 by default). LinearWarmup is the closed form of the
 * endFactor 1 case that replays fast inside wg.compile.
 */
export class LinearLR extends FormulaLR {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(
    optimizer: Schedulable,
    ...args: [opts?: { startFactor?: number; endFactor?: number; totalIters?: number }] | [startFactor?: number, endFactor?: number, totalIters?: number]
  ) {
    const opts = torchOptions('LinearLR', args, ['startFactor', 'endFactor', 'totalIters']) ?? {};
    const o = options<{ startFactor: number; endFactor: number; totalIters: number }>(
      'LinearLR',
      opts,
      { startFactor: 1 / 3, endFactor: 1, totalIters: 5 },
      // PyTorch's ranges: a start factor of 0 would make its chainable form divide by zero
      { startFactor: (v) => v > 0 && v <= 1, endFactor: unit, totalIters: posInt },
      { startFactor: 'a number in (0, 1]', endFactor: 'a number in [0, 1]', totalIters: 'an integer ≥ 1' },
    );
    super('LinearLR', optimizer, FORMULA);
    this.startFactor = o.startFactor;
    this.endFactor = o.endFactor;
    this.totalIters = o.totalIters;
    this.advance();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(t, this.totalIters)) / this.totalIters);
  }
  protected override chainFactor(t: number): number {
    const [start, end, total] = [this.startFactor, this.endFactor, this.totalIters];
    if (t === 0) return start;
    return t > total ? 1 : 1 + (end - start) / (total * start + (t - 1) * (end - start));
  }
}

/** lr = baseLr · factor for t < totalIters, then baseLr (PyTorch's ConstantLR: factor 1/3, totalIters 5). */
export class ConstantLR extends FormulaLR {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: Schedulable, ...args: [opts?: { factor?: number; totalIters?: number }] | [factor?: number, totalIters?: number]) {
    const opts = torchOptions('ConstantLR', args, ['factor', 'totalIters']) ?? {};
    const o = options<{ factor: number; totalIters: number }>(
      'ConstantLR',
      opts,
      { factor: 1 / 3, totalIters: 5 },
      { factor: unit, totalIters: (v) => Number.isInteger(v) && v >= 0 },
      { factor: 'a number in [0, 1]', totalIters: 'an integer ≥ 0' },
    );
    super('ConstantLR', optimizer, FORMULA);
    this.factor = o.factor;
    this.totalIters = o.totalIters;
    this.advance();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (t < this.totalIters ? this.factor : 1);
  }
  protected override chainFactor(t: number): number {
    if (t === 0) return this.factor;
    if (t !== this.totalIters) return 1;
    if (this.factor === 0) throw this.error(`cannot undo a factor of 0 at epoch totalIters = ${t} (PyTorch divides by zero)`);
    return 1 / this.factor;
  }
}

/** lr = baseLr · (1 − min(t, totalIters)/totalIters)^power: to 0 at totalIters (PyTorch's PolynomialLR: totalIters 5, power 1). */
export class PolynomialLR extends FormulaLR {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: Schedulable, ...args: [opts?: { totalIters?: number; power?: number }] | [totalIters?: number, power?: number]) {
    const opts = torchOptions('PolynomialLR', args, ['totalIters', 'power']) ?? {};
    const o = options<{ totalIters: number; power: number }>(
      'PolynomialLR',
      opts,
      { totalIters: 5, power: 1 },
      { totalIters: posInt, power: nonNeg },
      { totalIters: 'an integer ≥ 1', power: 'a finite number ≥ 0' },
    );
    super('PolynomialLR', optimizer, FORMULA);
    this.totalIters = o.totalIters;
    this.power = o.power;
    this.advance();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (1 - Math.min(t, this.totalIters) / this.totalIters) ** this.power;
  }
  protected override chainFactor(t: number): number {
    const T = this.totalIters;
    return t === 0 || t > T ? 1 : ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
  }
}

/** CosineAnnealingWarmRestarts's state: the epoch, the base lrs and where the current period stands (PyTorch's T_cur, T_i). */
export interface WarmRestartsState extends LRSchedulerState {
  tCur: number;
  tI: number;
}

/**
 * SGDR (PyTorch's CosineAnnealingWarmRestarts): cosine annealing from baseLr to etaMin over a
 * period of t0 epochs, restarting at baseLr when a period ends; each period is tMult times longer
 * than the previous. lr = etaMin + (baseLr − etaMin)·(1 + cos(π·tCur/tI))/2, tCur the epochs
 * since the last restart, tI the current period. As PyTorch's, `step()` moves one epoch on and
 * `step(epoch)` jumps to any epoch ≥ 0, fractional too (`step(e + i / iters)` within epoch e), so
 * tCur and tI are kept (and saved) rather than derived from the integer lastEpoch.
 */
export class CosineAnnealingWarmRestarts extends FormulaLR {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  private tCur = 0;
  private tI: number;
  constructor(optimizer: Schedulable, ...args: [opts: { t0: number; tMult?: number; etaMin?: number }] | [t0: number, tMult?: number, etaMin?: number]) {
    const opts = torchOptions('CosineAnnealingWarmRestarts', args, ['t0', 'tMult', 'etaMin']);
    const o = options<{ t0: number; tMult: number; etaMin: number }>(
      'CosineAnnealingWarmRestarts',
      opts,
      { t0: undefined, tMult: 1, etaMin: 0 },
      { t0: posInt, tMult: posInt, etaMin: nonNeg },
      { t0: 'an integer ≥ 1', tMult: 'an integer ≥ 1', etaMin: 'a finite number ≥ 0' },
    );
    super('CosineAnnealingWarmRestarts', optimizer, FORMULA);
    this.t0 = o.t0;
    this.tMult = o.tMult;
    this.etaMin = o.etaMin;
    this.tI = o.t0;
    this.advance();
  }

  /** One epoch on, or (PyTorch's step(epoch)) to `epoch`, any number ≥ 0. */
  override step(epoch?: number): void {
    if (epoch === undefined) {
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
      return super.step();
    }
    if (typeof epoch !== 'number' || !Number.isFinite(epoch) || epoch < 0) throw this.error(`step(epoch) expects a finite epoch ≥ 0, got ${fmtValue(epoch)}`);
    const [t0, m] = [this.t0, this.tMult];
    if (epoch < t0) [this.tCur, this.tI] = [epoch, t0];
    else if (m === 1) [this.tCur, this.tI] = [epoch % t0, t0];
    else {
      // PyTorch's closed form: the periods t0·(1 + m + … + m^(n−1)) = t0·(mⁿ − 1)/(m − 1) before
      // epoch, n from a logarithm (int() truncates, as Math.trunc), rounding included
      const n = Math.trunc(Math.log((epoch / t0) * (m - 1) + 1) / Math.log(m));
      [this.tCur, this.tI] = [epoch - (t0 * (m ** n - 1)) / (m - 1), t0 * m ** n];
    }
    super.restore(Math.floor(epoch));
    this.refresh();
  }

  override restart(): void {
    [this.tCur, this.tI] = [0, this.t0];
    super.restart();
  }

  protected override restore(lastEpoch: number): void {
    super.restore(lastEpoch);
    // whole periods subtracted in integers, as PyTorch's step() does one epoch at a time
    [this.tCur, this.tI] = [lastEpoch, this.t0];
    while (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
  }

  override stateDict(): WarmRestartsState {
    return { ...super.stateDict(), tCur: this.tCur, tI: this.tI };
  }

  /** Also takes a state without tCur and tI (saved before they were kept): they follow from lastEpoch then. */
  override planLoadStateDict(sd: LRSchedulerState, origin: LoadOrigin = stateDictOrigin(`optim.lr.${this.name}`)): () => void {
    const commit = super.planLoadStateDict(sd, origin);
    const { tCur, tI } = sd as Partial<WarmRestartsState>;
    if (tCur === undefined && tI === undefined) return commit;
    if (typeof tCur !== 'number' || !Number.isFinite(tCur) || tCur < 0 || typeof tI !== 'number' || !Number.isFinite(tI) || !(tI > 0))
      throw origin.error(
        `${origin.name({ field: 'tCur' })} and tI must be finite numbers, tCur ≥ 0 and tI > 0, got ${fmtValue(tCur)} and ${fmtValue(tI)}`,
        true,
      );
    return () => {
      commit();
      [this.tCur, this.tI] = [tCur, tI];
    };
  }

  /** At the current position (tCur, tI), which fractional steps make no function of the epoch t alone. */
  protected lrAt(_t: number, i: number): number {
    return this.etaMin + ((this.baseLrs[i] - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2;
  }
}

/** A user's factor function of the epoch. */
export type LrLambda = (epoch: number) => number;

/** The schedules of user functions: `option` takes one function, or a list of one per parameter group. */
abstract class LambdaSchedule extends FormulaLR {
  private readonly fns: readonly LrLambda[];
  /** Given as a list (messages name the entry). */
  private readonly listed: boolean;

  protected constructor(
    name: string,
    optimizer: Schedulable,
    private readonly option: string,
    opts: unknown,
  ) {
    super(name, optimizer, `${option} is a JavaScript function, which a replay cannot run`);
    const given = checkOptions<Record<string, unknown>>(`optim.lr.${name}`, opts, [option])[option];
    const groups = this.baseLrs.length;
    this.listed = Array.isArray(given);
    if (Array.isArray(given)) {
      if (given.length !== groups)
        throw this.error(`${option} holds ${given.length} functions, the optimizer has ${groups} parameter groups (give one function, or one per group)`);
      given.forEach((f, i) => {
        if (typeof f !== 'function') throw this.error(`${option}[${i}] must be a function (epoch) => factor, got ${fmtValue(f)}`);
      });
      this.fns = given as LrLambda[];
    } else if (typeof given !== 'function') throw this.error(`${option} must be a function (epoch) => factor, got ${fmtValue(given)}`);
    else this.fns = this.baseLrs.map(() => given as LrLambda);
  }

  /** Group i's function at epoch t, checked to be a finite number (negative too: the lr may go below 0, as PyTorch's). */
  protected factorAt(t: number, i: number): number {
    const f = this.fns[i](t);
    if (typeof f !== 'number' || !Number.isFinite(f))
      throw this.error(`${this.option}${this.listed ? `[${i}]` : ''}(${t}) must return a finite number, got ${fmtValue(f)}`);
    return f;
  }
}

/**
 * lr = baseLr · lrLambda(t) for every group: any factor a JavaScript function computes from the
 * epoch; with a list of functions (one per parameter group) group i follows lrLambda[i].
 */
export class LambdaLR extends LambdaSchedule {
  constructor(optimizer: Schedulable, ...args: [opts: { lrLambda: LrLambda | readonly LrLambda[] }] | [lrLambda: LrLambda | readonly LrLambda[]]) {
    super('LambdaLR', optimizer, 'lrLambda', torchOptions('LambdaLR', args, ['lrLambda']));
    this.advance();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * this.factorAt(t, i);
  }
}

/**
 * lr(t) = lr(t − 1) · lrLambda(t) from epoch 1 on (PyTorch's MultiplicativeLR): each step multiplies
 * the group's current lr; a restart (SequentialLR) writes baseLr · Π_{k=1..t} lrLambda(k).
 */
export class MultiplicativeLR extends LambdaSchedule {
  constructor(optimizer: Schedulable, ...args: [opts: { lrLambda: LrLambda | readonly LrLambda[] }] | [lrLambda: LrLambda | readonly LrLambda[]]) {
    super('MultiplicativeLR', optimizer, 'lrLambda', torchOptions('MultiplicativeLR', args, ['lrLambda']));
    this.advance();
  }
  protected lrAt(t: number, i: number): number {
    let lr = this.baseLrs[i];
    for (let k = 1; k <= t; k++) lr *= this.factorAt(k, i);
    return lr;
  }
  protected override chainFactor(t: number, i: number): number {
    return t > 0 ? this.factorAt(t, i) : 1;
  }
}

export interface CyclicLROptions {
  /** The lower bound of the cycle: a number, or one per parameter group (required). */
  baseLr: number | readonly number[];
  /** The upper bound of the cycle: a number, or one per parameter group (required). */
  maxLr: number | readonly number[];
  /** Steps from baseLr up to maxLr (default 2000). */
  stepSizeUp?: number;
  /** Steps back down (default stepSizeUp). */
  stepSizeDown?: number | null;
  /** 'triangular' (default), 'triangular2' (the amplitude halves each cycle) or 'exp_range' (times gamma^t). */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** exp_range's factor per step (default 1). */
  gamma?: number;
  /** A custom amplitude factor of the cycle number (or of the step, with scaleMode 'iterations'); replaces mode. */
  scaleFn?: ((x: number) => number) | null;
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle the optimizer's momentum inversely to the lr, between maxMomentum and baseMomentum (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
}

const CYCLIC_OPTIONS = [
  'baseLr',
  'maxLr',
  'stepSizeUp',
  'stepSizeDown',
  'mode',
  'gamma',
  'scaleFn',
  'scaleMode',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
] as const;

/**
 * PyTorch's CyclicLR, stepped once per batch: the lr goes from baseLr up to maxLr in stepSizeUp
 * steps and back in stepSizeDown, cycle after cycle; with cycleMomentum (the default, which needs
 * an optimizer with momentum: SGD or RMSprop) the momentum goes the other way, from maxMomentum
 * down to baseMomentum. At step t, with cycle c = ⌊1 + t/(up + down)⌋ and x = 1 + t/(up + down) − c,
 * the rise is x/ratio while x ≤ ratio = up/(up + down), else (x − 1)/(ratio − 1), and
 * lr = baseLr + (maxLr − baseLr)·rise·scale, momentum = maxMomentum − (maxMomentum − baseMomentum)·rise·scale,
 * scale = 1 (triangular), 1/2^(c−1) (triangular2), gamma^t (exp_range) or scaleFn(c or t).
 * The groups' lrs are set to baseLr when it is made, which is also its base (PyTorch's base_lrs).
 */
export class CyclicLR extends FormulaLR {
  readonly maxLrs: readonly number[];
  readonly baseMomentums: readonly number[] | null;
  readonly maxMomentums: readonly number[] | null;
  private readonly totalSize: number;
  private readonly stepRatio: number;
  private readonly scale: (x: number) => number;
  private readonly scaleMode: 'cycle' | 'iterations';

  constructor(
    optimizer: Schedulable,
    ...args: [opts: CyclicLROptions] | [baseLr: number | readonly number[], maxLr: number | readonly number[], ...more: unknown[]]
  ) {
    super('CyclicLR', optimizer, FORMULA);
    const o = checkOptions<CyclicLROptions>('optim.lr.CyclicLR', torchOptions('CyclicLR', args, CYCLIC_OPTIONS), CYCLIC_OPTIONS);
    const groups = this.baseLrs.length;
    const each = (name: string, v: unknown) => perGroup((m) => this.error(m), name, v, groups);
    const baseLrs = each('baseLr', o.baseLr);
    this.maxLrs = each('maxLr', o.maxLr);
    const { stepSizeUp = 2000, stepSizeDown = null, mode = 'triangular', gamma = 1, scaleFn = null, cycleMomentum = true } = o;
    for (const [k, v] of Object.entries({ stepSizeUp, stepSizeDown: stepSizeDown ?? 1 }))
      if (!(Number.isFinite(v) && v > 0)) throw this.error(`${k} must be a number > 0, got ${fmtValue(v)}`);
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode))
      throw this.error(`mode must be 'triangular', 'triangular2' or 'exp_range', got ${fmtValue(mode)}`);
    if (!nonNeg(gamma)) throw this.error(`gamma must be a finite number ≥ 0, got ${fmtValue(gamma)}`);
    if (scaleFn !== null && typeof scaleFn !== 'function') throw this.error(`scaleFn must be a function (x) => factor or null, got ${fmtValue(scaleFn)}`);
    const scaleMode = scaleFn !== null ? (o.scaleMode ?? 'cycle') : mode === 'exp_range' ? 'iterations' : 'cycle';
    if (scaleMode !== 'cycle' && scaleMode !== 'iterations') throw this.error(`scaleMode must be 'cycle' or 'iterations', got ${fmtValue(scaleMode)}`);
    if (typeof cycleMomentum !== 'boolean') throw this.error(`cycleMomentum must be true or false, got ${fmtValue(cycleMomentum)}`);
    if (cycleMomentum && !Object.hasOwn(optimizer.paramGroups[0], 'momentum'))
      throw this.error(`cycleMomentum needs an optimizer with momentum (SGD, RMSprop), got ${optimizer.name}: pass cycleMomentum: false`);
    this.baseMomentums = cycleMomentum ? each('baseMomentum', o.baseMomentum ?? 0.8) : null;
    this.maxMomentums = cycleMomentum ? each('maxMomentum', o.maxMomentum ?? 0.9) : null;
    this.totalSize = stepSizeUp + (stepSizeDown ?? stepSizeUp);
    this.stepRatio = stepSizeUp / this.totalSize;
    this.scaleMode = scaleMode;
    this.scale = scaleFn ?? (mode === 'triangular' ? () => 1 : mode === 'triangular2' ? (c) => 1 / 2 ** (c - 1) : (t) => gamma ** t);
    this.baseLrs.splice(0, groups, ...baseLrs);
    this.advance();
  }

  /** The rise (0 at the bottom, 1 at the top of the cycle) times the scale, at step t. */
  private height(t: number): number {
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const rise = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scale(this.scaleMode === 'cycle' ? cycle : t);
    if (typeof s !== 'number' || !Number.isFinite(s))
      throw this.error(`scaleFn(${this.scaleMode === 'cycle' ? cycle : t}) must return a finite number, got ${fmtValue(s)}`);
    return rise * s;
  }

  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] + (this.maxLrs[i] - this.baseLrs[i]) * this.height(t);
  }

  protected override refresh(): void {
    super.refresh();
    if (this.maxMomentums === null) return;
    const h = this.height(this.lastEpoch);
    this.maxMomentums.forEach((max, i) => (this.optimizer.paramGroups[i].momentum = max - (max - this.baseMomentums![i]) * h));
  }
}
