/**
 * wg.optim.swaUtils: torch.optim.swa_utils of PyTorch 1.13, Stochastic Weight Averaging (Izmailov
 * et al., 2018): AveragedModel (a running average of a model's weights), SWALR (anneals each group's
 * lr to a constant SWA lr) and updateBn (recomputes BatchNorm's running statistics for the averaged
 * weights with one pass over the data).
 */
import { torchArgs } from '../api/keywords.js';
import { filled } from '../api/creation.js';
import { checkBool, checkOptions } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue, type WasmgradError } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { Module, type AnyModule, type Forward } from '../nn/module.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm } from '../nn/norm.js';
import { FormulaLR } from './formula-lr.js';
import { deepCopyModule } from './module-copy.js';
import { perGroup, type LRSchedulerState, type Schedulable } from './scheduler.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';

/** How AveragedModel folds a model's tensor into its average: (the average, the model's tensor, the number of models averaged so far as a 0-d int32 tensor) → the new average. */
export type AvgFn = (averagedParam: Tensor, modelParam: Tensor, numAveraged: Tensor) => Tensor;

export interface AveragedModelOptions {
  /** Where the copy lives: 'cpu' (or null), the only device. */
  device?: string | null;
  /** The averaging rule (default: the equal-weight running mean avg + (p − avg)/(n + 1)). */
  avgFn?: AvgFn | null;
  /** Average the buffers too (BatchNorm's running statistics), not only the parameters (default false). */
  useBuffers?: boolean;
}

/** torch's default avg_fn: after n models, the mean of n + 1 is avg + (p − avg)/(n + 1). */
const equalAverage: AvgFn = (avg, p, n) => avg.add(p.sub(avg).div(n.item() + 1));

/**
 * torch.optim.swa_utils.AveragedModel: a deep copy of `model` (the child `module`, so the state
 * dict's keys are torch's `n_averaged`, `module.<name>`…) whose parameters (and buffers, with
 * useBuffers) hold a running average of the model's, folded in by `updateParameters(model)`;
 * forward calls the copy. `nAveraged` is the buffer `n_averaged`, a 0-d int32 tensor (torch's is
 * int64).
 */
export class AveragedModel<M extends AnyModule = AnyModule> extends Module<M['forward']> {
  readonly module: M;
  /** The number of models averaged (the buffer n_averaged). */
  readonly nAveraged: Tensor;
  readonly avgFn: AvgFn;
  readonly useBuffers: boolean;

  constructor(model: M, options: AveragedModelOptions = {}) {
    super();
    const fn = 'optim.swaUtils.AveragedModel';
    if (!(model instanceof Module)) throw new ValueError(fn, `model must be an nn.Module, got ${fmtValue(model)}`);
    const o = checkOptions<AveragedModelOptions>(fn, options, ['device', 'avgFn', 'useBuffers']);
    if (o.device !== undefined && o.device !== null && o.device !== 'cpu')
      throw new ValueError(fn, `wasmgrad computes on the CPU: device must be 'cpu' or null, got ${fmtValue(o.device)}`);
    if (o.avgFn !== undefined && o.avgFn !== null && typeof o.avgFn !== 'function')
      throw new ValueError(fn, `avgFn must be a function (averagedParam, modelParam, numAveraged) => Tensor, got ${fmtValue(o.avgFn)}`);
    checkBool(fn, 'useBuffers', o.useBuffers);
    // torch's registration order: the copy, then n_averaged (its state dict lists n_averaged first: own buffers before children)
    this.module = this.registerModule('module', deepCopyModule(fn, model));
    this.nAveraged = this.registerBuffer('n_averaged', filled(fn, [], 0, { dtype: 'int32' }));
    this.avgFn = o.avgFn ?? equalAverage;
    this.useBuffers = o.useBuffers ?? false;
  }

  forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    return (this.module.forward as Forward)(...args) as ReturnType<M['forward']>;
  }

  /**
   * Folds `model`'s parameters (and buffers, with useBuffers) into the average, pairing them in
   * order: the first call copies them, each later one sets avg ← avgFn(avg, p, nAveraged); then
   * nAveraged += 1. A model whose tensors do not pair up (count or shape) is an error, where torch's
   * zip stops at the shorter list.
   */
  updateParameters(model: AnyModule): void {
    const fn = 'optim.swaUtils.AveragedModel.updateParameters';
    if (!(model instanceof Module)) throw new ValueError(fn, `model must be an nn.Module, got ${fmtValue(model)}`);
    const tensorsOf = (m: AnyModule) => (this.useBuffers ? [...m.parameters(), ...m.buffers()] : m.parameters());
    const mine = tensorsOf(this.module),
      theirs = tensorsOf(model);
    const what = this.useBuffers ? 'parameters and buffers' : 'parameters';
    if (mine.length !== theirs.length) throw new ValueError(fn, `the model has ${theirs.length} ${what}, the averaged model ${mine.length}`);
    mine.forEach((p, i) => {
      if (p.shape.join() !== theirs[i].shape.join())
        throw new ShapeError(fn, `${what} ${i} of the model has shape ${fmtShape(theirs[i].shape)}, the averaged one ${fmtShape(p.shape)}`);
    });
    const n = this.nAveraged.item();
    noGrad(() => {
      // every new value first, then the writes: an avgFn that throws changes nothing
      const next = mine.map((p, i) => (n === 0 ? theirs[i].detach() : this.avgFn(p.detach(), theirs[i].detach(), this.nAveraged)));
      next.forEach((v, i) => {
        if (!(v instanceof Tensor) || v.shape.join() !== mine[i].shape.join())
          throw new ValueError(fn, `avgFn must return a tensor of the ${what}' shape ${fmtShape(mine[i].shape)}, got ${fmtValue(v)}`);
      });
      next.forEach((v, i) => mine[i].copy_(v));
      this.nAveraged.fill_(n + 1);
    });
  }
}

export interface SWALROptions {
  /** The lr annealed to: one for every group or one per group (required). */
  swaLr: number | readonly number[];
  /** Epochs of annealing (default 10; 0: the SWA lr at once). */
  annealEpochs?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** torch's last_epoch: the epoch the scheduler resumes after (default −1, a new schedule). */
  lastEpoch?: number;
}

/** SWALR's state: its epoch and base lrs, and torch's _step_count, which the annealing follows. */
export interface SWALRState extends LRSchedulerState {
  stepCount: number;
}

const SWALR_OPTIONS = ['swaLr', 'annealEpochs', 'annealStrategy', 'lastEpoch'] as const;

/**
 * torch.optim.swa_utils.SWALR: anneals each group's lr from where it is to swaLr over annealEpochs
 * steps, then holds it. At step s (torch counts the steps since the scheduler was made, also when
 * lastEpoch is given), with t = clamp(s/max(1, annealEpochs), 0, 1) and α = (1 − cos(πt))/2 ('cos')
 * or t ('linear'): lr = swaLr·α + lr₀·(1 − α), where lr₀ is recovered from the group's current lr
 * by undoing the previous step's α, as torch's (so an lr another scheduler changed is carried on).
 * Its lr is computed in JavaScript: inside wg.compile a step re-runs its JavaScript.
 */
export class SWALR extends FormulaLR {
  readonly swaLrs: readonly number[];
  readonly annealEpochs: number;
  readonly annealStrategy: 'cos' | 'linear';
  /** torch's _step_count − 1: steps since construction (the initial one is 0). */
  private steps = 0;

  constructor(
    optimizer: Schedulable,
    ...args: [opts: SWALROptions] | [swaLr: number | readonly number[], annealEpochs?: number, annealStrategy?: 'cos' | 'linear', lastEpoch?: number]
  ) {
    super('SWALR', optimizer, 'its lr is computed in JavaScript from the lr the group holds');
    const fn = 'optim.swaUtils.SWALR';
    const given = torchArgs(fn, args, { inputs: 0, positional: [], options: SWALR_OPTIONS })[0];
    if (given === undefined) throw this.error('the option swaLr is required');
    const o = checkOptions<SWALROptions>(fn, given, SWALR_OPTIONS);
    this.swaLrs = perGroup((m) => this.error(m), 'swaLr', o.swaLr, this.baseLrs.length);
    const { annealEpochs = 10, annealStrategy = 'cos', lastEpoch = -1 } = o;
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear')
      throw this.error(`annealStrategy must be one of 'cos' or 'linear', got ${fmtValue(annealStrategy)}`);
    if (!Number.isInteger(annealEpochs) || annealEpochs < 0) throw this.error(`annealEpochs must be an integer ≥ 0, got ${fmtValue(annealEpochs)}`);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw this.error(`lastEpoch must be an integer ≥ −1, got ${fmtValue(lastEpoch)}`);
    this.annealEpochs = annealEpochs;
    this.annealStrategy = annealStrategy;
    this.restore(lastEpoch + 1); // torch's initial step moves last_epoch on by one
    this.advance();
  }

  protected override error(msg: string): WasmgradError {
    return new ValueError('optim.swaUtils.SWALR', msg);
  }

