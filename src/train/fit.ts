/**
 * wg.fit: the minibatch training loop.
 *
 * Per epoch: (when shuffling) a permutation of the rows drawn from a seeded generator local to
 * this call; then per batch xb/yb are gathered from the dataset's values read once (shuffling) or
 * sliced from the dataset tensors, and model.train() · forward · loss · (loss read and checked) ·
 * optimizer.zeroGrad() · backward · optimizer.step(). Op results of a batch belong to its step
 * (recycled two backward() calls later) and gathered batches are disposed after their step, so
 * memory stays flat. Gathering per batch instead of copying the whole dataset at each epoch start
 * spreads the shuffle's cost over the batches, so it fits between yields (yieldEveryMs).
 */
import { isRecord } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import { NonFiniteError, fmtValue } from '../errors.js';
import { zeros } from '../api/creation.js';
import { nextU32, sfc32 } from '../random.js';
import type { Tensor } from '../engine/tensor.js';
import { forward, lossValue, runEvaluation } from './evaluate.js';
import { makeReporter } from './progress.js';
import type {
  BatchLogs,
  Callbacks,
  Dataset,
  EpochLogs,
  FitOptions,
  History,
  LossFn,
  MetricName,
  Model,
  ModelLike,
  Monitor,
  OptimizerLike,
  TrainingControl,
} from './types.js';
import {
  asModel,
  checkDataset,
  checkInt,
  checkKeys,
  checkMetrics,
  countCorrect,
  fail,
  onBackend,
  gatherRows,
  permutation,
  settle,
  yieldToEventLoop,
} from './util.js';

const FN = 'fit';
const OPTION_KEYS = [
  'loss',
  'optimizer',
  'epochs',
  'batchSize',
  'shuffle',
  'seed',
  'validation',
  'validationBatchSize',
  'metrics',
  'callbacks',
  'earlyStopping',
  'progress',
  'verbose',
  'yieldEveryMs',
] as const;
const CALLBACK_KEYS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const;
const MONITORS: readonly Monitor[] = ['valLoss', 'loss', 'valAccuracy', 'accuracy'];

interface Early {
  monitor: Monitor;
  patience: number;
  minDelta: number;
  restoreBest: boolean;
  /** Losses go down, accuracies up. */
  mode: 'min' | 'max';
}

interface Config {
  model: Model;
  n: number;
  loss: LossFn;
  optimizer: OptimizerLike;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number | undefined;
  validation: { data: Dataset; n: number; batchSize: number } | null;
  metrics: Set<MetricName>;
  callbacks: Callbacks;
  early: Early | null;
  progress: boolean | 'auto';
  verbose: boolean;
  yieldEveryMs: number;
}

/**
 * 16 ms (one frame at 60 Hz) on a page's main thread, where a longer task drops frames and delays
 * input; 50 ms elsewhere (Node, Workers), enough for progress bars and incoming messages (a stop
 * or predict request to a training Worker) at no measurable cost.
 */
function defaultYieldMs(): number {
  return typeof window !== 'undefined' && typeof document !== 'undefined' ? 16 : 50;
}

