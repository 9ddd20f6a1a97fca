/**
 * The optimizer base class: parameters, one group of hyperparameters, per-parameter state, and the
 * step protocol every optimizer shares (validate everything, then create missing state, then run
 * one update kernel per parameter). Subclasses only say which state buffers they keep and which
 * kernel runs with which attributes.
 *
 * PyTorch's semantics (torch.optim.Optimizer): `step()` updates every parameter that has a gradient
 * and skips the others; `zeroGrad()` sets gradients to null (set_to_none); `stateDict()` is
 * `{ state: { [paramIndex]: { step, <buffers> } }, paramGroups: [{ ...hyperparameters, params }] }`
 * with PyTorch's buffer names (momentum_buffer, exp_avg, exp_avg_sq, square_avg, sum) and
 * camelCase hyperparameters (our option names).
 *
 * Non-finite gradients are not scanned for (as in PyTorch: a scan would read every gradient back
 * each step); NaN or ±Inf propagate into the parameters. Guard with
 * `clipGradNorm(params, maxNorm, { errorIfNonfinite: true })`, which checks the norm before
 * anything is changed.
 */
import { checkOptions } from '../engine/check.js';
import { applyUpdate } from '../engine/engine.js';
import { BackendError, DTypeError, RecycledTensorError, ShapeError, ValueError, fmtValue, type ErrorClass, type WasmgradError } from '../errors.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { allocPersistent } from '../engine/memory.js';
import { fmtShape, writeParams, type OpDef } from '../ops/types.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';

/** Parameters: tensors, or a module (anything with a `parameters()` method returning them). */
export type Params = Iterable<Tensor> | { parameters(): Iterable<Tensor> };

/** Hyperparameter values: numbers, booleans, or pairs of numbers (Adam's betas). */
export type HyperValue = number | boolean | readonly [number, number];
export interface Hyper {
  lr: number;
  [key: string]: HyperValue;
}

/** One parameter's optimizer state: `step` (a 0-d tensor) and its buffers, by PyTorch name. */
export type ParamStateDict = Record<string, Tensor>;

export interface OptimizerStateDict<H extends Hyper = Hyper> {
  state: Record<number, ParamStateDict>;
  paramGroups: (H & { params: number[] })[];
}

interface ParamState {
  step: number;
  buffers: Record<string, Tensor>;
}

/** The tensors of a parameter's update, after this step's bookkeeping. */
export interface UpdateContext {
  /** Step number of this update, ≥ 1 (PyTorch's state['step'] after its increment). */
  step: number;
  buffers: Record<string, Tensor>;
  /** Buffers that did not exist before this step (SGD starts its momentum buffer at the gradient). */
  created: ReadonlySet<string>;
}

/** Turns `params` into a checked array of distinct float32 leaf tensors that require grad. */
export function paramList(where: string, params: Params | Tensor, allowEmpty = false): Tensor[] {
  let source: unknown = params;
  if (source instanceof Tensor) source = [source];
  else if (source !== null && typeof source === 'object' && typeof (source as { parameters?: unknown }).parameters === 'function')
    source = (source as { parameters(): Iterable<Tensor> }).parameters();
  if (source === null || typeof source !== 'object' || typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new ValueError(where, `params must be an array of tensors or a module with parameters(), got ${fmtValue(params)}`);
  const list = Array.from(source as Iterable<unknown>);
  if (list.length === 0 && !allowEmpty) throw new ValueError(where, 'got an empty parameter list');
  const seen = new Set<unknown>();
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(where, `params[${i}] must be a Tensor, got ${fmtValue(p)}`);
    p.assertAlive(where);
    if (seen.has(p.storage)) throw new ValueError(where, `params[${i}] appears twice in the parameter list`);
    seen.add(p.storage);
  });
  return list as Tensor[];
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A persistent float32 tensor on `like`'s backend, filled with `value` or with `data`. */
function persistentLike(like: Tensor, shape: readonly number[], label: string, value: number, data?: ArrayLike<number>, state = false): Tensor {
  const be = like.storage.backend;
  const n = shape.reduce((a, b) => a * b, 1);
  const s = allocPersistent(be, n, label, state);
  if (data) be.write(s.ptr, data, 'float32');
  else be.fill(s.ptr, n, value, 'float32');
  return new Tensor(shape, 'float32', s, false);
}

