/**
 * Learning-rate schedules (torch.optim.lr_scheduler), in PyTorch's closed forms. A scheduler sets
 * the learning rate of every parameter group at construction (epoch 0) and at every `step()`
 * (epoch 1, 2, …): call `opt.step()` then `sched.step()` once per epoch (or per iteration, as you
 * define it). Each group's base learning rate is its lr when the optimizer's first scheduler was
 * made (PyTorch's initial_lr, one per group). The formulas below are the closed forms (a restart
 * of SequentialLR writes them); step() runs PyTorch's chainable form from the group's current lr,
 * which gives the same sequence alone and composes with other schedulers (src/ops/optim.ts chainedLr). The schedulers with a closed form live in memory and replay fast inside wg.compile;
 * so does ChainedScheduler of them; LambdaLR, ReduceLROnPlateau and SequentialLR are driven by
 * JavaScript (src/optim/schedulers.ts), as are LinearLR, ConstantLR, PolynomialLR,
 * CosineAnnealingWarmRestarts, MultiplicativeLR and CyclicLR (src/optim/formula-lr.ts).
 */
import { sink } from '../engine/sink.js';
import { MAX_MILESTONES } from '../ops/optim.js';
import { ValueError, fmtValue } from '../errors.js';
import { ClosedFormLR, nonNeg, options, perGroup, posInt, torchOptions, type Schedulable } from './scheduler.js';
import { Optimizer } from './optimizer.js';

export { LRScheduler, type LRSchedulerState, type Schedulable } from './scheduler.js';
export {
  FormulaLR,
  LambdaLR,
  type LrLambda,
  LinearLR,
  ConstantLR,
  PolynomialLR,
  CosineAnnealingWarmRestarts,
  type WarmRestartsState,
  MultiplicativeLR,
  CyclicLR,
  type CyclicLROptions,
} from './formula-lr.js';
export {
  ChainedScheduler,
  ReduceLROnPlateau,
  SequentialLR,
  type ChainedState,
  type PlateauOptions,
  type PlateauState,
  type SequentialState,
} from './schedulers.js';

/** lr = baseLr · gamma^⌊t / stepSize⌋: decays by gamma every stepSize epochs. gamma defaults to 0.1. */
export class StepLR extends ClosedFormLR {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Schedulable, ...args: [opts: { stepSize: number; gamma?: number }] | [stepSize: number, gamma?: number]) {
    const o = options<{ stepSize: number; gamma: number }>(
      'StepLR',
      torchOptions('StepLR', args, ['stepSize', 'gamma']),
      { stepSize: undefined, gamma: 0.1 },
      { stepSize: posInt, gamma: nonNeg },
      { stepSize: 'an integer ≥ 1', gamma: 'a finite number ≥ 0' },
    );
    super('StepLR', optimizer, 'step', [o.gamma, o.stepSize]);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
  }
}

/** lr = baseLr · gamma^t. */
export class ExponentialLR extends ClosedFormLR {
  readonly gamma: number;
  constructor(optimizer: Schedulable, ...args: [opts: { gamma: number }] | [gamma: number]) {
    const o = options<{ gamma: number }>(
      'ExponentialLR',
      torchOptions('ExponentialLR', args, ['gamma']),
      { gamma: undefined },
      { gamma: nonNeg },
      { gamma: 'a finite number ≥ 0' },
    );
    super('ExponentialLR', optimizer, 'exponential', [o.gamma]);
    this.gamma = o.gamma;
  }
}

/**
 * lr = etaMin + (baseLr − etaMin) · (1 + cos(π·t / tMax)) / 2: half a cosine from baseLr at t = 0
 * down to etaMin at t = tMax (beyond tMax it follows the cosine back up, as PyTorch's closed form).
 */
export class CosineAnnealingLR extends ClosedFormLR {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Schedulable, ...args: [opts: { tMax: number; etaMin?: number }] | [tMax: number, etaMin?: number]) {
    const o = options<{ tMax: number; etaMin: number }>(
      'CosineAnnealingLR',
      torchOptions('CosineAnnealingLR', args, ['tMax', 'etaMin']),
      { tMax: undefined, etaMin: 0 },
      { tMax: posInt, etaMin: nonNeg },
      { tMax: 'an integer ≥ 1', etaMin: 'a finite number ≥ 0' },
    );
    super('CosineAnnealingLR', optimizer, 'cosine', [o.tMax, o.etaMin]);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin;
  }
}

/**
 * Linear warmup, then constant: lr = baseLr · (startFactor + (1 − startFactor) · min(t, warmupSteps) / warmupSteps),
 * i.e. startFactor·baseLr at t = 0 rising linearly to baseLr at t = warmupSteps, and baseLr from then on
 * (PyTorch's LinearLR with end_factor = 1 and total_iters = warmupSteps). startFactor defaults to 0,
 * so the first step runs with lr 0; warmupSteps = 0 means no warmup. From a startFactor of 0 (or with
 * no warmup) step() writes this closed form instead of a chainable form (whose ratio would be 0/0).
 */