/** Checks everything before anything runs; errors name fit and the bad option. */
function configure(model: ModelLike, data: Dataset, o: FitOptions): Config {
  const m = asModel(FN, model);
  const n = checkDataset(FN, 'data', data);
  if (!isRecord(o)) fail(FN, `options must be an object { loss, optimizer, epochs, batchSize, ... }, got ${fmtValue(o)}`);
  checkKeys(FN, 'options.', o, OPTION_KEYS);
  if (typeof o.loss !== 'function')
    fail(FN, `options.loss must be a function (pred, target) => scalar Tensor (e.g. wg.losses.crossEntropy), got ${fmtValue(o.loss)}`);
  const opt = o.optimizer;
  if (opt === null || typeof opt !== 'object' || typeof opt.step !== 'function' || typeof opt.zeroGrad !== 'function')
    fail(FN, `options.optimizer must have step() and zeroGrad() methods (e.g. new wg.optim.SGD(model.parameters(), { lr: 0.1 })), got ${fmtValue(opt)}`);
  const epochs = checkInt(FN, 'options.epochs', o.epochs, 1);
  const batchSize = checkInt(FN, 'options.batchSize', o.batchSize, 1);
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') fail(FN, `options.shuffle must be a boolean, got ${fmtValue(o.shuffle)}`);
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isFinite(o.seed)))
    fail(FN, `options.seed must be a finite number, got ${fmtValue(o.seed)}`);
  const metrics = checkMetrics(FN, o.metrics);
  let validation: Config['validation'] = null;
  if (o.validation !== undefined) {
    const nv = checkDataset(FN, 'options.validation', o.validation);
    const vb = o.validationBatchSize === undefined ? 256 : checkInt(FN, 'options.validationBatchSize', o.validationBatchSize, 1);
    validation = { data: o.validation, n: nv, batchSize: vb };
  } else if (o.validationBatchSize !== undefined) fail(FN, 'options.validationBatchSize is set but options.validation is not');
  const cb = o.callbacks ?? {};
  if (!isRecord(cb)) fail(FN, `options.callbacks must be an object of functions (${CALLBACK_KEYS.join(', ')}), got ${fmtValue(cb)}`);
  checkKeys(FN, 'options.callbacks.', cb, CALLBACK_KEYS);
  for (const k of CALLBACK_KEYS)
    if (cb[k] !== undefined && typeof cb[k] !== 'function') fail(FN, `options.callbacks.${k} must be a function, got ${fmtValue(cb[k])}`);
  const progress = o.progress ?? 'auto';
  if (progress !== true && progress !== false && progress !== 'auto') fail(FN, `options.progress must be true, false or 'auto', got ${fmtValue(progress)}`);
  if (o.verbose !== undefined && typeof o.verbose !== 'boolean') fail(FN, `options.verbose must be a boolean, got ${fmtValue(o.verbose)}`);
  const yieldEveryMs = o.yieldEveryMs ?? defaultYieldMs();
  if (typeof yieldEveryMs !== 'number' || !(yieldEveryMs >= 0))
    fail(FN, `options.yieldEveryMs must be a number ≥ 0 (milliseconds; Infinity yields only between epochs), got ${fmtValue(yieldEveryMs)}`);
  return {
    model: m,
    n,
    loss: o.loss,
    optimizer: opt,
    epochs,
    batchSize,
    shuffle: o.shuffle ?? true,
    seed: o.seed,
    validation,
    metrics,
    callbacks: cb,
    early: configureEarly(o, m, validation !== null, metrics),
    progress,
    verbose: o.verbose ?? false,
    yieldEveryMs,
  };
}

function configureEarly(o: FitOptions, m: Model, hasValidation: boolean, metrics: Set<MetricName>): Early | null {
  const e = o.earlyStopping;
  if (e === undefined) return null;
  const w = 'options.earlyStopping';
  if (!isRecord(e)) fail(FN, `${w} must be { monitor?, patience, minDelta?, restoreBest? }, got ${fmtValue(e)}`);
  checkKeys(FN, `${w}.`, e, ['monitor', 'patience', 'minDelta', 'restoreBest']);
  const monitor = e.monitor ?? 'valLoss';
  if (!MONITORS.includes(monitor)) fail(FN, `${w}.monitor must be one of ${MONITORS.map((k) => `'${k}'`).join(', ')}, got ${fmtValue(monitor)}`);
  if (monitor.startsWith('val') && !hasValidation) fail(FN, `${w}.monitor '${monitor}' needs options.validation`);
  if (monitor.endsWith('ccuracy') && !metrics.has('accuracy')) fail(FN, `${w}.monitor '${monitor}' needs options.metrics: ['accuracy']`);
  const patience = checkInt(FN, `${w}.patience`, e.patience, 0);
  const minDelta = e.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !(minDelta >= 0) || !Number.isFinite(minDelta))
    fail(FN, `${w}.minDelta must be a finite number ≥ 0, got ${fmtValue(minDelta)}`);
  const restoreBest = e.restoreBest ?? false;
  if (typeof restoreBest !== 'boolean') fail(FN, `${w}.restoreBest must be a boolean, got ${fmtValue(restoreBest)}`);
  if (restoreBest && typeof m.stateDict !== 'function' && typeof m.parameters !== 'function')
    fail(FN, `${w}.restoreBest needs a model with stateDict() or parameters()`);
  return { monitor, patience, minDelta, restoreBest, mode: monitor.endsWith('ccuracy') ? 'max' : 'min' };
}

