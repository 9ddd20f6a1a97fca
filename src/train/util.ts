/** Helpers of the training loop: option checks, the local seeded generator, batching, accuracy. */
import { getBackend, setBackend } from '../engine/engine.js';
import { checkTensor, isRecord } from '../engine/check.js';
import { tensor } from '../api/creation.js';
import { ShapeError, ValueError, fmtValue, type ErrorClass } from '../errors.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { METRICS, type Dataset, type MetricName, type Model, type ModelLike } from './types.js';

/** Throws a `Kind` (default ValueError: a bad argument or option) naming `fn`. */
export function fail(fn: string, msg: string, Kind: ErrorClass = ValueError): never {
  throw new Kind(fn, msg);
}

/** An integer ≥ min, else a ValueError naming fn (the table's check). */
export { checkIntAtLeast as checkInt } from '../ops/types.js';

/** A model object (a plain function becomes { forward: fn }). */
export function asModel(fn: string, model: ModelLike): Model {
  if (typeof model === 'function') return { forward: model };
  if (model === null || typeof model !== 'object' || typeof (model as Model).forward !== 'function')
    fail(fn, `model must have a forward(x) method (a wg.nn Module) or be a function x => Tensor, got ${fmtValue(model)}`);
  return model;
}

/** Checks { x, y }: tensors alive, at least 1-D, the same number of samples (≥ 1). Returns n. */
export function checkDataset(fn: string, name: string, data: Dataset): number {
  if (!isRecord(data)) fail(fn, `${name} must be { x, y } tensors, got ${fmtValue(data)}`);
  checkInputs(fn, `${name}.x`, data.x);
  checkInputs(fn, `${name}.y`, data.y);
  if (data.x.shape[0] !== data.y.shape[0])
    fail(
      fn,
      `${name}.x and ${name}.y must have the same first (sample) dimension, got x ${fmtShape(data.x.shape)} and y ${fmtShape(data.y.shape)}`,
      ShapeError,
    );
  return data.x.shape[0];
}

export function checkInputs(fn: string, name: string, x: unknown): asserts x is Tensor {
  checkTensor(fn, name, x);
  if (x.ndim === 0 || x.shape[0] === 0) fail(fn, `${name} must have at least one sample along its first dim, got shape ${fmtShape(x.shape)}`, ShapeError);
}

export function checkMetrics(fn: string, metrics: unknown): Set<MetricName> {
  if (metrics === undefined) return new Set();
  if (!Array.isArray(metrics)) fail(fn, `metrics must be an array of metric names (${METRICS.map((m) => `'${m}'`).join(', ')}), got ${fmtValue(metrics)}`);
  for (const m of metrics) if (!METRICS.includes(m)) fail(fn, `unknown metric ${fmtValue(m)} in metrics (known: ${METRICS.map((k) => `'${k}'`).join(', ')})`);
  return new Set(metrics as MetricName[]);
}

export function checkKeys(fn: string, what: string, obj: object, known: readonly string[]): void {
  for (const k of Object.keys(obj)) if (!known.includes(k)) fail(fn, `unknown option ${what}${k} (known: ${known.join(', ')})`);
}

/** Runs fn with the current backend set to `name` (so creation functions allocate there). */
export function onBackend<T>(name: ReturnType<typeof getBackend>, fn: () => T): T {
  const prev = getBackend();
  if (prev === name) return fn();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(prev);
  }
}

/**
 * Lets the event loop run (progress rendering, messages, GC finalizers, timers) by resuming on a
 * macrotask: setImmediate in Node; a MessageChannel message in browsers, because nested
 * setTimeout(0) calls are clamped to ≥ 4 ms, which would idle a 16 ms yield budget by a quarter.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function')
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Awaits a callback's result only when it is a promise (no microtask per batch otherwise). */
export async function settle(r: unknown): Promise<void> {
  if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') await (r as PromiseLike<unknown>);
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, next: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((next() / 4294967296) * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Rows `idx` of a dataset tensor (in that order) as a new persistent tensor on the same backend;
 * the caller disposes it. `host` is the tensor's values read once, `buf` a scratch array of the
 * same type holding at least idx.length rows (reused across batches).
 */
export function gatherRows<A extends Float32Array | Float64Array | Int32Array>(t: Tensor, host: A, idx: Int32Array, buf: A): Tensor {
  const row = t.size / t.shape[0];
  const out = buf.subarray(0, idx.length * row);
  for (let i = 0; i < idx.length; i++) out.set(host.subarray(idx[i] * row, idx[i] * row + row), i * row);
  return onBackend(t.storage.backend.name, () => tensor(out, { shape: [idx.length, ...t.shape.slice(1)], dtype: t.dtype }));
}

// ---- accuracy ----------------------------------------------------------------------------------
/**
 * Correct predictions and their count for one batch: argmax over the last dim of pred vs int32
 * class ids shaped like pred without its last dim, or vs the argmax of targets shaped like pred.
 */
export function countCorrect(fn: string, pred: Tensor, target: Tensor): { correct: number; total: number } {
  const ps = pred.shape,
    ts = target.shape;
  const c = ps[ps.length - 1];
  if (pred.dtype !== 'float32' || ps.length < 1 || c < 2)
    fail(
      fn,
      `metric 'accuracy' needs float32 class scores along the prediction's last dim (at least 2 classes), got ${pred.dtype} ${fmtShape(ps)}`,
      ShapeError,
    );
  const labels = target.dtype === 'int32';
  if (labels ? !sameShape(ts, ps.slice(0, -1)) : !sameShape(ts, ps))
    fail(
      fn,
      `metric 'accuracy' needs int32 class ids of shape ${fmtShape(ps.slice(0, -1))} or ${target.dtype === 'float32' ? '' : 'float32 '}one-hot/probability targets of shape ${fmtShape(ps)}, got ${target.dtype} ${fmtShape(ts)} for predictions ${fmtShape(ps)}`,
      ShapeError,
    );
  const p = pred.rawValues(),
    t = target.rawValues();
  const rows = p.length / c;
  let correct = 0;
  for (let r = 0, o = 0; r < rows; r++, o += c) {
    const want = labels ? t[r] : argmax(t, o, c);
    if (argmax(p, o, c) === want) correct++;
  }
  return { correct, total: rows };
}

function argmax(v: ArrayLike<number>, o: number, c: number): number {
  let best = 0,
    bv = v[o];
  for (let k = 1; k < c; k++)
    if (v[o + k] > bv) {
      bv = v[o + k];
      best = k;
    }
  return best;
}