export class LinearWarmup extends ClosedFormLR {
  readonly warmupSteps: number;
  readonly startFactor: number;
  constructor(optimizer: Schedulable, opts: { warmupSteps: number; startFactor?: number }) {
    const o = options<{ warmupSteps: number; startFactor: number }>(
      'LinearWarmup',
      opts,
      { warmupSteps: undefined, startFactor: 0 },
      { warmupSteps: (v) => Number.isInteger(v) && v >= 0, startFactor: (v) => v >= 0 && v <= 1 },
      { warmupSteps: 'an integer ≥ 0', startFactor: 'a number in [0, 1]' },
    );
    super('LinearWarmup', optimizer, 'warmup', [o.warmupSteps, o.startFactor]);
    this.warmupSteps = o.warmupSteps;
    this.startFactor = o.startFactor;
  }
}

/**
 * lr = baseLr · gamma^(number of milestones ≤ t): decays by gamma at each milestone. The milestones
 * are sorted and a repeated one counts as often as it appears, as PyTorch's Counter of them; at
 * most MAX_MILESTONES (16: they live in the schedule's memory block).
 */
export class MultiStepLR extends ClosedFormLR {
  readonly milestones: readonly number[];
  readonly gamma: number;
  constructor(optimizer: Schedulable, ...args: [opts: { milestones: readonly number[]; gamma?: number }] | [milestones: readonly number[], gamma?: number]) {
    const opts = torchOptions('MultiStepLR', args, ['milestones', 'gamma']);
    const o = options<{ gamma: number }>('MultiStepLR', opts, { gamma: 0.1 }, { gamma: nonNeg }, { gamma: 'a finite number ≥ 0' }, ['milestones']);
    const ms = (opts as { milestones?: unknown }).milestones;
    const err = (m: string) => new ValueError('optim.lr.MultiStepLR', m);
    if (!Array.isArray(ms) || ms.some((m) => !Number.isInteger(m) || m < 0)) throw err(`milestones must be an array of integers ≥ 0, got ${fmtValue(ms)}`);
    if (ms.length > MAX_MILESTONES) throw err(`holds at most ${MAX_MILESTONES} milestones (they live in the schedule's memory block), got ${ms.length}`);
    const sorted = [...(ms as number[])].sort((a, b) => a - b);
    super('MultiStepLR', optimizer, 'multistep', [o.gamma, sorted.length, ...sorted]);
    this.milestones = sorted;
    this.gamma = o.gamma;
  }
}

export interface OneCycleOptions {
  /** The peak lr: one for every group, or one per parameter group (PyTorch's list form). */
  maxLr: number | readonly number[];
  /** The number of steps of the cycle; or give epochs and stepsPerEpoch (totalSteps = their product). */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  /**
   * PyTorch's cycle_momentum (default true): the momentum (SGD, RMSprop) or β1 (Adam, AdamW, Adamax,
   * NAdam, RAdam) goes the other way from the lr, from maxMomentum down to baseMomentum while the
   * lr rises, and back up while it falls.
   */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak (default 0.85): one for every group, or one per group. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end of the cycle (default 0.95): one for every group, or one per group. */
  maxMomentum?: number | readonly number[];
}

/**
 * The 1cycle policy (PyTorch's OneCycleLR). From maxLr/divFactor the lr rises to maxLr over
 * pctStart of totalSteps, then anneals to maxLr/divFactor/finalDivFactor at step totalSteps − 1
 * (threePhase: rises, falls back to the initial lr symmetrically, then anneals to the minimum), by
 * half cosines or lines; with cycleMomentum the momentum or β1 follows the same curves between
 * maxMomentum and baseMomentum, and is set to maxMomentum when the scheduler is made. Both live in
 * memory, so a compiled step replays them. Stepping past totalSteps is a ValueError as in PyTorch,
 * checked in eager mode (a fast replay runs no JavaScript, so inside wg.compile the schedule
 * continues the last phase's curve instead).
 */
