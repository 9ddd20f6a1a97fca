/**
 * Schedules computed in JavaScript from the epoch (torch.optim.lr_scheduler): the FormulaLR base
 * (epoch count, state dict, restart for SequentialLR) and PyTorch's LinearLR, ConstantLR,
 * PolynomialLR, CosineAnnealingWarmRestarts, LambdaLR and MultiplicativeLR on it. Each step sets every group's lr through a hyperWrite launch (as
 * `opt.paramGroups[i].lr = x`), so inside wg.compile the step's JavaScript must run every call (a
 * slow program, with the reason named); the closed forms of lr.ts replay without it.
 */
import { checkOptions } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { fmtValue } from '../errors.js';
import { RestartableLR, checkEpochState, initialLrs, nonNeg, options, posInt, type LRSchedulerState, type Schedulable } from './scheduler.js';

/** A schedule whose lr at epoch t is a JavaScript function of t and the group. */
export abstract class FormulaLR extends RestartableLR {
  /** Each group's initial lr (PyTorch's base_lrs). */
  readonly baseLrs: number[];
  private epoch = 0;

  /** `why`: the reason a compiled step must run this scheduler's JavaScript. */
  protected constructor(
    name: string,
    optimizer: Schedulable,
    private readonly why: string,
  ) {
    super(name, optimizer);
    this.baseLrs = initialLrs(optimizer);
  }

  /** Group i's learning rate at epoch t (throws a ValueError, changing nothing, for a bad one). */
  protected abstract lrAt(t: number, i: number): number;

  get lastEpoch(): number {
    return this.epoch;
  }

  step(): void {
    this.epoch++;
    this.refresh();
  }

  restart(): void {
    this.epoch = 0;
    this.refresh();
  }

  refresh(): void {
    // every group's lr first: a failure changes no group
    const lrs = this.baseLrs.map((_, i) => this.lrAt(this.epoch, i));
    if (sink.mode !== 'off') sink.slow(`optim.lr.${this.name}: ${this.why}`);
    this.optimizer.setLrs(lrs);
  }

  stateDict(): LRSchedulerState {
    return { lastEpoch: this.epoch, baseLrs: [...this.baseLrs] };
  }

  planLoadStateDict(sd: LRSchedulerState, origin: LoadOrigin = stateDictOrigin(`optim.lr.${this.name}`)): () => void {
    const { lastEpoch, baseLrs } = checkEpochState(sd, origin, this.baseLrs.length);
    return () => {
      this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
      this.epoch = lastEpoch;
      this.refresh();
    };
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
  constructor(optimizer: Schedulable, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
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
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (this.startFactor + ((this.endFactor - this.startFactor) * Math.min(t, this.totalIters)) / this.totalIters);
  }
}

/** lr = baseLr · factor for t < totalIters, then baseLr (PyTorch's ConstantLR: factor 1/3, totalIters 5). */
export class ConstantLR extends FormulaLR {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: Schedulable, opts: { factor?: number; totalIters?: number } = {}) {
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
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (t < this.totalIters ? this.factor : 1);
  }
}

/** lr = baseLr · (1 − min(t, totalIters)/totalIters)^power: to 0 at totalIters (PyTorch's PolynomialLR: totalIters 5, power 1). */
export class PolynomialLR extends FormulaLR {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: Schedulable, opts: { totalIters?: number; power?: number } = {}) {
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
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * (1 - Math.min(t, this.totalIters) / this.totalIters) ** this.power;
  }
}

/**
 * SGDR (PyTorch's CosineAnnealingWarmRestarts, stepped once per epoch): cosine annealing from
 * baseLr to etaMin over a period of t0 epochs, restarting at baseLr when a period ends; each period
 * is tMult times longer than the previous. lr = etaMin + (baseLr − etaMin)·(1 + cos(π·tCur/tI))/2,
 * tCur the epochs since the last restart, tI the current period. Fractional epochs are not taken.
 */
export class CosineAnnealingWarmRestarts extends FormulaLR {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  constructor(optimizer: Schedulable, opts: { t0: number; tMult?: number; etaMin?: number }) {
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
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    // whole periods are subtracted in integers, as PyTorch's step() does one epoch at a time
    let tCur = t,
      tI = this.t0;
    while (tCur >= tI) {
      tCur -= tI;
      tI *= this.tMult;
    }
    return this.etaMin + ((this.baseLrs[i] - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
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

  /** Group i's function at epoch t, checked to be a finite number ≥ 0. */
  protected factorAt(t: number, i: number): number {
    const f = this.fns[i](t);
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0)
      throw this.error(`${this.option}${this.listed ? `[${i}]` : ''}(${t}) must return a finite number ≥ 0, got ${fmtValue(f)}`);
    return f;
  }
}

/**
 * lr = baseLr · lrLambda(t) for every group: any factor a JavaScript function computes from the
 * epoch; with a list of functions (one per parameter group) group i follows lrLambda[i].
 */
export class LambdaLR extends LambdaSchedule {
  constructor(optimizer: Schedulable, opts: { lrLambda: LrLambda | readonly LrLambda[] }) {
    super('LambdaLR', optimizer, 'lrLambda', opts);
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    return this.baseLrs[i] * this.factorAt(t, i);
  }
}

/**
 * lr(t) = lr(t − 1) · lrLambda(t) from epoch 1 on (PyTorch's MultiplicativeLR), that is baseLr ·
 * Π_{k=1..t} lrLambda(k): recomputed from the base, so a loaded state continues the same products
 * (an lr set by hand between steps is not carried on, unlike PyTorch, which multiplies the current lr).
 */
export class MultiplicativeLR extends LambdaSchedule {
  constructor(optimizer: Schedulable, opts: { lrLambda: LrLambda | readonly LrLambda[] }) {
    super('MultiplicativeLR', optimizer, 'lrLambda', opts);
    this.refresh();
  }
  protected lrAt(t: number, i: number): number {
    let lr = this.baseLrs[i];
    for (let k = 1; k <= t; k++) lr *= this.factorAt(k, i);
    return lr;
  }
}
