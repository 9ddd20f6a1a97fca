/**
 * Global state (backends, grad mode) and `apply`: plan an op from the op table, allocate its
 * output, encode one instruction record, run it, and record a graph node when gradients are needed.
 */
import { ReferenceBackend } from './backend/reference.js';
import type { Backend, BackendName } from './backend/types.js';
import type { WasmBackend, BuildId, BuildName, WasmSource } from './backend/wasm.js';
import type { ThreadsOption } from './backend/pool.js';
import { debug, runChecked, type OutMeta } from './debug.js';
import { anomaly, captureTrace } from './anomaly.js';
import { lifetimes, SCRATCH, type GraphUse, type Storage } from './storage.js';
import { allocScratch, allocTransient } from './memory.js';
import { sink } from './sink.js';
import * as table from '../ops/index.js';
import { checkBlock, checkOptions } from './check.js';
import { AutogradError, BackendError, DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import {
  R,
  f32bits,
  inWord,
  paramRoom,
  fmtShape,
  isComposite,
  newRecord,
  type Builder,
  type CompositeDef,
  type DType,
  type Meta,
  type OpDef,
  type TableOp,
  sameShape,
} from '../ops/types.js';
import { moveStream } from '../random.js';
import { Tensor } from './tensor.js';

let wasm: WasmBackend | null = null;
let reference: ReferenceBackend | null = null;
let currentName: BackendName = 'wasm';
let gradEnabled = true;

export interface InitOptions {
  /**
   * Where to get the WebAssembly module: a URL (in browsers relative to the page), a path (Node),
   * bytes or a compiled module.
   */
  wasm?: WasmSource;
  /**
   * Where the packaged .wasm files are served (a URL or directory, relative to the page in
   * browsers; a directory path in Node): the build is still chosen automatically (or by `build`).
   */
  baseUrl?: string | URL;
  /**
   * Which packaged build to load (default: relaxed SIMD where the engine validates it, else SIMD,
   * else scalar). With `wasm` given, the module must be that build.
   */
  build?: BuildName;
  /**
   * Threads for the big kernels (default 1): n, or 'auto' (the cores, at most 8). More than one
   * runs the threads build over a worker pool in Node and in cross-origin-isolated browsers
   * (README "Threads"); where that cannot run, one thread with a console notice.
   */
  threads?: ThreadsOption;
}

let initPromise: Promise<void> | null = null;
/** Loads and instantiates the WebAssembly module. Idempotent. */
export function init(opts: InitOptions = {}): Promise<void> {
  let o: InitOptions;
  try {
    o = checkOptions<InitOptions>('init', opts, ['wasm', 'build', 'baseUrl', 'threads']);
  } catch (e) {
    return Promise.reject(e);
  }
  if (wasm) return Promise.resolve();
  // The WebAssembly backend's code loads with the module it drives: bundlers put it in a chunk of
  // its own, which a page fetches only when it calls init (the reference backend needs none of it).
  initPromise ??= import('./backend/wasm.js')
    .then(({ WasmBackend }) => WasmBackend.create(o.wasm, o.build, undefined, o.baseUrl, o.threads))
    .then(
      (b) => {
        wasm = b;
        // The global random stream moves into the module's memory, where the dropout kernel draws.
        moveStream(() => b.streamWords());
      },
      (e) => {
        initPromise = null;
        throw e;
      },
    );
  return initPromise;
}

export function setBackend(name: BackendName): void {
  if (name !== 'wasm' && name !== 'reference') throw new ValueError('setBackend', `unknown backend ${fmtValue(name)} (use 'wasm' or 'reference')`);
  currentName = name;
}

export function getBackend(): BackendName {
  return currentName;
}

/** The backend `name` (default: the current one); `fn` names the caller in the not-loaded error. */
export function backend(name: BackendName = currentName, fn = 'backend'): Backend {
  if (name === 'reference') return (reference ??= new ReferenceBackend());
  if (wasm === null) throw new BackendError(fn, "the WebAssembly backend is not loaded: call `await wg.init()` first (or wg.setBackend('reference'))");
  return wasm;
}

export interface Info {
  backend: BackendName;
  wasmLoaded: boolean;
  /** The loaded module uses WebAssembly SIMD (the 'simd' and 'relaxed-simd' builds). */
  simd: boolean;
  /** Which build runs (null before init): 'relaxed-simd' (FMA), 'simd' or 'scalar'. */
  build: BuildId | null;
  /** Threads the kernels split their work across: 1 unless wg.init({ threads }) started a pool. */
  threads: number;
  /** Why threads is lower than wg.init({ threads }) asked for (the console notice's text: e.g. a page that is not cross-origin isolated), or null. */
  threadsNote: string | null;
}

/** Facts about what runs, for users and bug reports. */
export function info(): Info {
  return {
    backend: currentName,
    wasmLoaded: wasm !== null,
    simd: wasm?.simd ?? false,
    build: wasm?.build ?? null,
    threads: wasm?.threads ?? 1,
    threadsNote: wasm?.threadsNote ?? null,
  };
}

/** Whether ops record gradients now: false inside noGrad (PyTorch's torch.is_grad_enabled()). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Switches gradient recording on or off (PyTorch's torch.set_grad_enabled as a function). Memory
 * scopes are noGrad's alone: this only changes what ops record.
 */
export function setGradEnabled(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new ValueError('setGradEnabled', `expects a boolean, got ${fmtValue(enabled)}`);
  gradEnabled = enabled;
}

/**
 * Runs fn without recording gradients. The blocks of what fn made and did not return are retired
 * when fn returns (spilled if a handle may reach them, see memory.ts); the returned tensors, also
 * inside arrays or plain objects, stay resident with the enclosing owner.
 */
export function noGrad<T>(fn: () => T): T {
  checkBlock('noGrad', fn);
  const prev = gradEnabled;
  gradEnabled = false;
  lifetimes.openScope();
  let result: T | undefined;
  try {
    result = fn();
    if (result instanceof Promise) throw new ValueError('noGrad', 'fn must be synchronous, got a function that returned a Promise (await outside wg.noGrad)');
    return result;
  } finally {
    gradEnabled = prev;
    lifetimes.closeScope(storagesIn(result));
  }
}

function storagesIn(value: unknown, found = new Set<Storage>(), depth = 0): Set<Storage> {
  if (value instanceof Tensor) {
    found.add(value.storage);
    const g = value.peekGrad();
    if (g !== null) found.add(g.storage);
  } else if (depth < 4 && value !== null && typeof value === 'object') {
    for (const v of Array.isArray(value) ? value : Object.values(value)) storagesIn(v, found, depth + 1);
  }
  return found;
}

/** The backend all inputs live on (they must agree), checking each is a Tensor still alive. */
function backendOf(op: string, inputs: readonly Tensor[]): Backend {
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(op, `argument ${i + 1} must be a Tensor, got ${fmtValue(t)}`);
    t.assertAlive(op);
  });
  const be = inputs[0]?.storage.backend ?? backend(undefined, op);
  for (const t of inputs)
    if (t.storage.backend !== be)
      throw new BackendError(op, `inputs live on different backends (${be.name} and ${t.storage.backend.name}); make them under one wg.setBackend()`);
  return be;
}