export abstract class Optimizer<H extends Hyper = Hyper> {
  /** The parameters, in the order of the state dict's indices. */
  readonly params: readonly Tensor[];
  /**
   * PyTorch's param_groups: one group holding the hyperparameters. Change them here (or through
   * `lr`); they are validated again at every step.
   */
  readonly paramGroups: [H];
  private state: (ParamState | undefined)[];

  /**
   * @param name        for error messages, e.g. 'SGD'
   * @param options     the user's options (unknown keys are an error)
   * @param defaults    every hyperparameter with its default; `undefined` marks a required one
   */
  protected constructor(
    readonly name: string,
    params: Params,
    options: object | undefined,
    defaults: { [K in keyof H]: H[K] | undefined },
  ) {
    this.params = paramList(`optim.${name}`, params);
    this.params.forEach((p, i) => {
      if (p.dtype !== 'float32') throw this.error(`params[${i}] is a ${p.dtype} tensor; only float32 tensors can be optimized`, DTypeError);
      if (!p.requiresGrad) throw this.error(`params[${i}] ${fmtShape(p.shape)} does not require grad (make it with { requiresGrad: true })`);
      if (!p.isLeaf) throw this.error(`params[${i}] ${fmtShape(p.shape)} is not a leaf tensor (it was computed by '${p.node!.op.name}'); optimize the tensors it was computed from`);
    });
    this.paramGroups = [this.readOptions(options, defaults)];
    this.checkHyper(this.paramGroups[0]);
    this.state = this.params.map(() => undefined);
  }

