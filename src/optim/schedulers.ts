/**
 * The schedulers that combine others or read a metric (torch.optim.lr_scheduler): ReduceLROnPlateau
 * (reads a metric) and SequentialLR (picks a child scheduler by epoch), and ChainedScheduler (it replays
 * fast when its children's steps are kernels). The first two set each group's learning rate
 * through a hyperWrite launch (as `opt.paramGroups[i].lr = x`); inside wg.compile their JavaScript
 * must run every call, so the program is slow, with the reason named. ChainedScheduler steps its
 * children, each by PyTorch's chainable form.
 */
import { checkOptions } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { ValueError, fmtValue } from '../errors.js';
import { EpochLR, LRScheduler, RestartableLR, initialLrs, options, torchOptions, type LRSchedulerState, type Schedulable } from './scheduler.js';

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  /** A floor for every group, or one per parameter group. */
  minLr?: number | readonly number[];
  eps?: number;
}

/** ReduceLROnPlateau's state; a best of ±Infinity (no metric yet) is saved as a string, JSON having no Infinity. */
export interface PlateauState {
  lastEpoch: number;
  best: number | 'Infinity' | '-Infinity';
  numBadEpochs: number;
  cooldownCounter: number;
}

/**
 * Multiplies the lr by factor when the metric passed to step() has not improved for more than
 * patience epochs (PyTorch's rules: improvement is below best·(1 − threshold) in 'min'/'rel' mode,
 * best − threshold in 'abs', mirrored for 'max'; after a reduction, cooldown epochs count no bad
 * epoch; a group's lr never goes below its minLr, and a change smaller than eps is skipped), in
 * every parameter group. It reads the
 * metric (and the lr) in JavaScript: call it outside a compiled step, with the metric it returned.
 */
export class ReduceLROnPlateau extends LRScheduler<PlateauState> {
  readonly mode: 'min' | 'max';
  readonly thresholdMode: 'rel' | 'abs';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  /** The floor of each group's learning rate. */
  readonly minLrs: readonly number[];
  readonly eps: number;
  private epoch = 0;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;

  constructor(
    optimizer: Schedulable,
    ...args: [opts?: PlateauOptions] | [mode?: PlateauOptions['mode'], factor?: number, patience?: number, ...more: unknown[]]
  ) {
    super('ReduceLROnPlateau', optimizer);
    // prettier-ignore
    const opts = torchOptions<PlateauOptions>(this.name, args, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']) ?? {};
    const o = options<{ factor: number; patience: number; threshold: number; cooldown: number; eps: number }>(
      this.name,
      opts,
      { factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, eps: 1e-8 },
      {
        factor: (v) => v >= 0 && v < 1,
        patience: (v) => Number.isInteger(v) && v >= 0,
        threshold: (v) => Number.isFinite(v) && v >= 0,
        cooldown: (v) => Number.isInteger(v) && v >= 0,
        eps: (v) => Number.isFinite(v) && v >= 0,
      },
      {
        factor: 'a number in [0, 1)',
        patience: 'an integer ≥ 0',
        threshold: 'a finite number ≥ 0',
        cooldown: 'an integer ≥ 0',
        eps: 'a finite number ≥ 0',
      },
      ['mode', 'thresholdMode', 'minLr'],
    );
    const { mode = 'min', thresholdMode = 'rel', minLr = 0 } = opts;
    if (mode !== 'min' && mode !== 'max') throw this.error(`mode must be 'min' or 'max', got ${fmtValue(mode)}`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw this.error(`thresholdMode must be 'rel' or 'abs', got ${fmtValue(thresholdMode)}`);
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.cooldown = o.cooldown;
    const groups = optimizer.paramGroups.length;
    const floors: unknown[] = Array.isArray(minLr) ? minLr : optimizer.paramGroups.map(() => minLr);
    if (floors.length !== groups) throw this.error(`minLr holds ${floors.length} values, the optimizer has ${groups} parameter groups`);
    floors.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw this.error(`minLr${Array.isArray(minLr) ? `[${i}]` : ''} must be a finite number ≥ 0, got ${fmtValue(v)}`);
    });
    this.minLrs = floors as number[];
    this.eps = o.eps;
    this.best = this.worst;
  }

  private get worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  get lastEpoch(): number {
    return this.epoch;
  }

