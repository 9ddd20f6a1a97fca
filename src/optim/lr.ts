/**
 * Learning-rate schedules (torch.optim.lr_scheduler), in PyTorch's closed forms. A scheduler sets
 * the optimizer's learning rate at construction (epoch 0) and at every `step()` (epoch 1, 2, …):
 * call `opt.step()` then `sched.step()` once per epoch (or per iteration, as you define it).
 * The base learning rate is the optimizer's lr when the scheduler is made.
 */
import { checkOptions } from '../engine/check.js';
import { applyInto } from '../engine/engine.js';
import { allocPersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { SCHEDULE_WORDS, scheduleWords, type ScheduleKind } from '../ops/optim.js';
import { ValueError, fmtValue, type WasmgradError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import { op } from '../ops/index.js';

/** What a scheduler drives: a wasmgrad optimizer (its learning rate lives in memory). */
export type Schedulable = Optimizer;

export interface LRSchedulerState {
  lastEpoch: number;
  baseLrs: number[];
}

/**
 * The schedule lives in memory: [epoch, base, a, b] (src/ops/optim.ts lrSchedule), and each step()
 * is a launch of lrSchedule, which advances the epoch and writes the learning rate into the
 * optimizer's hyperparameter block. Inside a compiled function that launch is a record of the
 * program like any other, so a fast replay advances the schedule by running it.
 */
export abstract class LRScheduler {
  /** The learning rates of the parameter groups when the scheduler was made. */
  readonly baseLrs: number[];
  private readonly block: Tensor;

  protected constructor(
    readonly name: string,
    readonly optimizer: Schedulable,
    private readonly kind: ScheduleKind,
    /** The schedule's constants a, b (see SCHEDULE_KINDS). */
    private readonly constants: readonly [number, number],
  ) {
    if (!(optimizer instanceof Optimizer)) throw this.error(`expects an optimizer (e.g. new wg.optim.SGD(...)), got ${fmtValue(optimizer)}`);
    this.baseLrs = [optimizer.lr];
    const be = optimizer.params[0].storage.backend;
    this.block = new Tensor([SCHEDULE_WORDS], 'float32', allocPersistent(be, SCHEDULE_WORDS, `optim.lr.${name} schedule`, true), false);
    this.reset(0);
  }

  protected error(msg: string): WasmgradError {
    return new ValueError(`optim.lr.${this.name}`, msg);
  }

  /** Number of step() calls so far (PyTorch's last_epoch), read from memory. */
  get lastEpoch(): number {
    return this.block.storage.backend.read(this.block.storage.ptr, 1, 'float32')[0];
  }

  /** Advances one epoch and sets the optimizer's learning rate. */
  step(): void {
    this.launch(true);
  }

  /** The learning rate of each parameter group, as last set by this scheduler. */
  getLastLr(): number[] {
    return [this.optimizer.lr];
  }

  stateDict(): LRSchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  loadStateDict(sd: LRSchedulerState): void {
    this.planLoadStateDict(sd)();
  }

  /**
   * @internal loadStateDict in two phases: validates everything, returns the commit. `origin` names
   * the entries and picks the error classes (a checkpoint file reports its own keys).
   */
  planLoadStateDict(sd: LRSchedulerState, origin: LoadOrigin = stateDictOrigin(`optim.lr.${this.name}`)): () => void {
    const epoch = { field: 'lastEpoch' };
    const lrs = { field: 'baseLrs' };
    const { lastEpoch, baseLrs } = (sd ?? {}) as Partial<LRSchedulerState>;
    if (!Number.isInteger(lastEpoch) || lastEpoch! < 0) throw origin.error(`${origin.name(epoch)} must be an integer ≥ 0, got ${fmtValue(lastEpoch)}`, true);
    if (!Array.isArray(baseLrs) || baseLrs.some((v) => !(Number.isFinite(v) && v >= 0)))
      throw origin.error(`${origin.name(lrs)} must be an array of finite numbers ≥ 0, got ${fmtValue(baseLrs)}`, true);
    if (baseLrs.length !== this.baseLrs.length)
      throw origin.error(`${origin.name(lrs)} holds ${baseLrs.length} learning rates, the optimizer has ${this.baseLrs.length} parameter groups`, false);
    return () => {
      this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
      this.reset(lastEpoch!);
    };
  }

  /** Writes the schedule at `epoch` and sets the learning rate of that epoch. */
  private reset(epoch: number): void {
    const s = this.block.storage;
    s.backend.write(s.ptr, scheduleWords(epoch, this.baseLrs[0], ...this.constants), 'float32');
    this.launch(false);
  }

  private launch(advance: boolean): void {
    for (const block of this.optimizer.hyperBlocks()) applyInto(op('lrSchedule'), block, [this.block, block], { kind: this.kind, advance });
  }
}

/** Reads and checks a scheduler's options: unknown keys and invalid values are errors. */
function options<T extends object>(
  sched: string,
  opts: unknown,
  defaults: { [K in keyof T]: T[K] | undefined },
  check: { [K in keyof T]: (v: number) => boolean },
  rule: { [K in keyof T]: string },
): T {
  const err = (m: string) => new ValueError(`optim.lr.${sched}`, m);
  if (opts === undefined) throw err(`expects an options object { ${Object.keys(defaults).join(', ')} }, got undefined`);
  const given = checkOptions(`optim.lr.${sched}`, opts, Object.keys(defaults));
  const out: Record<string, number> = {};
  for (const k of Object.keys(defaults) as (keyof T & string)[]) {
    const v = given[k] !== undefined ? given[k] : defaults[k];
    if (v === undefined) throw err(`the option ${k} is required`);
    if (typeof v !== 'number' || !check[k](v)) throw err(`${k} must be ${rule[k]}, got ${fmtValue(v)}`);
    out[k] = v;
  }
  return out as T;
}

const posInt = (v: number) => Number.isInteger(v) && v >= 1;
const nonNeg = (v: number) => Number.isFinite(v) && v >= 0;

/** lr = baseLr · gamma^⌊t / stepSize⌋: decays by gamma every stepSize epochs. gamma defaults to 0.1. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Schedulable, opts: { stepSize: number; gamma?: number }) {
    const o = options<{ stepSize: number; gamma: number }>(
      'StepLR',
      opts,
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
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Schedulable, opts: { gamma: number }) {
    const o = options<{ gamma: number }>('ExponentialLR', opts, { gamma: undefined }, { gamma: nonNeg }, { gamma: 'a finite number ≥ 0' });
    super('ExponentialLR', optimizer, 'exponential', [o.gamma, 0]);
    this.gamma = o.gamma;
  }
}

/**
 * lr = etaMin + (baseLr − etaMin) · (1 + cos(π·t / tMax)) / 2: half a cosine from baseLr at t = 0
 * down to etaMin at t = tMax (beyond tMax it follows the cosine back up, as PyTorch's closed form).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Schedulable, opts: { tMax: number; etaMin?: number }) {
    const o = options<{ tMax: number; etaMin: number }>(
      'CosineAnnealingLR',
      opts,
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
 * so the first step runs with lr 0; warmupSteps = 0 means no warmup.
 */
export class LinearWarmup extends LRScheduler {
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