function encode(
  op: OpDef,
  inputs: readonly Tensor[],
  out: Storage,
  aux: readonly Storage[],
  n: number,
  params: readonly number[],
  workspace: number,
): Int32Array {
  const room = paramRoom(inputs.length);
  if (params.length > room) throw new BackendError(op.name, `${params.length} kernel parameters, a record of ${inputs.length} inputs holds ${room} (internal)`);
  const rec = newRecord(op.opcode, inputs.length, out.ptr, n, params, workspace);
  for (let i = 0; i < inputs.length; i++) rec[inWord(i)] = inputs[i].storage.ptr;
  for (let j = 0; j < aux.length; j++) rec[R.AUX + j] = aux[j].ptr;
  return rec;
}

const FILL = table.op('fill');

/** A record setting n words at ptr to value (the `fill` op). */
export function fillRecord(ptr: number, n: number, value: number): Int32Array {
  return newRecord(FILL.opcode, 0, ptr, n, [f32bits(value)], 0);
}

const NO_PARAMS: readonly number[] = [];
const NO_AUX: readonly Storage[] = [];

function checkDtypes(op: TableOp, inputs: readonly Tensor[]): void {
  const fits = !isComposite(op) && op.variadic ? inputs.length >= 1 && inputs.length <= op.arity : inputs.length === op.arity;
  if (!fits) throw new ValueError(op.name, `expects ${!isComposite(op) && op.variadic ? `1 to ${op.arity}` : op.arity} tensor inputs, got ${inputs.length}`);
  inputs.forEach((t, i) => {
    const want: DType = op.inputDtypes?.[i] ?? 'float32';
    if (t.dtype !== want) throw new DTypeError(op.name, `input ${i} must be ${want}, got ${t.dtype} (a tensor of shape ${fmtShape(t.shape)})`);
  });
}