  /** One epoch with its metric (a number, or a one-element tensor read with item()). */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number') throw this.error(`step expects the metric as a number or a one-element tensor, got ${fmtValue(metric)}`);
    this.epoch++;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      // the groups the scheduler was made with (one added later keeps its lr)
      const old = this.getLastLr().slice(0, this.minLrs.length);
      const lrs = old.map((lr, i) => Math.max(lr * this.factor, this.minLrs[i]));
      // PyTorch skips a group whose change is within eps: it keeps its lr
      if (lrs.some((lr, i) => old[i] - lr > this.eps)) this.optimizer.setLrs(lrs.map((lr, i) => (old[i] - lr > this.eps ? lr : old[i])));
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  private isBetter(a: number): boolean {
    const { best, threshold: th } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (th + 1) : a > best + th;
  }

  stateDict(): PlateauState {
    const best = Number.isFinite(this.best) ? this.best : this.best > 0 ? 'Infinity' : '-Infinity';
    return { lastEpoch: this.epoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  planLoadStateDict(sd: PlateauState, origin: LoadOrigin = stateDictOrigin('optim.lr.ReduceLROnPlateau')): () => void {
    const s = (sd ?? {}) as Partial<PlateauState>;
    for (const field of ['lastEpoch', 'numBadEpochs', 'cooldownCounter'] as const)
      if (!Number.isInteger(s[field]) || s[field]! < 0) throw origin.error(`${origin.name({ field })} must be an integer ≥ 0, got ${fmtValue(s[field])}`, true);
    const best = typeof s.best === 'string' ? Number(s.best) : s.best;
    if (typeof best !== 'number' || Number.isNaN(best) || (typeof s.best === 'string' && Number.isFinite(best)))
      throw origin.error(`${origin.name({ field: 'best' })} must be a number, 'Infinity' or '-Infinity', got ${fmtValue(s.best)}`, true);
    return () => {
      this.epoch = s.lastEpoch!;
      this.best = best;
      this.numBadEpochs = s.numBadEpochs!;
      this.cooldownCounter = s.cooldownCounter!;
    };
  }
}

export interface SequentialState {
  lastEpoch: number;
  schedulers: LRSchedulerState[];
}

/**
 * Runs schedulers one after another (PyTorch's SequentialLR): schedulers[i] from epoch
 * milestones[i − 1] on, restarted at its epoch 0 there. The choice is JavaScript, so inside
 * wg.compile the step runs its JavaScript every call (a slow program); each child's step is still
 * one launch. The children must be made on the same optimizer, just before the SequentialLR.
 */
export class SequentialLR extends RestartableLR<SequentialState> {
  readonly milestones: readonly number[];
  private readonly schedulers: readonly RestartableLR<LRSchedulerState>[];
  private epoch = 0;

  constructor(
    optimizer: Schedulable,
    ...args:
      | [opts: { schedulers: readonly RestartableLR<LRSchedulerState>[]; milestones: readonly number[] }]
      | [schedulers: readonly RestartableLR<LRSchedulerState>[], milestones: readonly number[]]
  ) {
    super('SequentialLR', optimizer);
    const opts = torchOptions('SequentialLR', args, ['schedulers', 'milestones']);
    const { schedulers, milestones } = checkOptions<{ schedulers?: unknown; milestones?: unknown }>('optim.lr.SequentialLR', opts, [
      'schedulers',
      'milestones',
    ]);
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof RestartableLR) || s instanceof SequentialLR))
      throw this.error(`schedulers must be a non-empty array of schedulers with an epoch (not ReduceLROnPlateau or SequentialLR), got ${fmtValue(schedulers)}`);
    schedulers.forEach((s: RestartableLR, i) => {
      if (s.optimizer !== optimizer) throw this.error(`schedulers[${i}] drives another optimizer than the SequentialLR's`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1 || milestones.some((m) => !Number.isInteger(m) || m < 0))
      throw this.error(`milestones must be ${schedulers.length - 1} integers ≥ 0 (one fewer than the schedulers), got ${fmtValue(milestones)}`);
    this.schedulers = schedulers as RestartableLR<LRSchedulerState>[];
    this.milestones = [...(milestones as number[])];
    // PyTorch resets the lr to initial_lr and restarts the first scheduler at epoch 0
    optimizer.setLrs(initialLrs(optimizer));
    this.schedulers[0].restart();
  }

  get lastEpoch(): number {
    return this.epoch;
  }

  /** The index of the scheduler that runs at epoch t: PyTorch's bisect_right(milestones, t). */
  private active(t: number): number {
    return this.milestones.filter((m) => m <= t).length;
  }

  step(): void {
    if (sink.mode !== 'off') sink.slow('optim.lr.SequentialLR: which scheduler steps is chosen in JavaScript');
    this.epoch++;
    const i = this.active(this.epoch);
    if (i > 0 && this.milestones[i - 1] === this.epoch) this.schedulers[i].restart();
    else this.schedulers[i].step();
  }

  restart(): void {
    this.epoch = 0;
    this.schedulers[0].restart();
  }

  stateDict(): SequentialState {
    return { lastEpoch: this.epoch, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  planLoadStateDict(sd: SequentialState, origin: LoadOrigin = stateDictOrigin('optim.lr.SequentialLR')): () => void {
    const { lastEpoch, schedulers } = (sd ?? {}) as Partial<SequentialState>;
    if (!Number.isInteger(lastEpoch) || lastEpoch! < 0)
      throw origin.error(`${origin.name({ field: 'lastEpoch' })} must be an integer ≥ 0, got ${fmtValue(lastEpoch)}`, true);
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length)
      throw origin.error(
        `${origin.name({ field: 'schedulers' })} must hold the states of ${this.schedulers.length} schedulers, got ${fmtValue(schedulers)}`,
        true,
      );
    const commits = this.schedulers.map((s, i) => s.planLoadStateDict(schedulers[i], origin));
    return () => {
      commits.forEach((c) => c());
      this.epoch = lastEpoch!;
    };
  }
}

export interface ChainedState {
  schedulers: LRSchedulerState[];
  /** Each group's lr (PyTorch saves _last_lr): the chained products, restored exactly. */
  lastLr: number[];
}

/**
 * Steps every scheduler each time (PyTorch's ChainedScheduler): each child's step is PyTorch's
 * chainable form on the lr the previous one left, so their factors multiply. The children are
 * epoch schedulers of one optimizer (not SequentialLR or ReduceLROnPlateau); with closed-form
 * children only (StepLR, ExponentialLR, CosineAnnealingLR, MultiStepLR, LinearWarmup, OneCycleLR)
 * a compiled step with it replays fast.
 */
export class ChainedScheduler extends LRScheduler<ChainedState> {
  private readonly schedulers: readonly EpochLR[];

  constructor(schedulers: readonly EpochLR[]) {
    const err = (m: string) => new ValueError('optim.lr.ChainedScheduler', m);
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof EpochLR)))
      throw err(
        `expects a non-empty array of epoch schedulers (e.g. StepLR, ExponentialLR; not SequentialLR or ReduceLROnPlateau), got ${fmtValue(schedulers)}`,
      );
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer) throw err(`schedulers[${i}] drives another optimizer than schedulers[0]`);
    });
    super('ChainedScheduler', schedulers[0].optimizer);
    this.schedulers = [...schedulers];
  }

  get lastEpoch(): number {
    return this.schedulers[0].lastEpoch;
  }

  step(): void {
    for (const s of this.schedulers) s.step();
  }

  stateDict(): ChainedState {
    return { schedulers: this.schedulers.map((s) => s.stateDict()), lastLr: this.getLastLr() };
  }

  planLoadStateDict(sd: ChainedState, origin: LoadOrigin = stateDictOrigin('optim.lr.ChainedScheduler')): () => void {
    const { schedulers, lastLr } = (sd ?? {}) as Partial<ChainedState>;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length)
      throw origin.error(
        `${origin.name({ field: 'schedulers' })} must hold the states of ${this.schedulers.length} schedulers, got ${fmtValue(schedulers)}`,
        true,
      );
    const field = origin.name({ field: 'lastLr' });
    if (!Array.isArray(lastLr) || lastLr.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
      throw origin.error(`${field} must be an array of finite numbers (one per parameter group), got ${fmtValue(lastLr)}`, true);
    const groups = this.optimizer.paramGroups.length;
    if (lastLr.length !== groups) throw origin.error(`${field} holds ${lastLr.length} learning rates, the optimizer has ${groups} parameter groups`, false);
    const commits = this.schedulers.map((s, i) => s.planLoadStateDict(schedulers[i], origin));
    return () => {
      commits.forEach((c) => c());
      this.optimizer.setLrs(lastLr);
    };
  }
}
