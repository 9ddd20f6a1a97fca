/**
 * Training checkpoints: a model, its optimizer's state and its LR scheduler in ONE safetensors
 * file, so that training resumes exactly where it stopped (PyTorch users save the same three
 * state dicts with torch.save({...})).
 *
 * Layout (every value a safetensors tensor or a __metadata__ string):
 *   model.<key>                        the model's state dict (model.0.weight, model.2.running_mean, …)
 *   optimizer.state.<i>.step           0-d F32, as PyTorch stores it (exact up to 2^24 steps); <i>
 *                                      numbers the parameters across the groups in order
 *   optimizer.state.<i>.<buffer>       PyTorch's names: momentum_buffer, exp_avg, exp_avg_sq, …
 *   __metadata__ wasmgrad.checkpoint   '1' (format version)
 *                wasmgrad.optimizer    JSON { class, paramGroups }: every group's hyperparameters
 *                                      (camelCase) and params (its parameters' indices)
 *                wasmgrad.scheduler    JSON { class, state: { lastEpoch, baseLrs } }
 *                wasmgrad.rng          JSON [a, b, c, d]: the global random stream at the save
 *                wasmgrad.metadata     JSON: the caller's own metadata object (any JSON values)
 * (Files of earlier versions kept the caller's string entries as top-level keys: still read.)
 * Loading validates every part before any of them changes: a bad file changes nothing.
 */
import { FileFormatError, StateDictError, ValueError, fmtValue } from '../errors.js';
import type { AnyModule } from '../nn/module.js';
import type { LRScheduler, LRSchedulerState } from '../optim/lr.js';
import type { Optimizer, OptimizerStateDict, ParamStateDict } from '../optim/optimizer.js';
import type { Tensor } from '../engine/tensor.js';
import { checkRngState, getRngState, setRngState } from '../random.js';
import { checkpointOrigin } from './origin.js';
import { decode, serialize, stateDictEntries, type StateDict, type StateDictSource } from './safetensors.js';

export interface CheckpointParts {
  /** The model (or its state dict). */
  model: StateDictSource;
  optimizer?: Optimizer;
  scheduler?: LRScheduler;
  /** Your own entries (epoch, best accuracy, a config object, …): any JSON values, returned as saved by loadCheckpoint. */
  metadata?: Record<string, unknown>;
}

export interface CheckpointTargets {
  /** Receives the model state (strict by default, see Module.loadStateDict). */
  model?: AnyModule;
  /** Receives the optimizer state; the checkpoint must hold state of the same optimizer class. */
  optimizer?: Optimizer;
  /** Receives the scheduler state; the checkpoint must hold state of the same scheduler class. */
  scheduler?: LRScheduler;
  /** Model keys must match exactly (default true). */
  strict?: boolean;
  /**
   * Restore the global random stream saved with the checkpoint (wg.getRngState), so a resumed run
   * draws the dropout masks and shuffles the uninterrupted run would have (default true).
   */
  rng?: boolean;
}

const FORMAT = 'wasmgrad.checkpoint';
const OPTIMIZER = 'wasmgrad.optimizer';
const SCHEDULER = 'wasmgrad.scheduler';
const RNG = 'wasmgrad.rng';
const USER = 'wasmgrad.metadata';
const MODEL_PREFIX = 'model.';
const STATE_PREFIX = 'optimizer.state.';
/** optimizer.state.<index>.<name>, the index written canonically (so '01' cannot alias '1'). */
const STATE_KEY = /^optimizer\.state\.(0|[1-9][0-9]*)\.(.+)$/;

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** The caller's metadata as JSON; values JSON cannot hold exactly are a ValueError naming their key. */
function jsonOf(meta: Record<string, unknown>, fn: string): string {
  const check = (v: unknown, path: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number' && Number.isFinite(v)) return;
    if (Array.isArray(v)) return v.forEach((x, i) => check(x, `${path}[${i}]`));
    if (isObject(v) && Object.getPrototypeOf(v) === Object.prototype) return Object.entries(v).forEach(([k, x]) => check(x, `${path}.${k}`));
    throw new ValueError(fn, `metadata${path} must be a JSON value (string, finite number, boolean, null, array or plain object), got ${fmtValue(v)}`);
  };
  check(meta, '');
  return JSON.stringify(meta);
}

