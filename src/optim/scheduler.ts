/**
 * What every learning-rate scheduler shares (torch.optim.lr_scheduler): the optimizer it drives,
 * its state dict (saved in checkpoints by class name), PyTorch's `initial_lr`, option checking, and
 * the closed-form base class whose schedule lives in a memory block that `lrSchedule` advances.
 */
import { checkOptions } from '../engine/check.js';
import { torchArgs } from '../api/keywords.js';
import { applyInto } from '../engine/engine.js';
import { sink } from '../engine/sink.js';
import { allocPersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { SCHEDULE_WORDS, scheduleWords, type ScheduleAttrs, type ScheduleKind } from '../ops/optim.js';
import { ValueError, fmtValue, type WasmgradError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import { op } from '../ops/index.js';

/** What a scheduler drives: a wasmgrad optimizer (its learning rate lives in memory). */
export type Schedulable = Optimizer;

/** The state of an epoch-counting scheduler (PyTorch's last_epoch and base_lrs). */
export interface LRSchedulerState {
  lastEpoch: number;
  baseLrs: number[];
}

const initial = new WeakMap<Optimizer, number[]>();

/**
 * PyTorch's param_group['initial_lr'], one per group: a group's learning rate when the first
 * scheduler of the optimizer was made, the base of every later one (so schedulers made one after
 * another for SequentialLR all start from the optimizer's lrs, not from what the previous one
 * set); a group added later starts from its lr when the next scheduler is made. OneCycleLR sets
 * every group's (`set`, one per group).
 */
export function initialLrs(optimizer: Optimizer, set?: readonly number[]): number[] {
  const lrs = initial.get(optimizer) ?? [];
  optimizer.paramGroups.forEach((g, i) => {
    if (set !== undefined) lrs[i] = set[i];
    else if (i >= lrs.length) lrs.push(g.lr);
  });
  initial.set(optimizer, lrs);
  return [...lrs];
}

/** A learning-rate scheduler: `step()` once per epoch (or iteration) after `opt.step()`. */
export abstract class LRScheduler<S extends object = object> {
  protected constructor(
    readonly name: string,
    readonly optimizer: Schedulable,
  ) {
    if (!(optimizer instanceof Optimizer)) throw this.error(`expects an optimizer (e.g. new wg.optim.SGD(...)), got ${fmtValue(optimizer)}`);
  }

  protected error(msg: string): WasmgradError {
    return new ValueError(`optim.lr.${this.name}`, msg);
  }

  /** Number of step() calls so far (PyTorch's last_epoch). */
  abstract get lastEpoch(): number;

  /** One epoch on (ReduceLROnPlateau takes the epoch's metric). */
  abstract step(...args: never[]): void;

  /** The learning rate of each parameter group, as last set. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  abstract stateDict(): S;

  loadStateDict(sd: S): void {
    this.planLoadStateDict(sd)();
  }

  /**
   * @internal loadStateDict in two phases: validates everything, returns the commit. `origin` names
   * the entries and picks the error classes (a checkpoint file reports its own keys).
   */
  abstract planLoadStateDict(sd: S, origin?: LoadOrigin): () => void;
}

/** A scheduler SequentialLR can switch to: it restarts at epoch 0. */
export abstract class RestartableLR<S extends object = LRSchedulerState> extends LRScheduler<S> {
  /** @internal PyTorch's step(0): back to epoch 0 and its closed form's learning rate. */
  abstract restart(): void;
}

/** Validates { lastEpoch, baseLrs } for `lrs` parameter groups. */
export function checkEpochState(sd: LRSchedulerState, origin: LoadOrigin, lrs: number): LRSchedulerState {
  const { lastEpoch, baseLrs } = (sd ?? {}) as Partial<LRSchedulerState>;
  if (!Number.isInteger(lastEpoch) || lastEpoch! < 0)
    throw origin.error(`${origin.name({ field: 'lastEpoch' })} must be an integer ≥ 0, got ${fmtValue(lastEpoch)}`, true);
  const field = origin.name({ field: 'baseLrs' });
  // any finite lr, negative too: the optimizer steps with it (as PyTorch's)
  if (!Array.isArray(baseLrs) || baseLrs.some((v) => !Number.isFinite(v)))
    throw origin.error(`${field} must be an array of finite numbers, got ${fmtValue(baseLrs)}`, true);
  if (baseLrs.length !== lrs) throw origin.error(`${field} holds ${baseLrs.length} learning rates, the optimizer has ${lrs} parameter groups`, false);
  return { lastEpoch: lastEpoch!, baseLrs };
}

/**
 * A restartable schedule whose whole state is its epoch and each group's base learning rate (the
 * closed forms and FormulaLR): its state dict and the load of one; `restore` moves to a loaded
 * epoch and leaves the lr alone, as PyTorch's load_state_dict (the optimizer's state dict holds
 * the lr, which a chain of schedulers made: no one scheduler's closed form gives it back).
 */
export abstract class EpochLR extends RestartableLR<LRSchedulerState> {
  /** The learning rates of the parameter groups the schedule starts from (PyTorch's base_lrs). */
  abstract readonly baseLrs: number[];

  protected abstract restore(lastEpoch: number): void;

  stateDict(): LRSchedulerState {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  planLoadStateDict(sd: LRSchedulerState, origin: LoadOrigin = stateDictOrigin(`optim.lr.${this.name}`)): () => void {
    const { lastEpoch, baseLrs } = checkEpochState(sd, origin, this.baseLrs.length);
    return () => {
      this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
      this.restore(lastEpoch);
    };
  }
}

/** A hyperparameter block (of group `group`) and the schedule block whose launches write its lr. */
interface SchedulePair {
  group: number;
  block: Tensor;
  schedule: Tensor;
}

/** A schedule block (src/ops/optim.ts lrSchedule) on the backend of hyperparameter block `block`. */
function scheduleBlock(block: Tensor, label: string): Tensor {
  return new Tensor([SCHEDULE_WORDS], 'float32', allocPersistent(block.storage.backend, SCHEDULE_WORDS, label, true), false);
}

/** A schedule block for each of the optimizer's hyperparameter blocks. */
function scheduleBlocks(optimizer: Schedulable, label: string): SchedulePair[] {
  return optimizer.hyperBlocks().map(({ group, block }) => ({ group, block, schedule: scheduleBlock(block, label) }));
}

/**
 * A schedule with a closed form lives in memory: [epoch, base, constants…] (src/ops/optim.ts
 * lrSchedule). Each step() is a launch of lrSchedule that advances the epoch and writes PyTorch's
 * chainable form from the lr the optimizer's hyperparameter block holds (StepLR: that lr · gamma at
 * multiples of stepSize), so schedulers stepped on one optimizer compose as torch's and an lr set
 * by hand is carried on; a restart (SequentialLR) writes the closed form from the base.
 * Inside a compiled function the launch is a record of the program like any other, so a fast
 * replay advances the schedule by running it.
 */
export abstract class ClosedFormLR extends EpochLR {
  /** The learning rates of the parameter groups the schedule starts from. */
  readonly baseLrs: number[];
  /**
   * One schedule block per hyperparameter block (a group's, on one backend), each with its group's
   * base: the optimizer's blocks when the scheduler was made (a group added later is not
   * scheduled, as PyTorch's zip of base_lrs with param_groups).
   */
  private readonly pairs: SchedulePair[];

  protected constructor(
    name: string,
    optimizer: Schedulable,
    private readonly kind: ScheduleKind,
    /** The schedule's constants (see SCHEDULE_KINDS), or each group's (OneCycleLR's maxLr per group). */
    private readonly constants: readonly number[] | ((group: number) => readonly number[]),
    base?: readonly number[],
  ) {
    super(name, optimizer);
    this.baseLrs = initialLrs(optimizer, base);
    this.pairs = scheduleBlocks(optimizer, `optim.lr.${name} schedule`);
    // PyTorch's initial step: from epoch −1 to 0 by the chainable form (the lr is kept, a warmup scales it)
    this.write(-1);
    this.launch('chain');
  }

  /** Read from memory. */
  get lastEpoch(): number {
    const s = this.pairs[0].schedule.storage;
    return s.backend.read(s.ptr, 1, 'float32')[0];
  }

  /** Advances one epoch and sets the optimizer's learning rate (PyTorch's chainable form). */
  step(): void {
    this.launch('chain');
  }

  restart(): void {
    this.launch('restart');
  }

  protected restore(lastEpoch: number): void {
    this.write(lastEpoch);
  }

  /** Writes the schedule blocks at `epoch`. */
  private write(epoch: number): void {
    for (const { group, schedule } of this.pairs) {
      const constants = typeof this.constants === 'function' ? this.constants(group) : this.constants;
      schedule.storage.backend.write(schedule.storage.ptr, scheduleWords(epoch, this.baseLrs[group], constants), 'float32');
    }
  }

  private launch(epoch: ScheduleAttrs['epoch']): void {
    for (const { block, schedule } of this.pairs) applyInto(op('lrSchedule'), block, [schedule, block], { kind: this.kind, epoch });
  }
}

/**
 * Multiplies each group's learning rate in memory by a factor computed in JavaScript (the chainable
 * forms of the schedules driven by JavaScript, src/optim/formula-lr.ts): a launch of ExponentialLR's
 * chainable step, lr · gamma, with gamma the factor, on a block of its own per hyperparameter block.
 * The lr is read by the kernel, not by JavaScript, so it is the one the launches before it left
 * (another scheduler's step in the same compiled call included). Inside wg.compile the factor's
 * block is a constant of the program at that call's place (sink.hoist), refilled each call: a
 * re-run writes it before the program's kernels run, so each step in one call has its own.
 */
export class LrScaler {
  private readonly pairs: SchedulePair[];
  private readonly label: string;

  constructor(optimizer: Schedulable, name: string) {
    this.label = `optim.lr.${name} factor`;
    this.pairs = scheduleBlocks(optimizer, this.label);
  }

  /** Group i's lr times factors[i]. */
  scale(factors: readonly number[]): void {
    this.pairs.forEach(({ group, block, schedule }, k) => {
      // epoch 0, moved on to 1 by the launch: ExponentialLR's lr · gamma (its epoch 0 keeps the lr)
      const words = scheduleWords(0, 1, [factors[group]]);
      const fill = (t: Tensor) => t.storage.backend.write(t.storage.ptr, words, 'float32');
      let factor = schedule;
      if (sink.mode === 'off') fill(schedule);
      else factor = sink.hoist(`${this.label} ${k}`, () => scheduleBlock(block, this.label), fill);
      applyInto(op('lrSchedule'), block, [factor, block], { kind: 'exponential', epoch: 'chain' });
    });
  }
}

/**
 * A scheduler's options object from torch's call forms (src/api/keywords.ts): the positional form,
 * the arguments after the optimizer in torch's order `order` (`StepLR(opt, 2, 0.5)`, `LambdaLR(opt,
 * fn)`, `SequentialLR(opt, [a, b], [2])`), or ours, one options object (undefined for none).
 */
export function torchOptions<T>(sched: string, args: readonly unknown[], order: readonly string[]): T | undefined {
  return torchArgs(`optim.lr.${sched}`, args, { inputs: 0, positional: [], options: order })[0] as T | undefined;
}

/** Reads and checks a scheduler's numeric options: unknown keys and invalid values are errors. */
export function options<T extends object>(
  sched: string,
  opts: unknown,
  defaults: { [K in keyof T]: T[K] | undefined },
  check: { [K in keyof T]: (v: number) => boolean },
  rule: { [K in keyof T]: string },
  extra: readonly string[] = [],
): T {
  const err = (m: string) => new ValueError(`optim.lr.${sched}`, m);
  const keys = [...extra, ...Object.keys(defaults)];
  if (opts === undefined) throw err(`expects an options object { ${keys.join(', ')} }, got undefined`);
  const given = checkOptions(`optim.lr.${sched}`, opts, keys);
  const out: Record<string, number> = {};
  for (const k of Object.keys(defaults) as (keyof T & string)[]) {
    const v = given[k] !== undefined ? given[k] : defaults[k];
    if (v === undefined) throw err(`the option ${k} is required`);
    if (typeof v !== 'number' || !check[k](v)) throw err(`${k} must be ${rule[k]}, got ${fmtValue(v)}`);
    out[k] = v;
  }
  return out as T;
}

export const posInt = (v: number) => Number.isInteger(v) && v >= 1;
export const nonNeg = (v: number) => Number.isFinite(v) && v >= 0;

/**
 * A required scheduler option given once for every parameter group or as one value per group
 * (PyTorch's list form), each a finite number ≥ 0.
 */
export function perGroup(err: (m: string) => WasmgradError, name: string, v: unknown, groups: number): number[] {
  if (v === undefined) throw err(`the option ${name} is required`);
  const list: unknown[] = Array.isArray(v) ? v : new Array<unknown>(groups).fill(v);
  if (list.length !== groups) throw err(`${name} holds ${list.length} values, the optimizer has ${groups} parameter groups`);
  if (list.some((x) => typeof x !== 'number' || !nonNeg(x))) throw err(`${name} must be a finite number ≥ 0 or one per parameter group, got ${fmtValue(v)}`);
  return list as number[];
}