/** The tensors restoreBest saves and restores: stateDict() (buffers included) or parameters(), each once. */
function stateTensors(m: Model): Tensor[] {
  const all = typeof m.stateDict === 'function' ? Object.values(m.stateDict()) : [...m.parameters!()];
  const seen = new Set<unknown>();
  return all.filter((t) => !seen.has(t.storage) && seen.add(t.storage));
}

/** Copies of the model state at the best epoch (persistent tensors, disposed by fit). */
class BestState {
  private copies: Tensor[] | null = null;
  constructor(private readonly targets: Tensor[]) {}
  save(): void {
    this.copies ??= this.targets.map((t) => onBackend(t.storage.backend.name, () => zeros(t.shape, { dtype: t.dtype })));
    const copies = this.copies;
    noGrad(() => copies.forEach((c, i) => c.copy_(this.targets[i])));
  }
  restore(): void {
    const copies = this.copies;
    if (copies) noGrad(() => this.targets.forEach((t, i) => t.copy_(copies[i])));
  }
  dispose(): void {
    this.copies?.forEach((c) => c.dispose());
    this.copies = null;
  }
}

const now = () => performance.now();

/** wg.fit's loop (src/train/index.ts loads this module when fit is first called). */
export async function fit(model: ModelLike, data: Dataset, options: FitOptions): Promise<History> {
  const cfg = configure(model, data, options);
  const { model: m, n, loss, optimizer, epochs, batchSize, callbacks: cb, early, metrics } = cfg;
  const accuracy = metrics.has('accuracy');
  const batches = Math.ceil(n / batchSize);
  const history: History = { epochs: [], stopped: null };
  let stopReason: string | null = null;
  const ctl: TrainingControl = {
    stop(reason = 'stopped by a callback') {
      if (stopReason === null) stopReason = String(reason);
    },
    get stopped() {
      return stopReason !== null;
    },
    epochs,
    batches,
  };

  let lastYield = now();
  const maybeYield = async () => {
    if (now() - lastYield < cfg.yieldEveryMs) return;
    await yieldToEventLoop();
    lastYield = now();
  };

  // Shuffling reads the dataset once and draws from a generator local to this call; batches are
  // gathered into scratch arrays of one batch each.
  const next = cfg.shuffle ? sfc32(cfg.seed ?? nextU32()) : null;
  const hostX = next ? data.x.rawValues() : null;
  const hostY = next ? data.y.rawValues() : null;
  const scratch = (host: Float32Array | Float64Array | Int32Array, t: Tensor) => host.slice(0, Math.min(n, batchSize) * (t.size / n));
  const bufX = hostX && scratch(hostX, data.x);
  const bufY = hostY && scratch(hostY, data.y);

  const best = early?.restoreBest ? new BestState(stateTensors(m)) : null;
  let bestValue = early?.mode === 'max' ? -Infinity : Infinity;
  let wait = 0;

  const wasTraining = m.training;
  const reporter = await makeReporter(cfg.progress, cfg.verbose);
  try {
    await settle(cb.onTrainBegin?.(ctl));
    for (let epoch = 1; epoch <= epochs && stopReason === null; epoch++) {
      await settle(cb.onEpochBegin?.(epoch, ctl));
      if (stopReason !== null) break;
      const t0 = now();
      const perm = next ? permutation(n, next) : null;
      await maybeYield();
      let lossSum = 0,
        seen = 0,
        correct = 0,
        counted = 0;
      m.train?.();
      reporter.epochBegin(epoch, epochs, batches);
      for (let b = 1; b <= batches; b++) {
        const start = (b - 1) * batchSize,
          end = Math.min(n, start + batchSize);
        const rows = perm?.subarray(start, end);
        const xb = rows ? gatherRows(data.x, hostX!, rows, bufX!) : data.x.slice(0, start, end);
        const yb = rows ? gatherRows(data.y, hostY!, rows, bufY!) : data.y.slice(0, start, end);
        try {
          const pred = forward(FN, m, xb);
          const lossT = loss(pred, yb);
          const lv = lossValue(FN, lossT);
          if (!Number.isFinite(lv)) {
            optimizer.zeroGrad();
            fail(
              FN,
              `the loss is ${lv} at epoch ${epoch}, batch ${b} of ${batches} (samples ${start}..${end - 1} of this epoch's order); ` +
                'training stopped before that batch updated anything, so the parameters are those after the last good step. ' +
                'Try a lower learning rate, check the data for NaN/Infinity, or clip gradients (wg.optim.clipGradNorm).',
              NonFiniteError,
            );
          }
          if (accuracy) {
            const r = countCorrect(FN, pred, yb);
            correct += r.correct;
            counted += r.total;
          }
          optimizer.zeroGrad();
          lossT.backward();
          optimizer.step();
          lossSum += lv * (end - start);
          seen += end - start;
          const logs: BatchLogs = { epoch, batch: b, batches, size: end - start, loss: lv, meanLoss: lossSum / seen };
          if (accuracy) logs.accuracy = correct / counted;
          reporter.batch(logs, (seen / (now() - t0)) * 1000);
          if (cb.onBatchEnd) await settle(cb.onBatchEnd(b, logs, ctl));
        } finally {
          if (rows) {
            xb.dispose();
            yb.dispose();
          }
        }
        if (stopReason !== null) break;
        await maybeYield();
      }
      const trainSeconds = (now() - t0) / 1000;
      const val = cfg.validation ? runEvaluation(FN, m, cfg.validation.data, cfg.validation.n, loss, cfg.validation.batchSize, metrics) : null;
      const logs: EpochLogs = {
        epoch,
        loss: lossSum / seen,
        ...(accuracy ? { accuracy: correct / counted } : {}),
        ...(val ? { valLoss: val.loss, ...(accuracy ? { valAccuracy: val.accuracy } : {}) } : {}),
        seconds: (now() - t0) / 1000,
        samplesPerSecond: seen / trainSeconds,
      };
      history.epochs.push(logs);
      reporter.epochEnd(logs, epochs);

      if (early) {
        const v = logs[early.monitor]!;
        const improved = early.mode === 'min' ? v < bestValue - early.minDelta : v > bestValue + early.minDelta;
        if (improved) {
          bestValue = v;
          history.bestEpoch = epoch;
          wait = 0;
          best?.save();
        } else if (++wait >= early.patience) {
          const at = history.bestEpoch ? ` (best ${bestValue} at epoch ${history.bestEpoch})` : '';
          ctl.stop(`early stopping: ${early.monitor} did not improve by more than ${early.minDelta} for ${wait} epoch${wait === 1 ? '' : 's'}${at}`);
        }
      }
      await settle(cb.onEpochEnd?.(epoch, logs, ctl));
      await yieldToEventLoop();
      lastYield = now();
    }
    const last = history.epochs[history.epochs.length - 1];
    if (stopReason !== null) history.stopped = { epoch: last?.epoch ?? 0, reason: stopReason };
    if (best && history.bestEpoch && last && history.bestEpoch !== last.epoch) best.restore();
    await settle(cb.onTrainEnd?.(history, ctl));
    return history;
  } finally {
    reporter.close();
    best?.dispose();
    if (wasTraining === false) m.eval?.();
  }
}