  /** The options merged over the defaults; unknown or missing required options are errors. */
  private readOptions(options: object | undefined, defaults: { [K in keyof H]: H[K] | undefined }): H {
    const opts = checkOptions(`optim.${this.name}`, options, Object.keys(defaults));
    const h: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(defaults)) {
      const v = opts[k] !== undefined ? opts[k] : d;
      if (v === undefined) throw this.error(`the option ${k} is required`);
      h[k] = Array.isArray(v) ? [...v] : v;
    }
    return h as H;
  }

  /** The learning rate (paramGroups[0].lr). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    if (sink.mode !== 'off') sink.slow(`optim.${this.name}: the learning rate is set inside the function`);
    this.checkHyper({ ...this.paramGroups[0], lr: v });
    this.paramGroups[0].lr = v;
  }

  // ---- what each optimizer defines ------------------------------------------------------------
  /** Throws (through this.error) on an invalid hyperparameter. */
  protected abstract checkHyper(h: H): void;
  /** The state buffers a parameter needs under hyperparameters h, with their initial value. */
  protected abstract buffers(h: H): Record<string, number>;
  /** Every buffer name this optimizer may keep (for loadStateDict). */
  protected abstract readonly bufferNames: readonly string[];
  /** Runs the update kernel(s) of one parameter. */
  protected abstract update(p: Tensor, g: Tensor, ctx: UpdateContext, h: H): void;

  /** An error naming this optimizer (a ValueError unless another class is given). */
  protected error(msg: string, Kind: ErrorClass = ValueError): WasmgradError {
    return new Kind(`optim.${this.name}`, msg);
  }

  /** Runs `op` in place on [param, grad, state...]; `written` are the indices it updates. */
  protected run<A>(op: OpDef<A>, tensors: Tensor[], attrs: A, written: number[]): void {
    const replay = this.replayRecs;
    if (replay !== null) {
      // A compiled function's replay: the update record exists; only its parameters change.
      writeParams(replay[this.replayAt++], op.plan(tensors, attrs).params ?? []);
      for (const i of written) tensors[i].storage.version++;
      return;
    }
    applyUpdate(op, tensors, attrs, written);
    if (sink.mode !== 'off') this.replayRecsOf?.push(...sink.lastStored);
  }

  /** Inside wg.compile: the update records of the parameter being updated (see bindReplay). */
  private replayRecsOf: Int32Array[] | null = null;
  /** During a replay's commit: the records run() rewrites, and the next one. */
  private replayRecs: Int32Array[] | null = null;
  private replayAt = 0;

  // ---- the step ---------------------------------------------------------------------------------
  /**
   * One update of every parameter that has a gradient (the others are skipped, as in PyTorch).
   * Everything is validated before the first kernel runs, so a step that throws leaves the
   * parameters and the optimizer state as they were.
   */
  step(): void {
    const h = this.paramGroups[0];
    this.checkHyper(h);
    // 1. validate
    const work: { i: number; p: Tensor; g: Tensor }[] = [];
    this.params.forEach((p, i) => {
      p.assertAlive(`optim.${this.name}.step`);
      const g = p.grad;
      if (g === null) return;
      if (!g.storage.alive) throw this.error(`the gradient of params[${i}] was freed (disposed); run backward() again`, RecycledTensorError);
      if (g.dtype !== 'float32') throw this.error(`the gradient of params[${i}] is ${g.dtype}, expected float32`, DTypeError);
      if (!sameShape(g.shape, p.shape))
        throw this.error(`the gradient of params[${i}] has shape ${fmtShape(g.shape)}, but the parameter has shape ${fmtShape(p.shape)}`, ShapeError);
      if (g.storage.backend !== p.storage.backend)
        throw this.error(`the gradient of params[${i}] lives on the ${g.storage.backend.name} backend, the parameter on ${p.storage.backend.name}`, BackendError);
      if (g.storage === p.storage) throw this.error(`the gradient of params[${i}] is the parameter itself`);
      for (const [name, t] of Object.entries(this.state[i]?.buffers ?? {}))
        if (!t.storage.alive) throw this.error(`state '${name}' of params[${i}] was freed (disposed); reload a state dict`, RecycledTensorError);
      work.push({ i, p, g });
    });
    // 2. make missing state buffers, not yet committed (a failure here changes nothing)
    const wanted = this.buffers(h);
    const fresh = work.map(({ i, p }) => {
      const made: Record<string, Tensor> = {};
      for (const [name, init] of Object.entries(wanted))
        if (this.state[i]?.buffers[name] === undefined) made[name] = persistentLike(p, p.shape, `optim.${this.name} ${name}`, init, undefined, true);
      return made;
    });
    // 3. commit and run
    const recsOf: Int32Array[][] = [];
    work.forEach(({ i, p, g }, k) => {
      const st = (this.state[i] ??= { step: 0, buffers: {} });
      Object.assign(st.buffers, fresh[k]);
      st.step++;
      this.replayRecsOf = sink.mode !== 'off' ? (recsOf[k] = []) : null;
      this.update(p, g, { step: st.step, buffers: st.buffers, created: new Set(Object.keys(fresh[k])) }, h);
    });
    this.replayRecsOf = null;
    if (sink.mode !== 'off') this.bindReplay(work, recsOf);
  }

  /**
   * Inside wg.compile: the replay hook of this step. A replay checks that the same parameters have
   * the same gradients and state buffers as in the recording (else the call re-runs the JS), then
   * advances the step counts and re-plans each update with the current hyperparameters (learning
   * rate set by a scheduler, Adam's bias corrections), rewriting only the records' parameters.
   */
  private bindReplay(work: { i: number; p: Tensor; g: Tensor }[], recsOf: Int32Array[][]): void {
    const grads = this.params.map((p) => {
      const w = work.find((x) => x.p === p);
      return w === undefined ? null : w.g;
    });
    const bound = this.params.map((p) => sink.boundLeafGrad(p));
    const buffers = work.map(({ i }) => ({ ...this.state[i]!.buffers }));
    const names = Object.keys(this.buffers(this.paramGroups[0])).join();
    const noneCreated = new Set<string>();
    sink.hook(
      {
        check: () => {
          const h = this.paramGroups[0];
          this.checkHyper(h);
          if (Object.keys(this.buffers(h)).join() !== names) return false;
          for (let i = 0; i < this.params.length; i++) {
            const now = this.params[i].grad;
            if (now !== grads[i] && !(now === null && grads[i] !== null && bound[i] === grads[i])) return false;
          }
          for (let k = 0; k < work.length; k++) {
            const st = this.state[work[k].i];
            if (st === undefined) return false;
            for (const [name, t] of Object.entries(buffers[k])) if (st.buffers[name] !== t || !t.storage.alive) return false;
          }
          return true;
        },
        commit: () => {
          const h = this.paramGroups[0];
          for (let k = 0; k < work.length; k++) {
            const { i, p, g } = work[k];
            const st = this.state[i]!;
            st.step++;
            this.replayRecs = recsOf[k];
            this.replayAt = 0;
            try {
              this.update(p, g, { step: st.step, buffers: st.buffers, created: noneCreated }, h);
            } finally {
              this.replayRecs = null;
            }
          }
        },
      },
      recsOf.flat(),
    );
  }

  /** Clears the gradients: sets them to null (PyTorch's set_to_none), or fills them with zeros. */
  zeroGrad(setToNone = true): void {
    if (typeof setToNone !== 'boolean') throw new ValueError(`optim.${this.name}.zeroGrad`, `setToNone must be a boolean, got ${fmtValue(setToNone)}`);
    if (sink.mode !== 'off') {
      // Inside wg.compile the gradients are the program's buffers, zeroed by the program itself.
      if (!setToNone) sink.slow(`optim.${this.name}.zeroGrad(false) fills the gradients in JavaScript`);
      for (const p of this.params) sink.gradCleared(p);
    }
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone || !g.storage.alive) p.grad = null;
      else {
        g.storage.backend.fill(g.storage.ptr, g.size, 0, 'float32');
        g.storage.version++;
      }
    }
  }

  // ---- checkpoints --------------------------------------------------------------------------------
  /**
   * The state, PyTorch-shaped. Buffers are the live state tensors (not copies, as in PyTorch);
   * `step` is a fresh 0-d float32 tensor. Parameters never stepped have no entry.
   */
  stateDict(): OptimizerStateDict<H> {
    const state: Record<number, ParamStateDict> = {};
    this.state.forEach((st, i) => {
      if (st === undefined) return;
      state[i] = { step: persistentLike(this.params[i], [], `optim.${this.name} step`, st.step), ...st.buffers };
    });
    const group = { ...cloneHyper(this.paramGroups[0]), params: this.params.map((_, i) => i) };
    return { state, paramGroups: [group] };
  }

  /**
   * Restores a state dict made by stateDict() (of an optimizer of the same kind over parameters of
   * the same shapes). Values are copied onto each parameter's backend. Everything is validated
   * before anything changes: a state that does not fit is a StateDictError naming the entry.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    this.planLoadStateDict(sd)();
  }

  /**
   * @internal loadStateDict in two phases: validates everything, returns the commit. `origin` names
   * the entries and picks the error classes (a checkpoint file reports its own keys).
   */
  planLoadStateDict(sd: OptimizerStateDict, origin: LoadOrigin = stateDictOrigin(`optim.${this.name}`)): () => void {
    const name = origin.name;
    const fail = (message: string, malformed = true) => origin.error(message, malformed);
    if (sd === null || typeof sd !== 'object')
      throw new ValueError(`optim.${this.name}`, `loadStateDict expects { state: {...}, paramGroups: [...] } as made by stateDict(), got ${fmtValue(sd)}`);
    if (sd.state === null || typeof sd.state !== 'object') throw fail(`${name({ field: 'state' })} must be an object of per-parameter state, got ${fmtValue(sd.state)}`);
    if (!Array.isArray(sd.paramGroups)) throw fail(`${name({ field: 'paramGroups' })} must be an array of parameter groups, got ${fmtValue(sd.paramGroups)}`);
    if (sd.paramGroups.length !== 1) throw fail(`${name({ field: 'paramGroups' })}: expected 1 parameter group, got ${sd.paramGroups.length}`, false);
    const group = sd.paramGroups[0] as unknown as Record<string, unknown>;
    const at = { field: 'paramGroups[0]' };
    if (group === null || typeof group !== 'object' || Array.isArray(group))
      throw fail(`${name(at)} must be an object of hyperparameters, got ${fmtValue(group)}`);
    const current = this.paramGroups[0] as Record<string, unknown>;
    // hyperparameters
    const h: Record<string, unknown> = cloneHyper(this.paramGroups[0]);
    for (const [k, v] of Object.entries(group)) {
      if (k === 'params') continue;
      if (!Object.hasOwn(current, k)) throw fail(`unknown hyperparameter '${k}' in ${name(at)} (${this.name} has ${Object.keys(current).join(', ')})`);
      h[k] = Array.isArray(v) ? [...v] : v;
    }
    try {
      this.checkHyper(h as H);
    } catch (e) {
      throw origin.invalid(e, at);
    }
    const params = group.params;
    if (params !== undefined) {
      const list = { field: 'paramGroups[0].params' };
      if (!Array.isArray(params) || !params.every((i) => Number.isInteger(i) && i >= 0))
        throw fail(`${name(list)} must be an array of parameter indices, got ${fmtValue(params)}`);
      if (params.length !== this.params.length) throw fail(`${name(at)}: the group has ${params.length} parameters, this optimizer has ${this.params.length}`, false);
    }
    // per-parameter state
    const required = Object.keys(this.buffers(h as H));
    const next: (ParamState | undefined)[] = this.params.map(() => undefined);
    for (const [key, entry] of Object.entries(sd.state)) {
      const i = Number(key);
      if (!/^\d+$/.test(key)) throw fail(`${name({ field: 'state' })}: '${key}' is not a parameter index`);
      // Beyond the state's own parameter list (checked above to be as long as ours) the state is
      // inconsistent in itself; without a list it may just come from a larger model.
      if (i >= this.params.length)
        throw fail(`${name({ param: key })} holds state for parameter index '${key}', but there are ${this.params.length} parameters`, params !== undefined);
      if (entry === null || typeof entry !== 'object') throw fail(`${name({ param: i })} must be an object of tensors`);
      const p = this.params[i];
      const step = readStep(entry.step);
      if (step === null) throw fail(`${name({ param: i, entry: 'step' })} must be a non-negative integer (a number or one-element tensor)`);
      for (const n of required) if (!(n in entry)) throw fail(`${name({ param: i })} has no '${n}' (needed by these hyperparameters)`);
      const buffers: Record<string, Tensor> = {};
      for (const [n, t] of Object.entries(entry)) {
        if (n === 'step') continue;
        const where = name({ param: i, entry: n });
        if (!this.bufferNames.includes(n)) throw fail(`unknown state '${n}' in ${name({ param: i })} (${this.name} keeps ${this.bufferNames.join(', ')})`);
        if (!(t instanceof Tensor)) throw fail(`${where} is not a Tensor (got ${fmtValue(t)})`);
        if (!t.storage.alive) throw fail(`${where} was freed`);
        // float32 is the only dtype of optimizer state: another one is a malformed state; a shape
        // other than the parameter's means the state belongs to another model.
        if (t.dtype !== 'float32' || !sameShape(t.shape, p.shape))
          throw fail(`${where} is ${t.dtype} ${fmtShape(t.shape)}, parameter ${i} needs float32 ${fmtShape(p.shape)}`, t.dtype !== 'float32');
        buffers[n] = t;
      }
      next[i] = { step, buffers };
    }
    // Copy the values onto each parameter's backend now: the commit allocates nothing, so it cannot
    // fail (out of memory) after another part of a checkpoint was committed.
    next.forEach((st, i) => {
      if (st === undefined) return;
      for (const [n, t] of Object.entries(st.buffers)) st.buffers[n] = persistentLike(this.params[i], t.shape, `optim.${this.name} ${n}`, 0, t.values());
    });
    return () => {
      this.state = next;
      Object.assign(this.paramGroups[0], h);
    };
  }
}