/**
 * Runs kernel records now, or hands them to wg.compile's sink (src/engine/sink.ts); `fn` names the
 * caller in errors. A single-op launch names its input tensors and output (`out` === `inputs[0]`
 * for an update in place) for wg.setDebug's checks (src/engine/debug.ts), which run the records instead when on.
 */
export function launch(be: Backend, recs: readonly Int32Array[], workspace: number, fn = 'run', inputs?: readonly Meta[], out?: OutMeta): void {
  if (debug.checkFinite) return runChecked(be, recs, workspace, fn, inputs, out);
  if (sink.mode === 'off' || !sink.launch(be, recs, workspace)) be.run(recs, workspace, fn);
}

/**
 * What the graph use of a constant is until an op consumes it: the consuming op's node then (see
 * apply). Not freed: a constant no op consumed is spilled, as if a user held it.
 */
const UNCONSUMED: GraphUse = { freed: false };

/**
 * @internal A 0-d transient constant (float32 unless int32 is asked): numbers mixed with tensors
 * in ops, composites' scalars. No user handle reaches it: only the node of the op it is an input of.
 */
export function constant(value: number, be: Backend, dtype: DType = 'float32'): Tensor {
  const s = allocTransient(be, 1, 'constant');
  s.graphOnly = UNCONSUMED;
  be.write(s.ptr, [value], dtype);
  return new Tensor([], dtype, s, false);
}

/**
 * The blocks a composite made for its primitives' results and constants (`owner` from `mark` on,
 * made by it: never spilled before), other than its output's: only the composite's nodes read them,
 * and backward() frees those with the output's node (they are all upstream of it), so they are
 * needed exactly while the output's node is.
 */
function markInternal(owner: readonly Storage[], mark: number, out: Tensor): void {
  for (let k = mark; k < owner.length; k++) internalStorage(owner[k], out);
}

function internalStorage(s: Storage, out: Tensor): void {
  if (s !== out.storage && s.spills === 0 && s.graphOnly !== SCRATCH) s.graphOnly = out.node ?? SCRATCH;
}

/**
 * @internal `inner` was made only to compute `out` and no caller can reach it (the per-sample losses
 * a loss's reduction consumed): as a composite's internals, it lives while out's node needs it and
 * is freed, not spilled, when its step ends.
 */
export function internalTo(inner: Tensor, out: Tensor): Tensor {
  internalStorage(inner.storage, out);
  return out;
}

/** The Builder over tensors on `be`: what composites and vjps (createGraph) run against. */
export function tensorBuilder(be: Backend): Builder<Tensor> {
  return {
    op: (name, xs, a) => apply(table.op(name as table.OpName), xs, a),
    scalar: (v) => constant(v, be),
    detach: (t) => t.detach(),
    shape: (t) => t.shape,
  };
}

/**
 * A composite runs as its primitives, each through apply: their nodes make its gradient, compile
 * records their launches. Its own plan runs first so that bad arguments are named after it.
 */
function applyComposite<A>(op: CompositeDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  const be = backendOf(op.name, inputs);
  checkDtypes(op, inputs);
  op.plan(inputs, attrs);
  const b = tensorBuilder(be);
  const owner = lifetimes.transientOwner();
  const mark = owner.length;
  const out = op.compose(b, inputs, attrs);
  if (sink.mode === 'off') markInternal(owner, mark, out);
  return out;
}