/** The flat state dict and metadata of a checkpoint. */
function checkpointContent(parts: CheckpointParts, fn: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (!isObject(parts) || parts.model === undefined) throw new ValueError(fn, `expected { model, optimizer?, scheduler?, metadata? }, got ${fmtValue(parts)}`);
  if (parts.metadata !== undefined && !isObject(parts.metadata))
    throw new ValueError(fn, `metadata must be an object of JSON values, got ${fmtValue(parts.metadata)}`);
  const metadata: Record<string, string> = { [FORMAT]: '1', [RNG]: JSON.stringify(Array.from(getRngState())) };
  if (parts.metadata !== undefined) metadata[USER] = jsonOf(parts.metadata, fn);
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of stateDictEntries(parts.model, fn)) tensors.set(MODEL_PREFIX + k, t);
  const { optimizer, scheduler } = parts;
  if (optimizer !== undefined) {
    if (typeof optimizer?.stateDict !== 'function' || typeof optimizer.name !== 'string')
      throw new ValueError(fn, 'optimizer must be a wasmgrad optimizer (e.g. new wg.optim.Adam(...))');
    const sd = optimizer.stateDict();
    for (const [i, st] of Object.entries(sd.state)) for (const [name, t] of Object.entries(st)) tensors.set(`${STATE_PREFIX}${i}.${name}`, t);
    metadata[OPTIMIZER] = JSON.stringify({ class: optimizer.name, paramGroups: sd.paramGroups });
  }
  if (scheduler !== undefined) {
    if (typeof scheduler?.stateDict !== 'function' || typeof scheduler.name !== 'string')
      throw new ValueError(fn, 'scheduler must be a wasmgrad LR scheduler (e.g. new wg.optim.lr.StepLR(...))');
    metadata[SCHEDULER] = JSON.stringify({ class: scheduler.name, state: scheduler.stateDict() });
  }
  return { tensors, metadata };
}

/**
 * The bytes of a checkpoint as `fn` saves it, all read synchronously (see serialize): the file
 * holds the parameters, optimizer state and step counts of the moment of the call.
 */
export function serializeCheckpoint(parts: CheckpointParts, fn: string): Uint8Array<ArrayBuffer> {
  const { tensors, metadata } = checkpointContent(parts, fn);
  return serialize(tensors, { metadata }, fn);
}

/**
 * Saves a model with its optimizer state and LR scheduler to safetensors bytes, e.g.
 * `wg.saveCheckpoint({ model, optimizer: opt, scheduler: sched, metadata: { epoch: '3' } })`.
 * (wg.save(model) writes the model alone with PyTorch's names, for exchange.)
 */
export function saveCheckpoint(parts: CheckpointParts): Uint8Array<ArrayBuffer> {
  return serializeCheckpoint(parts, 'saveCheckpoint');
}