  /** α at fraction t of the annealing. */
  private anneal(t: number): number {
    const c = Math.max(0, Math.min(1, t));
    return this.annealStrategy === 'cos' ? (1 - Math.cos(Math.PI * c)) / 2 : c;
  }

  /** torch's get_lr for group i, from the group's current lr (the epoch t is not used: torch follows its step count). */
  protected lrAt(_t: number, i: number): number {
    const step = this.annealEpochs === 0 ? Math.max(1, this.steps) : this.steps;
    const span = Math.max(1, this.annealEpochs);
    const prevAlpha = this.anneal((step - 1) / span),
      alpha = this.anneal(step / span);
    const swa = this.swaLrs[i];
    const lr = this.optimizer.paramGroups[i].lr as number;
    // the lr before the previous step's blend (torch's _get_initial_lr; α = 1 left only swaLr)
    const start = prevAlpha === 1 ? swa : (lr - prevAlpha * swa) / (1 - prevAlpha);
    return swa * alpha + start * (1 - alpha);
  }

  override step(): void {
    this.steps++;
    super.step();
  }

  /** SequentialLR's switch (torch's step(0)): torch's step count moves on too. */
  override restart(): void {
    this.steps++;
    super.restart();
  }

  override stateDict(): SWALRState {
    return { ...super.stateDict(), stepCount: this.steps + 1 };
  }

  /** Also takes a state without stepCount (then the steps follow from lastEpoch, as a schedule made with lastEpoch −1). */
  override planLoadStateDict(sd: LRSchedulerState, origin: LoadOrigin = stateDictOrigin('optim.swaUtils.SWALR')): () => void {
    const commit = super.planLoadStateDict(sd, origin);
    const { stepCount } = sd as Partial<SWALRState>;
    if (stepCount !== undefined && (!Number.isInteger(stepCount) || stepCount < 1))
      throw origin.error(`${origin.name({ field: 'stepCount' })} must be an integer ≥ 1, got ${fmtValue(stepCount)}`, true);
    return () => {
      commit();
      this.steps = stepCount === undefined ? this.lastEpoch : stepCount - 1;
    };
  }
}

/** The BatchNorm modules updateBn resets (torch's _BatchNorm subclasses). */
const isBatchNorm = (m: AnyModule): m is BatchNorm1d => [BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm].some((c) => m instanceof c);

/**
 * torch.optim.swa_utils.update_bn: recomputes every BatchNorm's running mean and variance for the
 * model's current weights (an AveragedModel's, whose running statistics were copied, not averaged)
 * by one pass over `loader` in training mode: the statistics are reset (mean 0, variance 1,
 * numBatchesTracked 0) and each batch is weighted equally (momentum null, the cumulative average).
 * Each batch is a tensor, or an array whose first element is the input. The momenta and the
 * model's training mode are restored after; a model without BatchNorm is left alone. No gradient
 * is recorded. torch's `device` argument can only be 'cpu' (or null).
 */
export function updateBn(loader: Iterable<unknown>, model: AnyModule, device: string | null = null): void {
  const fn = 'optim.swaUtils.updateBn';
  if (loader === null || typeof (loader as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function')
    throw new ValueError(fn, `loader must be an iterable of batches (a DataLoader, an array), got ${fmtValue(loader)}`);
  if (!(model instanceof Module)) throw new ValueError(fn, `model must be an nn.Module, got ${fmtValue(model)}`);
  if (device !== null && device !== 'cpu') throw new ValueError(fn, `wasmgrad computes on the CPU: device must be 'cpu' or null, got ${fmtValue(device)}`);
  const norms = model.modules().filter(isBatchNorm);
  const momenta = new Map(norms.map((m) => [m, m.momentum]));
  if (norms.length === 0) return;
  const wasTraining = model.training;
  const settable = (m: BatchNorm1d) => m as { momentum: number | null };
  noGrad(() => {
    for (const m of norms) {
      m.runningMean?.zero_();
      m.runningVar?.fill_(1);
      m.numBatchesTracked?.zero_();
    }
  });
  model.train();
  for (const m of norms) settable(m).momentum = null;
  try {
    noGrad(() => {
      let k = 0;
      for (const batch of loader) {
        const input: unknown = Array.isArray(batch) ? batch[0] : batch;
        if (!(input instanceof Tensor)) throw new ValueError(fn, `batch ${k} must be a tensor or an array whose first element is one, got ${fmtValue(batch)}`);
        (model.forward as (x: Tensor) => unknown)(input);
        k++;
      }
    });
  } finally {
    for (const [m, momentum] of momenta) settable(m).momentum = momentum;
    model.train(wasTraining);
  }
}