/**
 * Runs one op of the table on tensors; records a graph node if a gradient will be needed. `saved`,
 * when given, receives the op's saved-for-backward blocks (batchNorm's batch statistics, which the
 * running averages read), alive while the result's node is or until the step ends.
 */
export function apply<A>(op: TableOp<A>, inputs: readonly Tensor[], attrs: A = {} as A, saved?: Storage[]): Tensor {
  // No block address is held yet: the generations may turn over here (a loop without backward()).
  if (sink.mode === 'off') lifetimes.settle();
  if (isComposite(op)) return applyComposite(op, inputs, attrs);
  const be = backendOf(op.name, inputs);
  checkDtypes(op, inputs);
  const plan = op.plan(inputs, attrs);
  const shape = plan.shape;
  let n = 1;
  for (let k = 0; k < shape.length; k++) n *= shape[k];
  const out = allocTransient(be, n, op.name);
  let aux = NO_AUX;
  if (plan.aux !== undefined && plan.aux.length > 0) aux = plan.aux.map((w) => allocTransient(be, w, `${op.name} (saved for backward)`, op.name));
  if (saved !== undefined) saved.push(...aux);
  const workspace = plan.workspace ?? 0;
  const rec = encode(op, inputs, out, aux, n, plan.params ?? NO_PARAMS, workspace);
  launch(be, [rec], workspace, op.name, inputs, plan);
  if (sink.mode !== 'off') bindApply(inputs);
  let requiresGrad = false;
  if (gradEnabled) for (const i of op.gradInputs) if (inputs[i]?.requiresGrad) requiresGrad = true;
  const t = new Tensor(shape, plan.dtype ?? 'float32', out, requiresGrad);
  if (requiresGrad) {
    const versions = new Array<number>(inputs.length);
    for (let i = 0; i < inputs.length; i++) versions[i] = inputs[i].storage.version;
    t.node = { op, rec, inputs, attrs, versions, outVersion: out.version, saved: aux, workspace, freed: false };
    if (anomaly.enabled) t.node.trace = captureTrace();
    for (let i = 0; i < inputs.length; i++) if (inputs[i].gen !== 0) (t.node.gens ??= new Array<number>(inputs.length).fill(0))[i] = inputs[i].gen;
  }
  // Saved-for-backward blocks, and constants this op consumes, are needed while its node is.
  for (let j = 0; j < aux.length; j++) aux[j].graphOnly = t.node ?? SCRATCH;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].storage.graphOnly === UNCONSUMED) inputs[i].storage.graphOnly = t.node ?? SCRATCH;
  return t;
}

/** Inside wg.compile: the storages an op uses (they must stay alive for a replay). */
function bindApply(inputs: readonly Tensor[]): void {
  for (const t of inputs) sink.uses(t.storage);
}

/** An in-place launch validated and encoded once: its record and what it reads and writes. */
export interface PreparedInto {
  /** The in-place form's name (optimCoefficients_), for errors. */
  name: string;
  rec: Int32Array;
  target: Tensor;
  inputs: readonly Tensor[];
}

/**
 * Validates an in-place op on `target` and encodes its record (`name`: the in-place form users call,
 * copy_). Scratch (plan.aux) is allocated for this one launch.
 */
function encodeInto<A>(name: string, op: OpDef<A>, target: Tensor, inputs: readonly Tensor[], attrs: A): { be: Backend; rec: Int32Array; workspace: number } {
  const be = backendOf(name, [target, ...inputs]);
  checkDtypes(op, inputs);
  if (gradEnabled && (target.requiresGrad || inputs.some((t) => t.requiresGrad)))
    throw new AutogradError(name, 'in-place update of a tensor that requires grad, or from one, must run inside wg.noGrad(() => ...)');
  const plan = op.plan(inputs, attrs);
  const n = plan.shape.reduce((a, b) => a * b, 1);
  if (!sameShape(plan.shape, target.shape))
    throw new ShapeError(name, `in-place result of shape ${fmtShape(plan.shape)} does not fit target ${fmtShape(target.shape)}`);
  if ((plan.dtype ?? 'float32') !== target.dtype)
    throw new DTypeError(name, `in-place result is ${plan.dtype ?? 'float32'}, the target ${target.dtype} ${fmtShape(target.shape)}`);
  const aux = (plan.aux ?? []).map((w) => allocScratch(be, w, `${op.name} (scratch)`, name));
  const workspace = plan.workspace ?? 0;
  return { be, rec: encode(op, inputs, target.storage, aux, n, plan.params ?? NO_PARAMS, workspace), workspace };
}