/** The JSON value metadata key `key` holds (a FileFormatError naming the key when it is not JSON). */
function readJsonValue(meta: Record<string, string>, key: string, fn: string): unknown {
  try {
    return JSON.parse(meta[key]);
  } catch (e) {
    throw new FileFormatError(fn, `the checkpoint's metadata key '${key}' is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** The JSON object with a "class" name that metadata key `key` holds. */
function readJson(meta: Record<string, string>, key: string, fn: string): Record<string, unknown> {
  const v = readJsonValue(meta, key, fn);
  const text = meta[key];
  if (!isObject(v) || typeof v.class !== 'string')
    throw new FileFormatError(
      fn,
      `the checkpoint's metadata key '${key}' must hold a JSON object with a "class" name, got ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`,
    );
  return v;
}

/**
 * Restores what a checkpoint holds into the given model, optimizer and scheduler (each optional;
 * parts of the checkpoint not asked for are ignored) and returns the caller's metadata. Asking
 * for a part the checkpoint lacks, or for one of another class, is a StateDictError, as is a part
 * that does not fit its target; a file that is wrong in itself (metadata, missing or unknown
 * state tensors, dtypes) is a FileFormatError. Everything is validated before anything changes.
 */
export function restoreCheckpoint(
  sd: StateDict,
  meta: Record<string, string> | null,
  into: CheckpointTargets,
  fn: string,
): { metadata: Record<string, unknown> } {
  if (into === null || typeof into !== 'object') throw new ValueError(fn, 'expected { model?, optimizer?, scheduler? } to load into');
  if (meta?.[FORMAT] !== '1')
    throw new FileFormatError(
      fn,
      `not a wasmgrad checkpoint (no '${FORMAT}' = '1' in its metadata); a file from wg.save or PyTorch is a plain state dict: use wg.load and model.loadStateDict`,
    );
  const model: StateDict = {};
  const state: Record<string, ParamStateDict> = {};
  for (const [key, t] of Object.entries(sd)) {
    if (key.startsWith(MODEL_PREFIX)) {
      model[key.slice(MODEL_PREFIX.length)] = t;
      continue;
    }
    const m = STATE_KEY.exec(key);
    if (m === null) throw new FileFormatError(fn, `unexpected tensor '${key}' (a checkpoint holds model.* and optimizer.state.<index>.* tensors)`);
    (state[m[1]] ??= {})[m[2]] = t;
  }
  const commits: (() => void)[] = [];
  if (into.model !== undefined) commits.push(into.model.planLoadStateDict(model, { strict: into.strict ?? true }, fn, "the checkpoint's model state").commit);
  if (into.optimizer !== undefined) {
    if (meta[OPTIMIZER] === undefined) {
      if (Object.keys(state).length > 0)
        throw new FileFormatError(fn, `the checkpoint has ${STATE_PREFIX}* tensors but no metadata key '${OPTIMIZER}' to say whose state they are`);
      throw new StateDictError(fn, 'the checkpoint holds no optimizer state (it was saved without an optimizer)');
    }
    const o = readJson(meta, OPTIMIZER, fn);
    if (o.class !== into.optimizer.name) throw new StateDictError(fn, `the checkpoint holds ${o.class} state, the optimizer is ${into.optimizer.name}`);
    const origin = checkpointOrigin(fn, OPTIMIZER, '', STATE_PREFIX);
    commits.push(into.optimizer.planLoadStateDict({ state, paramGroups: o.paramGroups } as OptimizerStateDict, origin));
  }
  if (into.scheduler !== undefined) {
    if (meta[SCHEDULER] === undefined) throw new StateDictError(fn, 'the checkpoint holds no LR scheduler state (it was saved without a scheduler)');
    const s = readJson(meta, SCHEDULER, fn);
    if (s.class !== into.scheduler.name) throw new StateDictError(fn, `the checkpoint holds ${s.class} state, the scheduler is ${into.scheduler.name}`);
    commits.push(into.scheduler.planLoadStateDict(s.state as LRSchedulerState, checkpointOrigin(fn, SCHEDULER, 'state.', '')));
  }
  if ((into.rng ?? true) && meta[RNG] !== undefined) {
    const stored = readJsonValue(meta, RNG, fn);
    let words: Int32Array;
    try {
      words = checkRngState(fn, stored);
    } catch (e) {
      throw new FileFormatError(fn, `the checkpoint's metadata key '${RNG}' must hold the 4 words of a random state, got ${meta[RNG].slice(0, 80)}`, {
        cause: e,
      });
    }
    commits.push(() => setRngState(words));
  }
  for (const commit of commits) commit();
  // Earlier versions kept the caller's string entries as top-level keys; this one keeps one JSON object.
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (!k.startsWith('wasmgrad') && k !== 'format') metadata[k] = v;
  if (meta[USER] !== undefined) {
    const user = readJsonValue(meta, USER, fn);
    if (!isObject(user)) throw new FileFormatError(fn, `the checkpoint's metadata key '${USER}' must hold a JSON object, got ${meta[USER].slice(0, 80)}`);
    Object.assign(metadata, user);
  }
  return { metadata };
}

/** Loads checkpoint bytes made by wg.saveCheckpoint into a model, optimizer and scheduler. */
export function loadCheckpoint(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, into: CheckpointTargets): { metadata: Record<string, unknown> } {
  const { stateDict, metadata } = decode(bytes, 'loadCheckpoint');
  return restoreCheckpoint(stateDict, metadata, into, 'loadCheckpoint');
}