export class OneCycleLR extends ClosedFormLR {
  readonly totalSteps: number;
  constructor(optimizer: Schedulable, ...args: [opts: OneCycleOptions] | [maxLr: number | readonly number[], totalSteps?: number, ...more: unknown[]]) {
    const N = 'OneCycleLR';
    // prettier-ignore
    const opts = torchOptions<OneCycleOptions>(N, args, ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase']) as OneCycleOptions;
    const o = options<{ pctStart: number; divFactor: number; finalDivFactor: number }>(
      N,
      opts,
      { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
      { pctStart: (v) => v >= 0 && v <= 1, divFactor: (v) => Number.isFinite(v) && v > 0, finalDivFactor: (v) => Number.isFinite(v) && v > 0 },
      { pctStart: 'a number in [0, 1]', divFactor: 'a finite number > 0', finalDivFactor: 'a finite number > 0' },
      ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'annealStrategy', 'threePhase', 'cycleMomentum', 'baseMomentum', 'maxMomentum'],
    );
    const { maxLr, totalSteps, epochs, stepsPerEpoch, annealStrategy = 'cos', threePhase = false, cycleMomentum = true } = opts;
    const err = (m: string) => new ValueError(`optim.lr.${N}`, m);
    // one value per group (PyTorch's list form), checked before anything is written
    const groups = optimizer instanceof Optimizer ? optimizer.paramGroups.length : 0;
    const each = (name: string, v: unknown) => perGroup(err, name, v, groups);
    const maxLrs = each('maxLr', maxLr);
    for (const [k, v] of Object.entries({ totalSteps, epochs, stepsPerEpoch }))
      if (v !== undefined && !posInt(v)) throw err(`${k} must be an integer ≥ 1, got ${fmtValue(v)}`);
    if (totalSteps === undefined && (epochs === undefined || stepsPerEpoch === undefined))
      throw err(`needs totalSteps, or epochs and stepsPerEpoch, got ${fmtValue({ totalSteps, epochs, stepsPerEpoch })}`);
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw err(`annealStrategy must be 'cos' or 'linear', got ${fmtValue(annealStrategy)}`);
    if (typeof threePhase !== 'boolean') throw err(`threePhase must be a boolean, got ${fmtValue(threePhase)}`);
    if (typeof cycleMomentum !== 'boolean') throw err(`cycleMomentum must be true or false, got ${fmtValue(cycleMomentum)}`);
    const moms = cycleMomentum
      ? momentumRange(optimizer, each('baseMomentum', opts.baseMomentum ?? 0.85), each('maxMomentum', opts.maxMomentum ?? 0.95), err)
      : null;
    // PyTorch prefers totalSteps when both are given
    const total = totalSteps ?? epochs! * stepsPerEpoch!;
    const up = o.pctStart * total - 1;
    // the phases' end steps and, per group, the lrs and momentums at their ends (PyTorch's _schedule_phases)
    const ends = threePhase ? [up, 2 * o.pctStart * total - 2, total - 1] : [up, total - 1, 0];
    const initials = maxLrs.map((max) => max / o.divFactor);
    const constants = (group: number) => {
      const max = maxLrs[group],
        initial = initials[group],
        min = initial / o.finalDivFactor;
      const lrs = threePhase ? [initial, max, initial, min] : [initial, max, min, 0];
      const momentum = moms === null ? [0, 0, 0, 0, 0] : [1 + optimizer.momentumPair(group), ...moms(group, threePhase)];
      return [annealStrategy === 'linear' ? 1 : 0, threePhase ? 3 : 2, ...ends, ...lrs, ...momentum];
    };
    if (moms !== null) optimizer.setMomentums(maxLrs.map((_, g) => moms(g, threePhase)[0]));
    super(N, optimizer, 'onecycle', constants, initials);
    this.totalSteps = total;
  }

  override step(): void {
    if (sink.mode === 'off' && this.lastEpoch + 1 > this.totalSteps)
      throw this.error(`tried to step ${this.lastEpoch + 1} times, the specified number of total steps is ${this.totalSteps}`);
    super.step();
  }
}

/**
 * The momentum end-points of each phase for OneCycleLR (max → base while the lr rises, back to max
 * while it falls, then held), after checking the optimizer has a momentum to cycle. SGD and
 * RMSprop run without their momentum buffer at momentum 0, which a cycle through 0 would switch
 * off for a step (PyTorch keeps the buffer then and uses it again after): refused.
 */
function momentumRange(
  optimizer: Schedulable,
  base: number[],
  max: number[],
  err: (m: string) => ValueError,
): (group: number, threePhase: boolean) => number[] {
  const name = optimizer.momentumName;
  if (name === null)
    throw err(`cycleMomentum needs an optimizer with a momentum or betas (SGD, RMSprop, the Adam family), got ${optimizer.name}: pass cycleMomentum: false`);
  if (name === 'momentum' && [...base, ...max].some((m) => m === 0))
    throw err(
      `baseMomentum and maxMomentum must be > 0 for ${optimizer.name} (its momentum buffer is off at 0), got baseMomentum ${fmtValue(base)} and maxMomentum ${fmtValue(max)}`,
    );
  return (g, threePhase) => (threePhase ? [max[g], base[g], max[g], max[g]] : [max[g], base[g], max[g], 0]);
}