/** Inside wg.compile: an in-place launch uses its inputs and target and bumps the target. */
function bindInto(target: Tensor, inputs: readonly Tensor[]): void {
  bindApply(inputs);
  sink.uses(target.storage);
  sink.bump(target.storage);
}

/**
 * Runs an op writing into an existing tensor's storage (in-place update, e.g. copy_). Not
 * differentiable: allowed on leaves that require grad only inside noGrad, as in PyTorch.
 */
export function applyInto<A>(op: OpDef<A>, target: Tensor, inputs: readonly Tensor[], attrs: A = {} as A): Tensor {
  const name = `${op.name}_`; // the in-place form, as users call it (copy_)
  const { be, rec, workspace } = encodeInto(name, op, target, inputs, attrs);
  target.storage.version++; // before the kernel: a NonFiniteError after it leaves the target written
  launch(be, [rec], workspace, name, inputs, target);
  if (sink.mode !== 'off') bindInto(target, inputs);
  return target;
}

/**
 * @internal applyInto's record, validated and encoded now, for applyUpdate's `pre` to launch ahead of
 * an update, again at every step while the tensors stay the same (their storages do not move). Only
 * ops without scratch or workspace: those belong to one launch.
 */
export function prepareInto<A>(op: OpDef<A>, target: Tensor, inputs: readonly Tensor[], attrs: A): PreparedInto {
  const name = `${op.name}_`;
  const { rec, workspace } = encodeInto(name, op, target, inputs, attrs);
  if (workspace !== 0 || rec[R.AUX] !== 0) throw new BackendError(name, 'an op with scratch memory cannot be prepared once and launched again (internal)');
  return { name, rec, target, inputs };
}

/**
 * Runs an update kernel that writes into its input tensors in place (optimizer steps): no output,
 * no graph node, no allocation. Bumps the storage version of the tensors listed in `written`
 * (indices into `tensors`), so a graph that saved them refuses to backpropagate through stale values.
 * `aux` fills the record's AUX words (an optimizer's coefficient block, src/ops/optim.ts); `pre`, a
 * prepared in-place record (the coefficients the update reads), runs just before it in the same
 * launch: one interpreter call per parameter instead of two.
 */
export function applyUpdate<A>(
  op: OpDef<A>,
  tensors: readonly Tensor[],
  attrs: A,
  written: readonly number[],
  aux: readonly Tensor[] = [],
  pre?: PreparedInto,
): void {
  const be = backendOf(op.name, tensors);
  checkDtypes(op, tensors);
  const plan = op.plan(tensors, attrs);
  const n = tensors[0].size;
  const auxStorage = aux.length === 0 ? NO_AUX : aux.map((t) => t.storage);
  const workspace = plan.workspace ?? 0;
  const rec = encode(op, tensors, tensors[0].storage, auxStorage, n, plan.params ?? NO_PARAMS, workspace);
  let recs = [rec];
  if (pre !== undefined) {
    pre.target.storage.version++;
    // The finite checks look at a launch's first record: there the prepared one runs on its own,
    // checked as applyInto would check it.
    if (debug.checkFinite) launch(be, [pre.rec], 0, pre.name, pre.inputs, pre.target);
    else recs = [pre.rec, rec];
  }
  for (const i of written) tensors[i].storage.version++; // before the kernel, as in applyInto
  launch(be, recs, workspace, op.name, tensors, tensors[0]);
  if (sink.mode !== 'off') {
    if (pre !== undefined) bindInto(pre.target, pre.inputs);
    bindApply(tensors);
    for (const s of auxStorage) sink.uses(s);
    for (const i of written) sink.bump(tensors[i].storage);
  }
}