function cloneHyper<H extends Hyper>(h: H): H {
  const c: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(h)) c[k] = Array.isArray(v) ? ([...v] as [number, number]) : v;
  return c as H;
}

function readStep(s: unknown): number | null {
  let v: number;
  if (typeof s === 'number') v = s;
  else if (s instanceof Tensor && s.storage.alive && s.size === 1) v = s.values()[0];
  else return null;
  return Number.isInteger(v) && v >= 0 ? v : null;
}

// ---- option parsing and validation helpers ------------------------------------------------------
/** Checks that hyperparameter `key` of `name` is a finite number ≥ 0 (and < `below` when given). */
export function checkNumber(err: (m: string) => WasmgradError, key: string, v: unknown, lo: number, opts: { below?: number; max?: number } = {}): void {
  const range = opts.below !== undefined ? `in [${lo}, ${opts.below})` : opts.max !== undefined ? `in [${lo}, ${opts.max}]` : `≥ ${lo}`;
  const ok =
    typeof v === 'number' && Number.isFinite(v) && v >= lo && (opts.below === undefined || v < opts.below) && (opts.max === undefined || v <= opts.max);
  if (!ok) throw err(`${key} must be a finite number ${range}, got ${fmtValue(v)}`);
}

export function checkFinite(err: (m: string) => WasmgradError, key: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw err(`${key} must be a finite number, got ${fmtValue(v)}`);
}

export function checkBool(err: (m: string) => WasmgradError, key: string, v: unknown): void {
  if (typeof v !== 'boolean') throw err(`${key} must be true or false, got ${fmtValue(v)}`);
}
