/**
 * The optimizer base class: parameter groups, per-parameter state, and the step protocol every
 * optimizer shares (validate everything, then create missing state, then run one update kernel per
 * parameter). Subclasses only say which state buffers they keep and which kernel runs with which
 * attributes.
 *
 * PyTorch's semantics (torch.optim.Optimizer): the parameters are a list of tensors (one group) or
 * of groups `[{ params, ...options }]` whose options override the defaults (the second argument);
 * `step()` updates every parameter that has a gradient and skips the others; `zeroGrad()` sets
 * gradients to null (set_to_none); `stateDict()` is `{ state: { [paramIndex]: { step, <buffers> } } (SGD: no step, as torch),
 * paramGroups: [{ ...hyperparameters, params: [paramIndex...] }, ...] }`, the indices numbered
 * across the groups in order, with PyTorch's buffer names (momentum_buffer, exp_avg, exp_avg_sq,
 * max_exp_avg_sq, square_avg, grad_avg, sum, exp_inf, acc_delta, prev, step_size, ax; NAdam's
 * mu_product and ASGD's eta and mu, 0-d tensors) and camelCase hyperparameters (our option names); loadStateDict also reads torch's own
 * format (snake_case: fromTorchFormat), and buffers as nested lists (JSON of a state dict).
 *
 * Each group's hyperparameters and each parameter's step count live in WASM memory (src/ops/optim.ts,
 * optimCoefficients), one hyperparameter block per group (and backend), which the update kernels
 * of that group's parameters read: `opt.paramGroups[i].lr = x` validates the value (a ValueError
 * changes nothing) and writes it there, `opt.lr = x` writes every group's, and a step advances the
 * counts in the kernels, so a compiled step replays without any JavaScript of the optimizer.
 *
 * Non-finite gradients are not scanned for (as in PyTorch: a scan would read every gradient back
 * each step); NaN or ±Inf propagate into the parameters. Guard with
 * `clipGradNorm(params, maxNorm, { errorIfNonfinite: true })`, which checks the norm before
 * anything is changed.
 */
import type { Backend } from '../engine/backend/types.js';
import { checkOptions, isRecord } from '../engine/check.js';
import { torchArgs } from '../api/keywords.js';
import { tensor } from '../api/creation.js';
import { detailOf } from '../io/errors.js';
import { applyInto, applyUpdate, prepareInto, type PreparedInto } from '../engine/engine.js';
import { BackendError, DTypeError, RecycledTensorError, ValueError, fmtValue, type ErrorClass, type WasmgradError } from '../errors.js';
import { stateDictOrigin, type LoadOrigin } from '../io/origin.js';
import { allocPersistent, makePersistent } from '../engine/memory.js';
import { COEFFICIENT_KINDS, COEFFICIENT_WORDS, COUNTER_WORDS, HYPER_WORDS, hyperPair, type CoefficientKind } from '../ops/optim.js';
import { fmtShape, sameShape, type OpDef } from '../ops/types.js';
import { jsState, sink } from '../engine/sink.js';
import { Tensor, type NestedArray } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import { zeroGrads, type SetToNone } from './zero-grad.js';

/** Parameters: tensors, or a module (anything with a `parameters()` method returning them). */
export type Params = Iterable<Tensor> | { parameters(): Iterable<Tensor> };

/** Hyperparameter values: numbers, booleans, or pairs of numbers (Adam's betas). */
export type HyperValue = number | boolean | readonly [number, number];
export interface Hyper {
  lr: number;
  /** Step along +gradient (PyTorch's maximize): every optimizer has it. */
  maximize: boolean;
  [key: string]: HyperValue;
}

/** The option every optimizer takes (as PyTorch's). */
export interface MaximizeOption {
  /** Maximize the objective: each update uses −gradient, the gradient itself is left as it was (default false). */
  maximize?: boolean;
}

/** One parameter's optimizer state: `step` (a 0-d tensor) and its buffers, by PyTorch name. */
export type ParamStateDict = Record<string, Tensor>;

export interface OptimizerStateDict<H extends Hyper = Hyper> {
  state: Record<number, ParamStateDict>;
  /** Each group's hyperparameters (H without its index signature) and `params`, its parameters' indices in `state`. */
  paramGroups: ({ [K in keyof H as string extends K ? never : K]: H[K] } & { params: number[] })[];
}

interface ParamState {
  /**
   * [step, fresh, s0, s1]: PyTorch's state['step'], "the buffers were just made" and the scalar
   * states of `counterStates` (NAdam's mu_product; ASGD's eta and mu; 1 for the others) (src/ops/optim.ts).
   */
  counters: Tensor;
  /** The coefficients of this parameter's update, written by optimCoefficients each step. */
  coefficients: Tensor;
  /**
   * The optimCoefficients record of this state under one kind and hyperparameter block, encoded at
   * its first step and launched with each update (the per-launch JavaScript showed on small models).
   */
  prepared?: { kind: CoefficientKind; block: Tensor; run: PreparedInto };
  buffers: Record<string, Tensor>;
}

/**
 * Turns `params` into a checked array of distinct tensors; `prefix` names the group in messages
 * ('paramGroups[1].' for the list-of-groups form).
 */
export function paramList(where: string, params: Params | Tensor, allowEmpty = false, prefix = ''): Tensor[] {
  let source: unknown = params;
  if (source instanceof Tensor) source = [source];
  else if (source !== null && typeof source === 'object' && typeof (source as { parameters?: unknown }).parameters === 'function')
    source = (source as { parameters(): Iterable<Tensor> }).parameters();
  if (source === null || typeof source !== 'object' || typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new ValueError(where, `${prefix}params must be an array of tensors or a module with parameters(), got ${fmtValue(params)}`);
  const list = Array.from(source as Iterable<unknown>);
  if (list.length === 0 && !allowEmpty) throw new ValueError(where, `got an empty parameter list${prefix ? ` in ${prefix.slice(0, -1)}` : ''}`);
  const seen = new Set<unknown>();
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(where, `${prefix}params[${i}] must be a Tensor, got ${fmtValue(p)}`);
    p.assertAlive(where);
    if (seen.has(p.storage)) throw new ValueError(where, `${prefix}params[${i}] appears twice in the parameter list`);
    seen.add(p.storage);
  });
  return list as Tensor[];
}

/** A persistent float32 tensor on `like`'s backend, filled with `value` or with `data`. */
function persistentLike(like: Tensor, shape: readonly number[], label: string, value: number, data?: ArrayLike<number>, state = false): Tensor {
  const be = like.storage.backend;
  const n = shape.reduce((a, b) => a * b, 1);
  const s = allocPersistent(be, n, label, state);
  if (data) be.write(s.ptr, data, 'float32');
  else be.fill(s.ptr, n, value, 'float32');
  return new Tensor(shape, 'float32', s, false);
}

/**
 * One entry of the list-of-groups form: `{ params, ...options }`, its options overriding the
 * optimizer's defaults (the constructor's second argument), as torch.optim's param_groups.
 */
export type ParamGroupInput = { params: Params | Tensor } & Record<string, unknown>;

/** What an optimizer takes: parameters (one group) or a list of groups. */
export type OptimizerParams = Params | readonly ParamGroupInput[];

/**
 * A live parameter group (`opt.paramGroups[i]`): its parameters and hyperparameters. Assigning a
 * hyperparameter validates it (a ValueError changes nothing) and writes the group's memory.
 */
export type ParamGroup<H extends Hyper = Hyper> = H & { readonly params: readonly Tensor[] };

interface Group<H extends Hyper> {
  readonly params: readonly Tensor[];
  /** The hyperparameter values (as JavaScript last set them, see sync). */
  readonly hyper: H;
  /** The group's hyperparameter block per backend of its parameters (src/ops/optim.ts). */
  readonly blocks: Map<Backend, Tensor>;
  /** The block's words last written from JavaScript (hyper is exact while memory still holds them). */
  words: number[];
}

/** Whether `params` is the list-of-groups form (PyTorch looks at the first entry: a dict). */
function isGroupList(params: unknown): params is readonly ParamGroupInput[] {
  return Array.isArray(params) && params.length > 0 && params[0] !== null && typeof params[0] === 'object' && !(params[0] instanceof Tensor);
}

const freezePair = (v: HyperValue): HyperValue => (Array.isArray(v) ? (Object.freeze([...v]) as readonly [number, number]) : v);

/** Block slots holding one number of a pair option (src/ops/optim.ts COEFFICIENT_KINDS): [option, index]. */
const PAIR_SLOTS: Record<string, readonly [string, 0 | 1]> = {
  beta1: ['betas', 0],
  beta2: ['betas', 1],
  etaminus: ['etas', 0],
  etaplus: ['etas', 1],
  stepSizeMin: ['stepSizes', 0],
  stepSizeMax: ['stepSizes', 1],
};

export class Optimizer<H extends Hyper = Hyper> {
  /** Every parameter, group after group: the order of the state dict's indices. */
  readonly params: readonly Tensor[] = [];
  /**
   * PyTorch's param_groups: live group objects `{ params, lr, ... }`. Assigning a hyperparameter
   * (`opt.paramGroups[1].lr = 1e-3`) validates it (a ValueError changes nothing) and writes that
   * group's memory, which a compiled step reads.
   */
  readonly paramGroups: readonly ParamGroup<H>[] = [];
  /** The options every group starts from (PyTorch's defaults): the class defaults under the constructor's options. */
  readonly defaults: Readonly<Partial<H>>;
  private readonly groups: Group<H>[] = [];
  /** The group of each parameter (as this.params). */
  private readonly groupOf: Group<H>[] = [];
  /** Built from a list of groups (or grown by addParamGroup): messages name the group. */
  private grouped: boolean;
  /** 'paramGroups[i]: ' while a group's hyperparameters are checked (this.error prefixes it). */
  private label = '';
  /** Each parameter's state (as this.params), undefined before its first step. */
  private states: (ParamState | undefined)[] = [];

  /** For error messages, e.g. 'SGD' (a subclass in torch's form: its class name). */
  readonly name: string;
  /** torch's subclassing form (`super(params, defaults)`): its groups and state; undefined for the built-ins. */
  private readonly custom?: CustomParts;

  /**
   * torch's form, for a subclass that defines step() (torch.optim.Optimizer's `super().__init__(params, defaults)`):
   * `defaults` holds the groups' hyperparameters (any JSON-like values), each group may override
   * them and add keys of its own; `this.state.get(p)` is p's state object, which step() fills.
   */
  constructor(params: OptimizerParams, defaults: Record<string, unknown>);
  /**
   * The built-in optimizers' form.
   * @param name        for error messages, e.g. 'SGD'
   * @param params      tensors, a module, or a list of groups `[{ params, ...options }]`
   * @param options     the user's options, the defaults of every group (unknown keys are an error)
   * @param defaults    every hyperparameter with its default; `undefined` marks a required one
   */
  constructor(name: string, params: OptimizerParams, options: object | undefined, defaults: { [K in keyof H]: H[K] | undefined });
  constructor(...args: unknown[]) {
    // the built-ins pass (name, params, options, defaults); anything else is torch's (params, defaults), checked there
    if (typeof args[0] !== 'string' || typeof args[3] !== 'object' || args[3] === null) {
      this.name = new.target.name || 'Optimizer';
      this.grouped = isGroupList(args[0]);
      this.custom = new CustomParts(this.name, (args as [OptimizerParams, unknown])[0], args[1], this.params as Tensor[], this.paramGroups as ParamGroup<H>[]);
      this.defaults = this.custom.defaults as Partial<H>;
      return;
    }
    const [name, params, options, defaults] = args as [string, OptimizerParams, object | undefined, { [K in keyof H]: H[K] | undefined }];
    this.name = name;
    const opts = checkOptions(`optim.${name}`, options, Object.keys(defaults));
    const merged: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(defaults)) merged[k] = opts[k] !== undefined ? opts[k] : d;
    this.defaults = merged as Partial<H>;
    // torch checks the lr of the options (its defaults) alone: a group's, an assigned, a loaded or a
    // scheduled lr may be any finite number, negative too, and a step runs with it
    if (merged.lr !== undefined) checkNumber((m) => this.error(m), 'lr', merged.lr, 0, { above: this.positiveLr });
    this.grouped = isGroupList(params);
    const inputs: readonly ParamGroupInput[] = this.grouped ? (params as readonly ParamGroupInput[]) : [{ params: params as Params }];
    // every group is checked before any is made: a bad one changes nothing
    const taken = new Map<unknown, number>();
    const planned = inputs.map((input, g) => this.planGroup(input, g, taken));
    for (const p of planned) this.addGroup(p);
  }

  /**
   * Adds a group `{ params, ...options }` (PyTorch's add_param_group): its options override the
   * defaults; its parameters must not be in another group. A step compiled before steps other
   * parameters now: its next call is a CompileError (nothing changed); compile it again.
   */
  addParamGroup(group: ParamGroupInput): void {
    if (this.custom !== undefined) {
      this.custom.addGroup(group, true);
      this.grouped = true;
      jsState.version++;
      return;
    }
    const taken = new Map<unknown, number>();
    this.groups.forEach((g, i) => g.params.forEach((p) => taken.set(p.storage, i)));
    const planned = this.planGroup(group, this.groups.length, taken, true);
    this.grouped = true;
    this.addGroup(planned);
    jsState.version++;
  }

  /** Validates group `g` (its parameters not in `taken`, which it joins) and returns its parameters and hyperparameters. */
  private planGroup(input: unknown, g: number, taken: Map<unknown, number>, named = this.grouped): { params: Tensor[]; hyper: H } {
    const at = named ? `paramGroups[${g}]` : '';
    if (input === null || typeof input !== 'object' || Array.isArray(input) || input instanceof Tensor || !('params' in input))
      throw this.error(`${at} must be an object { params, ...options }, got ${fmtValue(input)}`);
    const { params: source, ...options } = input as ParamGroupInput;
    const params = paramList(`optim.${this.name}`, source, false, named ? `${at}.` : '');
    params.forEach((p, i) => {
      const where = `${named ? `${at}.` : ''}params[${i}]`;
      const other = taken.get(p.storage);
      if (other !== undefined) throw this.error(`some parameters appear in more than one parameter group: ${where} is also in paramGroups[${other}]`);
      if (p.dtype !== 'float32') throw this.error(`${where} is a ${p.dtype} tensor; only float32 tensors can be optimized`, DTypeError);
      if (!p.isLeaf)
        throw this.error(
          `${where} ${fmtShape(p.shape)} is not a leaf tensor (it was computed by '${p.node!.op.name}'); optimize the tensors it was computed from`,
        );
    });
    // A frozen parameter (requiresGrad false) is accepted as PyTorch does: it has no gradient, so
    // steps skip it until it is unfrozen; its block must not move meanwhile (the update records
    // keep addresses), which requiresGrad = true would otherwise have ensured.
    params.forEach((p) => {
      taken.set(p.storage, g);
      makePersistent(p.storage, `optim.${this.name}`);
    });
    const hyper: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(this.defaults)) {
      const v = (options as Record<string, unknown>)[k] !== undefined ? (options as Record<string, unknown>)[k] : d;
      if (v === undefined) throw this.error(named ? `${at} does not give ${k}, which has no default (it is required)` : `the option ${k} is required`);
      hyper[k] = freezePair(v as HyperValue); // frozen: a pair changes only by assignment, which writes memory
    }
    for (const k of Object.keys(options))
      if (!Object.hasOwn(this.defaults, k))
        throw this.error(`unknown option '${k}' in ${at} (the options are params, ${Object.keys(this.defaults).join(', ')})`);
    this.checkGroup(hyper as H, g, named);
    return { params, hyper: hyper as H };
  }

  /** Makes a checked group: its memory blocks, its live view and its parameters' places. */
  private addGroup({ params, hyper }: { params: Tensor[]; hyper: H }): void {
    const group: Group<H> = { params: Object.freeze(params), hyper, blocks: new Map(), words: this.words(hyper) };
    for (const p of params) this.blockOn(group, p.storage.backend);
    this.groups.push(group);
    (this.paramGroups as ParamGroup<H>[]).push(this.groupView(group));
    for (const p of params) {
      (this.params as Tensor[]).push(p);
      this.groupOf.push(group);
      this.states.push(undefined);
    }
  }

  /** Checks a group's hyperparameters; in the list form the messages name the group. */
  private checkGroup(h: H, g: number, named = this.grouped): void {
    this.label = named ? `paramGroups[${g}]: ` : '';
    try {
      // any finite lr, negative too (the constructor checks its options' lr ≥ 0, as torch)
      checkFinite((m) => this.error(m), 'lr', h.lr);
      this.checkHyper(h);
      checkBool((m) => this.error(m), 'maximize', h.maximize);
    } finally {
      this.label = '';
    }
  }

  /** The live view of a group: entries read its hyperparameters (from memory) and write through setHypers. */
  private groupView(group: Group<H>): ParamGroup<H> {
    const view = {} as ParamGroup<H>;
    // params is not enumerable: { ...group } and JSON.stringify(group) give the hyperparameters alone
    Object.defineProperty(view, 'params', { enumerable: false, value: group.params });
    for (const key of Object.keys(group.hyper))
      Object.defineProperty(view, key, {
        enumerable: true,
        get: () => this.sync(group)[key],
        set: (v: HyperValue) => this.setHypers([[group, { ...cloneHyper(this.sync(group)), [key]: freezePair(v) }]]),
      });
    return view;
  }

  /**
   * Validates every new hyperparameter set, then makes them the groups' (memory included). A change
   * of which kernels a step runs (SGD's momentum switched on or off) bumps jsState: compiled
   * functions re-run their JS.
   */
  private setHypers(changes: readonly (readonly [Group<H>, H])[]): void {
    if (sink.mode !== 'off') sink.slow(`optim.${this.name}: a hyperparameter is set inside the function`);
    for (const [group, h] of changes) this.checkGroup(h, this.groups.indexOf(group));
    const before = this.structure();
    for (const [group, h] of changes) {
      for (const [k, v] of Object.entries(h)) (group.hyper as Record<string, HyperValue>)[k] = freezePair(v);
      // A launch, not a direct write: inside wg.compile it takes its place in the program.
      const words = this.words(group.hyper);
      for (const block of group.blocks.values()) applyInto(op('hyperWrite'), block, [], { words });
      group.words = words;
    }
    if (this.structure() !== before) jsState.version++;
  }

  /**
   * @internal The hyperparameter blocks with the index of their group (an LR scheduler writes
   * their learning rate, src/optim/scheduler.ts).
   */
  hyperBlocks(): { group: number; block: Tensor }[] {
    if (this.custom !== undefined) return this.custom.lrBlocks();
    return this.groups.flatMap((g, group) => [...g.blocks.values()].map((block) => ({ group, block })));
  }

  /**
   * The group's hyperparameters brought up to date with memory: a scheduler's kernel may have
   * written another learning rate (OneCycleLR: also the momentum or β1) since JavaScript last set
   * it. A pair that memory changed becomes hi + lo (float64 to ~2⁻⁴⁸).
   */
  private sync(group: Group<H>): H {
    const block = group.blocks.values().next().value as Tensor;
    const now = block.storage.backend.read(block.storage.ptr, HYPER_WORDS, 'float32');
    const h = group.hyper as Record<string, HyperValue>;
    COEFFICIENT_KINDS[this.kind(group.hyper)].slots.forEach((slot, k) => {
      const [hi, lo] = [now[2 * k], now[2 * k + 1]];
      if (hi === group.words[2 * k] && lo === group.words[2 * k + 1]) return;
      if (!Object.hasOwn(PAIR_SLOTS, slot)) h[slot] = hi + lo;
      else {
        const [name, at] = PAIR_SLOTS[slot];
        const pair = [...(h[name] as readonly number[])];
        pair[at] = hi + lo;
        h[name] = freezePair(pair as [number, number]);
      }
    });
    group.words = Array.from(now);
    return group.hyper;
  }

  /** What a step runs: each group's kind of update and buffers (a change re-runs compiled functions' JS). */
  private structure(): string {
    return this.groups.map((g) => `${this.kind(g.hyper)}${g.hyper.maximize ? ' maximize' : ''} ${Object.keys(this.buffers(g.hyper)).join()}`).join('; ');
  }

  /** The group's hyperparameter block on `be` (made on first use), as (hi, lo) pairs in the kind's slot order. */
  private blockOn(group: Group<H>, be: Backend): Tensor {
    let block = group.blocks.get(be);
    if (block === undefined) {
      block = persistentLike(
        group.params.find((p) => p.storage.backend === be)!,
        [HYPER_WORDS],
        `optim.${this.name} hyperparameters`,
        0,
        this.words(group.hyper),
        true,
      );
      group.blocks.set(be, block);
    }
    return block;
  }

  /** A hyperparameter block's words: (hi, lo) pairs in the slot order of the kind. */
  private words(hyper: H): number[] {
    const h = hyper as Record<string, HyperValue>;
    const value = (slot: string) => (Object.hasOwn(PAIR_SLOTS, slot) ? (h[PAIR_SLOTS[slot][0]] as readonly number[])[PAIR_SLOTS[slot][1]] : Number(h[slot]));
    const words = new Array<number>(HYPER_WORDS).fill(0);
    COEFFICIENT_KINDS[this.kind(hyper)].slots.forEach((slot, k) => ([words[2 * k], words[2 * k + 1]] = hyperPair(value(slot))));
    return words;
  }

  /**
   * The learning rate of paramGroups[0]. Assigning sets every group's learning rate (PyTorch has
   * no optimizer.lr; this is `for g in param_groups: g['lr'] = x`).
   */
  get lr(): number {
    return this.custom !== undefined ? (this.paramGroups[0].lr as number) : this.sync(this.groups[0]).lr;
  }
  set lr(v: number) {
    this.setLrs(this.paramGroups.map(() => v));
  }

  /**
   * @internal Sets paramGroups[i].lr to lrs[i] for every group lrs covers, all validated before
   * any changes (the schedulers driven by JavaScript).
   */
  setLrs(lrs: readonly number[]): void {
    if (this.custom !== undefined) return this.custom.setLrs(lrs);
    this.setHypers(lrs.map((lr, i) => [this.groups[i], { ...cloneHyper(this.sync(this.groups[i])), lr }] as const));
  }

  /**
   * @internal Whether the groups have a momentum (SGD, RMSprop) or a β1 (the Adam family), which
   * OneCycleLR cycles (PyTorch: 'momentum' or 'betas' in the defaults).
   */
  get momentumName(): 'momentum' | 'betas' | null {
    // a subclass in torch's form: its keys mean what its step() makes of them (not cycled)
    if (this.custom !== undefined) return null;
    return Object.hasOwn(this.defaults, 'momentum') ? 'momentum' : Object.hasOwn(this.defaults, 'betas') ? 'betas' : null;
  }

  /** @internal Sets every group's momentum or β1 (momentumName) to ms[i], all validated before any changes. */
  setMomentums(ms: readonly number[]): void {
    this.setHypers(
      ms.map((m, i) => {
        const h = cloneHyper(this.sync(this.groups[i])) as Record<string, HyperValue>;
        if (this.momentumName === 'betas') h.betas = [m, (h.betas as readonly number[])[1]];
        else h.momentum = m;
        return [this.groups[i], h as H] as const;
      }),
    );
  }

  /** @internal The pair of group i's momentum or β1 in its hyperparameter block, or -1 (SGD without momentum). */
  momentumPair(i: number): number {
    return (COEFFICIENT_KINDS[this.kind(this.groups[i].hyper)].slots as readonly string[]).findIndex((s) => s === 'momentum' || s === 'beta1');
  }

  // ---- what each built-in optimizer defines (a subclass in torch's form defines step() instead) ----
  /* eslint-disable @typescript-eslint/no-unused-vars -- the hooks' signatures: only the built-ins define and call them */
  /** Throws (through this.error) on an invalid hyperparameter (lr aside: the base class checks it). */
  protected checkHyper(_h: H): void {
    throw builtInOnly(this.name, 'checkHyper');
  }
  /** The state buffers a parameter needs under hyperparameters h, with their initial value. */
  protected buffers(_h: H): Record<string, number> {
    throw builtInOnly(this.name, 'buffers');
  }
  /** Every buffer name this optimizer may keep (for loadStateDict). */
  protected readonly bufferNames: readonly string[] = [];
  /**
   * The names of per-parameter numbers kept in counter words 2 and 3 and in the state dict as 0-d
   * tensors, at most two (NAdam's mu_product; ASGD's eta and mu).
   */
  protected readonly counterStates: readonly string[] = [];
  /**
   * torch's SGD: its state is the momentum buffer alone (no `step`; the count still advances in
   * memory, unseen), and a loaded state without a buffer the hyperparameters use starts it at the
   * next step. The others keep `step` and need those buffers in a loaded state (torch: a KeyError).
   */
  protected readonly lazyState: boolean = false;
  /** Whether the options' lr must be > 0 rather than ≥ 0 (torch's SparseAdam); a getter: the base constructor reads it. */
  protected get positiveLr(): boolean {
    return false;
  }
  /** Their values in a new parameter state under hyperparameters h (without it: 1 each). */
  protected counterInitial?(h: H): number[];
  /** Which coefficients its updates read under hyperparameters h (src/ops/optim.ts). */
  protected kind(_h: H): CoefficientKind {
    throw builtInOnly(this.name, 'kind');
  }
  /** Runs the update kernel of one parameter (through this.run). */
  protected update(_p: Tensor, _g: Tensor, _buffers: Record<string, Tensor>, _h: H): void {
    throw builtInOnly(this.name, 'update');
  } /* eslint-enable @typescript-eslint/no-unused-vars */

  /** An error naming this optimizer (a ValueError unless another class is given) and the group being checked. */
  protected error(msg: string, Kind: ErrorClass = ValueError): WasmgradError {
    return new Kind(`optim.${this.name}`, this.label + msg);
  }

  /**
   * Runs `op` in place on [param, grad, state...] with the coefficients of the current update; `written`
   * are the indices it updates. The coefficients are computed (the step advanced) in the same launch.
   */
  protected run<A>(op: OpDef<A | null>, tensors: Tensor[], written: number[]): void {
    const st = this.current!;
    applyUpdate(op, tensors, null, written, [st.coefficients], st.prepared!.run);
  }

  /** The state of the parameter being updated. */
  private current: ParamState | null = null;

  // ---- the step ---------------------------------------------------------------------------------
  /**
   * One update of every parameter that has a gradient (the others are skipped, as in PyTorch).
   * Everything is validated before the first kernel runs, so a step that throws leaves the
   * parameters and the optimizer state as they were. With a closure (PyTorch's step(closure)),
   * calls it first (it zeroes the gradients, computes the loss and calls backward()), then updates
   * with the gradients it left, and returns what it returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    if (this.custom !== undefined)
      throw new ValueError(
        `optim.${this.name}.step`,
        'a subclass of wg.optim.Optimizer made with super(params, defaults) must define step() (torch.optim.Optimizer.step is abstract)',
      );
    if (closure !== undefined && typeof closure !== 'function')
      throw new ValueError(`optim.${this.name}.step`, `closure must be a function that computes the loss and calls backward(), got ${fmtValue(closure)}`);
    const loss = closure?.();
    this.groups.forEach((g, i) => this.checkGroup(g.hyper, i));
    // what each group's parameters run: their buffers (with initial values) and kind of update. The
    // hyperparameters as memory holds them: a state starts from the current lr (Rprop's step_size,
    // ASGD's eta), which a scheduler's kernel may have written.
    const plans = new Map(
      this.groups.map((g) => {
        const h = this.sync(g);
        return [g, { wanted: this.buffers(h), kind: this.kind(h), counters: this.counterInitial?.(h) ?? this.counterStates.map(() => 1) }];
      }),
    );
    // 1. validate
    const work: { i: number; p: Tensor; g: Tensor }[] = [];
    this.params.forEach((p, i) => {
      p.assertAlive(`optim.${this.name}.step`);
      const g = p.peekGrad();
      if (sink.mode !== 'off') sink.gradRead(p, g);
      if (g === null) return;
      if (!g.storage.alive) throw this.error(`the gradient of params[${i}] was freed (disposed); run backward() again`, RecycledTensorError);
      // (Its dtype and shape are the parameter's: the .grad setter refuses others, as PyTorch's.)
      if (g.storage.backend !== p.storage.backend)
        throw this.error(
          `the gradient of params[${i}] lives on the ${g.storage.backend.name} backend, the parameter on ${p.storage.backend.name}`,
          BackendError,
        );
      if (g.storage === p.storage) throw this.error(`the gradient of params[${i}] is the parameter itself`);
      for (const [name, t] of Object.entries(this.states[i]?.buffers ?? {}))
        if (!t.storage.alive) throw this.error(`state '${name}' of params[${i}] was freed (disposed); reload a state dict`, RecycledTensorError);
      work.push({ i, p, g });
    });
    // 2. make missing state, not yet committed (a failure here changes nothing)
    const fresh = work.map(({ i, p }) => {
      const group = this.groupOf[i];
      const { wanted, counters } = plans.get(group)!;
      const made = this.missingBuffers(i, wanted);
      const st = this.states[i] ?? this.newState(p, 0, counters);
      return { made, st, block: this.blockOn(group, p.storage.backend) };
    });
    // 3. commit and run: per parameter the coefficients (advancing the step in memory), then the update
    work.forEach(({ i, p, g }, k) => {
      const { made, st, block } = fresh[k];
      const group = this.groupOf[i],
        { kind } = plans.get(group)!;
      this.states[i] = st;
      Object.assign(st.buffers, made);
      // fresh = 1: the buffers start now (SGD begins its momentum buffer at the gradient itself)
      if (Object.keys(made).length > 0) st.counters.storage.backend.write(st.counters.storage.ptr + 1, [1], 'float32');
      if (st.prepared?.kind !== kind || st.prepared.block !== block)
        st.prepared = { kind, block, run: prepareInto(op('optimCoefficients'), st.coefficients, [block, st.counters], { kind }) };
      this.current = st;
      // maximize: PyTorch's update of −g. The gradient is negated in place around the update
      // (exact both ways, and launches like the update, so a compiled step replays them).
      const maximize = group.hyper.maximize;
      if (maximize) applyInto(op('neg'), g, [g]);
      try {
        this.update(p, g, st.buffers, group.hyper);
      } finally {
        this.current = null;
        if (maximize) applyInto(op('neg'), g, [g]);
      }
    });
    return loss;
  }

  /** New buffers (at their initial values) for those of `wanted` that parameter i's state does not have. */
  private missingBuffers(i: number, wanted: Record<string, number>): Record<string, Tensor> {
    const p = this.params[i];
    const made: Record<string, Tensor> = {};
    for (const [name, init] of Object.entries(wanted))
      if (this.states[i]?.buffers[name] === undefined) made[name] = persistentLike(p, p.shape, `optim.${this.name} ${name}`, init, undefined, true);
    return made;
  }

  /**
   * Gives every parameter without state its state now, at step 0 with the buffers' initial values
   * (torch's Adagrad makes its state in the constructor; the others at a parameter's first step).
   */
  protected makeStates(): void {
    this.params.forEach((p, i) => {
      if (this.states[i] !== undefined) return;
      const h = this.groupOf[i].hyper;
      const counters = this.counterInitial?.(h) ?? this.counterStates.map(() => 1);
      this.states[i] = { ...this.newState(p, 0, counters), buffers: this.missingBuffers(i, this.buffers(h)) };
    });
  }

  /** A parameter's state without buffers: counters [step, 0, scalar states (default 1)] and its coefficient block. */
  private newState(p: Tensor, step: number, scalars: readonly number[] = []): ParamState {
    return {
      counters: persistentLike(p, [COUNTER_WORDS], `optim.${this.name} step`, 0, newCounters(step, scalars), true),
      coefficients: persistentLike(p, [COEFFICIENT_WORDS], `optim.${this.name} coefficients`, 0, undefined, true),
      buffers: {},
    };
  }

  /** Clears the gradients: sets them to null (PyTorch's set_to_none), or fills them with zeros. */
  zeroGrad(setToNone: SetToNone = true): void {
    zeroGrads(`optim.${this.name}.zeroGrad`, this.params, setToNone);
  }

  // ---- checkpoints --------------------------------------------------------------------------------
  /**
   * The state, PyTorch-shaped. Buffers are the live state tensors (not copies, as in PyTorch);
   * `step` is a fresh 0-d float32 tensor. Parameters never stepped have no entry.
   */
  stateDict(): OptimizerStateDict<H> {
    if (this.custom !== undefined) return this.custom.stateDict() as OptimizerStateDict<H>;
    const state: Record<number, ParamStateDict> = {};
    this.params.forEach((_, i) => {
      const entry = this.stateEntry(i);
      if (entry !== undefined) state[i] = entry;
    });
    // PyTorch's numbering: the parameters group after group
    let next = 0;
    const paramGroups = this.groups.map((g) => ({ ...cloneHyper(this.sync(g)), params: g.params.map(() => next++) }));
    return { state, paramGroups };
  }

  /**
   * PyTorch's `optimizer.state`: a Map from each parameter that has state (it was stepped, or its
   * state loaded; the others are absent, as in torch) to that state under torch's names, as in
   * stateDict(): the buffers (`exp_avg`, `momentum_buffer`, …) are the live state tensors, while
   * `step` (and NAdam's `mu_product`, ASGD's `eta` and `mu`, which live in the counters' memory)
   * are fresh 0-d copies. A new Map at each read: to change the state, write a buffer in place or
   * go through loadStateDict.
   */
  get state(): Map<Tensor, ParamStateDict> {
    if (this.custom !== undefined) return this.custom.state as Map<Tensor, ParamStateDict>;
    const map = new Map<Tensor, ParamStateDict>();
    this.params.forEach((p, i) => {
      const entry = this.stateEntry(i);
      if (entry !== undefined) map.set(p, entry);
    });
    return map;
  }

  /** Parameter i's state under torch's names (stateDict's entry), or undefined before its first step. */
  private stateEntry(i: number): ParamStateDict | undefined {
    const st = this.states[i];
    if (st === undefined) return undefined;
    const [step, , ...scalars] = st.counters.rawValues();
    const entry: ParamStateDict = this.lazyState ? {} : { step: persistentLike(this.params[i], [], `optim.${this.name} step`, step) };
    this.counterStates.forEach((n, k) => (entry[n] = persistentLike(this.params[i], [], `optim.${this.name} ${n}`, scalars[k])));
    return Object.assign(entry, st.buffers);
  }

  /**
   * Restores a state dict made by stateDict() (of an optimizer of the same kind over parameters of
   * the same shapes), or one in torch's own format (TorchOptimizerStateDict). Values are copied onto
   * each parameter's backend. Everything is validated before anything changes: a state that does
   * not fit is a StateDictError naming the entry.
   */
  loadStateDict(sd: OptimizerStateDict | TorchOptimizerStateDict): void {
    this.planLoadStateDict(sd)();
  }

  /**
   * @internal loadStateDict in two phases: validates everything, returns the commit. `origin` names
   * the entries and picks the error classes (a checkpoint file reports its own keys).
   */
  planLoadStateDict(given: OptimizerStateDict | TorchOptimizerStateDict, origin: LoadOrigin = stateDictOrigin(`optim.${this.name}`)): () => void {
    const name = origin.name;
    const fail = (message: string, malformed = true) => origin.error(message, malformed);
    if (this.custom !== undefined) return this.custom.planLoad(given, fail, name);
    const sd =
      isRecord(given) && 'param_groups' in given && !('paramGroups' in given)
        ? fromTorchFormat(given as unknown as Record<string, unknown>)
        : (given as OptimizerStateDict);
    if (sd === null || typeof sd !== 'object')
      throw new ValueError(`optim.${this.name}`, `loadStateDict expects { state: {...}, paramGroups: [...] } as made by stateDict(), got ${fmtValue(sd)}`);
    if (sd.state === null || typeof sd.state !== 'object')
      throw fail(`${name({ field: 'state' })} must be an object of per-parameter state, got ${fmtValue(sd.state)}`);
    if (!Array.isArray(sd.paramGroups)) throw fail(`${name({ field: 'paramGroups' })} must be an array of parameter groups, got ${fmtValue(sd.paramGroups)}`);
    const count = this.groups.length;
    if (sd.paramGroups.length !== count)
      throw fail(`${name({ field: 'paramGroups' })}: expected ${count} parameter group${count === 1 ? '' : 's'}, got ${sd.paramGroups.length}`, false);
    // Each group's hyperparameters; its saved parameter indices map to ours in order (PyTorch's id_map).
    const hypers: H[] = [];
    const idMap = new Map<number, number>();
    let listed = true;
    let first = 0;
    sd.paramGroups.forEach((raw, g) => {
      const group = raw as unknown as Record<string, unknown>;
      const at = { field: `paramGroups[${g}]` };
      if (group === null || typeof group !== 'object' || Array.isArray(group))
        throw fail(`${name(at)} must be an object of hyperparameters, got ${fmtValue(group)}`);
      const mine = this.groups[g];
      const h: Record<string, unknown> = cloneHyper(this.sync(mine));
      for (const [k, v] of Object.entries(group)) {
        if (k === 'params') continue;
        if (!Object.hasOwn(mine.hyper, k)) throw fail(`unknown hyperparameter '${k}' in ${name(at)} (${this.name} has ${Object.keys(mine.hyper).join(', ')})`);
        h[k] = Array.isArray(v) ? [...v] : v;
      }
      try {
        this.checkGroup(h as H, g);
      } catch (e) {
        throw origin.invalid(e, at);
      }
      hypers.push(h as H);
      const params = group.params;
      if (params === undefined) listed = false;
      else {
        if (!Array.isArray(params) || !params.every((i) => Number.isInteger(i) && i >= 0))
          throw fail(`${name({ field: `paramGroups[${g}].params` })} must be an array of parameter indices, got ${fmtValue(params)}`);
        if (params.length !== mine.params.length)
          throw fail(
            `${name(at)}: the group has ${params.length} parameters, this optimizer has ${mine.params.length}${count === 1 ? '' : ' in that group'}`,
            false,
          );
        params.forEach((id: number, k) => {
          if (idMap.has(id)) throw fail(`${name({ field: `paramGroups[${g}].params` })}: parameter index ${id} is listed twice`);
          idMap.set(id, first + k);
        });
      }
      first += mine.params.length;
    });
    // per-parameter state
    const next: ({ step: number; scalars: number[]; buffers: Record<string, Tensor> } | undefined)[] = this.params.map(() => undefined);
    for (const [key, entry] of Object.entries(sd.state)) {
      if (!/^\d+$/.test(key)) throw fail(`${name({ field: 'state' })}: '${key}' is not a parameter index`);
      // Beyond the groups' own parameter lists (checked above to be as long as ours) the state is
      // inconsistent in itself; without lists it may just come from a larger model.
      const i = listed ? idMap.get(Number(key)) : Number(key);
      if (i === undefined || i >= this.params.length)
        throw fail(
          `${name({ param: key })} holds state for parameter index '${key}', but there are ${this.params.length} parameters${listed ? ' and no parameter group lists it' : ''}`,
          listed,
        );
      const required = this.lazyState ? [] : Object.keys(this.buffers(hypers[this.groups.indexOf(this.groupOf[i])]));
      if (entry === null || typeof entry !== 'object') throw fail(`${name({ param: key })} must be an object of tensors`);
      const p = this.params[i];
      // without step (SGD's state, or a file saved before it dropped its step): 0, which SGD does not read
      const step = this.lazyState && entry.step === undefined ? 0 : readStep(entry.step);
      if (step === null) throw fail(`${name({ param: key, entry: 'step' })} must be a non-negative integer (a number or one-element tensor)`);
      for (const n of required) if (!(n in entry)) throw fail(`${name({ param: key })} has no '${n}' (needed by these hyperparameters)`);
      const scalars = this.counterStates.map((n) => {
        if (!(n in entry)) throw fail(`${name({ param: key })} has no '${n}'`);
        const v = readScalar(entry[n]);
        if (v === null) throw fail(`${name({ param: key, entry: n })} must be a finite number (a number or one-element tensor)`);
        return v;
      });
      const buffers: Record<string, Tensor> = {};
      for (const [n, saved] of Object.entries(entry)) {
        if (n === 'step' || this.counterStates.includes(n)) continue;
        const where = name({ param: key, entry: n });
        if (!this.bufferNames.includes(n)) throw fail(`unknown state '${n}' in ${name({ param: key })} (${this.name} keeps ${this.bufferNames.join(', ')})`);
        const t = listAsTensor(saved, where, fail);
        if (!(t instanceof Tensor)) throw fail(`${where} is not a Tensor (got ${fmtValue(t)})`);
        if (!t.storage.alive) throw fail(`${where} was freed`);
        // float32 is the only dtype of optimizer state: another one is a malformed state; a shape
        // other than the parameter's means the state belongs to another model.
        if (t.dtype !== 'float32' || !sameShape(t.shape, p.shape))
          throw fail(`${where} is ${t.dtype} ${fmtShape(t.shape)}, parameter ${i} needs float32 ${fmtShape(p.shape)}`, t.dtype !== 'float32');
        buffers[n] = t;
      }
      next[i] = { step, scalars, buffers };
    }
    // Values go into the state already in memory (a compiled step's records point there), else
    // into blocks made now: the commit allocates nothing, so it cannot fail (out of memory) after
    // another part of a checkpoint was committed.
    const writes: [Tensor, Float32Array | Float64Array | Int32Array][] = [];
    const states = next.map((entry, i) => {
      if (entry === undefined) return undefined;
      const p = this.params[i];
      const old = this.states[i];
      const st: ParamState = old !== undefined ? { ...old, buffers: {} } : this.newState(p, 0);
      writes.push([st.counters, Float32Array.from(newCounters(entry.step, entry.scalars))]);
      for (const [n, t] of Object.entries(entry.buffers)) {
        const values = t.rawValues();
        const mine = old?.buffers[n];
        if (mine !== undefined && mine.storage.alive) {
          st.buffers[n] = mine;
          writes.push([mine, values]);
        } else st.buffers[n] = persistentLike(p, t.shape, `optim.${this.name} ${n}`, 0, values, true);
      }
      return st;
    });
    return () => {
      for (const [t, values] of writes) t.storage.backend.write(t.storage.ptr, values, 'float32');
      // State that is not where a compiled step's records point makes compiled functions re-run their JS.
      if (states.some((st, i) => !sameBuffers(st, this.states[i]))) jsState.version++;
      this.states = states;
      this.setHypers(this.groups.map((g, k) => [g, hypers[k]] as const));
    };
  }
}

/** torch's positional form of an optimizer's hyperparameters after the params: `SGD(params, 0.1, 0.9)`. */
export type TorchHyperArgs = [lr: number, ...more: unknown[]];

/** torch's positional order of the Adam family's first hyperparameters (Adamax's and RAdam's all of them). */
export const BETAS_ORDER = ['lr', 'betas', 'eps', 'weightDecay'] as const;

/**
 * An optimizer's options object from its constructor's arguments after the params: ours (one
 * object, or none) or torch's positional form, the hyperparameters in torch's order `order`
 * (`new SGD(params, 0.1, 0.9)` is momentum 0.9), as src/api/keywords.ts reads them.
 */
export function torchHyper(name: string, args: readonly unknown[], order: readonly string[]): object | undefined {
  return torchArgs(`optim.${name}`, args, { inputs: 0, positional: [], options: order })[0] as object | undefined;
}

/**
 * An optimizer state dict in torch's own format, as `json.dumps` of torch's `opt.state_dict()` with
 * its tensors as nested lists (`.tolist()`): `param_groups` with snake_case options, buffers (and
 * `step`) as nested lists, numbers or tensors.
 */
export interface TorchOptimizerStateDict {
  state: Record<string, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

/** torch's param_groups keys with no wasmgrad option: implementation switches that leave an update's values alone, and a scheduler's initial_lr (ours keep their base lrs themselves). */
const TORCH_ONLY = new Set(['foreach', 'differentiable', 'capturable', 'fused', 'initial_lr']);

/**
 * torch's format as ours: options camelCased (weight_decay → weightDecay) without TORCH_ONLY,
 * null buffers (SGD's momentum_buffer without momentum) dropped, and a missing step 0 (torch's SGD counts none; ours does not use it). The
 * rest is validated as our own format (nested lists read as tensors there, listAsTensor).
 */
function fromTorchFormat(sd: Record<string, unknown>): OptimizerStateDict {
  const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const paramGroups = Array.isArray(sd.param_groups)
    ? sd.param_groups.map((g: unknown) =>
        isRecord(g) ? Object.fromEntries(Object.entries(g).flatMap(([k, v]) => (TORCH_ONLY.has(k) ? [] : [[camel(k), v]]))) : g,
      )
    : sd.param_groups;
  const entry = (e: unknown) => (isRecord(e) ? Object.fromEntries([['step', 0], ...Object.entries(e).filter(([, v]) => v !== null)]) : e);
  const state = isRecord(sd.state) ? Object.fromEntries(Object.entries(sd.state).map(([i, e]) => [i, entry(e)])) : sd.state;
  return { state, paramGroups } as OptimizerStateDict;
}

/**
 * A buffer saved as JSON (JSON.stringify of a state dict, ours or torch's: Tensor.toJSON gives
 * nested lists, a 0-d one a number) as a float32 tensor; anything else as it is.
 */
function listAsTensor(v: unknown, at: string, fail: (message: string) => WasmgradError): unknown {
  if (typeof v !== 'number' && !Array.isArray(v)) return v;
  try {
    return tensor(v as NestedArray);
  } catch (e) {
    throw fail(`${at} is not a tensor's nested list: ${detailOf(e)}`);
  }
}

/** A parameter's counter words: [step, fresh 0, its scalar states, 1 for the words it does not use]. */
function newCounters(step: number, scalars: readonly number[]): number[] {
  return [step, 0, ...scalars, ...new Array<number>(COUNTER_WORDS - 2 - scalars.length).fill(1)];
}

/** Whether two states hold the very same buffer tensors (or both none). */
function sameBuffers(a: ParamState | undefined, b: ParamState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const names = Object.keys(a.buffers);
  return names.length === Object.keys(b.buffers).length && names.every((n) => a.buffers[n] === b.buffers[n]);
}

function cloneHyper<H extends Hyper>(h: H): H {
  const c: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(h)) c[k] = Array.isArray(v) ? ([...v] as [number, number]) : v;
  return c as H;
}

/** A state dict's number: a number or a live one-element tensor, else null. */
function readScalar(s: unknown): number | null {
  if (typeof s === 'number') return Number.isFinite(s) ? s : null;
  if (s instanceof Tensor && s.storage.alive && s.size === 1) {
    const v = s.rawValues()[0];
    return Number.isFinite(v) ? v : null;
  }
  return null;
}

function readStep(s: unknown): number | null {
  const v = readScalar(s);
  return v !== null && Number.isInteger(v) && v >= 0 ? v : null;
}

// ---- option parsing and validation helpers ------------------------------------------------------
/** Checks that hyperparameter `key` is a finite number ≥ lo (> lo with `above`; < `below` or ≤ `max` when given). */
export function checkNumber(
  err: (m: string) => WasmgradError,
  key: string,
  v: unknown,
  lo: number,
  opts: { below?: number; max?: number; above?: boolean } = {},
): void {
  const range = opts.below !== undefined ? `in [${lo}, ${opts.below})` : opts.max !== undefined ? `in [${lo}, ${opts.max}]` : `${opts.above ? '>' : '≥'} ${lo}`;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.above ? v > lo : v >= lo) &&
    (opts.below === undefined || v < opts.below) &&
    (opts.max === undefined || v <= opts.max);
  if (!ok) throw err(`${key} must be a finite number ${range}, got ${fmtValue(v)}`);
}

/** Checks that hyperparameter `key` is a pair of numbers (the two are checked by the caller); `names` describes it, e.g. '[beta1, beta2]'. */
export function checkPair(err: (m: string) => WasmgradError, key: string, v: unknown, names: string): void {
  if (!Array.isArray(v) || v.length !== 2) throw err(`${key} must be a pair ${names}, got ${fmtValue(v)}`);
}

export function checkFinite(err: (m: string) => WasmgradError, key: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw err(`${key} must be a finite number, got ${fmtValue(v)}`);
}

export function checkBool(err: (m: string) => WasmgradError, key: string, v: unknown): void {
  if (typeof v !== 'boolean') throw err(`${key} must be true or false, got ${fmtValue(v)}`);
}

/** A built-in optimizer's hook called on a subclass that did not define it (a bug of that subclass). */
function builtInOnly(name: string, hook: string): ValueError {
  return new ValueError(
    `optim.${name}`,
    `${hook}() is defined by the built-in optimizers only; a subclass in torch's form (super(params, defaults)) defines step()`,
  );
}

// ---- torch's subclassing form ---------------------------------------------------------------------

/**
 * torch's `optimizer.state` (a defaultdict(dict)) for a subclass in torch's form: `get(p)` of a
 * parameter of the optimizer gives its state object, a fresh `{}` stored at the first access; the
 * Map's other methods are as a Map's (`has(p)` is false before that first access).
 */
export class OptimizerState extends Map<Tensor, Record<string, unknown>> {
  /** @internal */
  constructor(
    private readonly where: string,
    private readonly params: readonly Tensor[],
  ) {
    super();
  }

  override get(p: Tensor): Record<string, unknown> {
    let s = super.get(p);
    if (s === undefined) {
      if (!this.params.includes(p)) throw new ValueError(this.where, `state.get(p): p (${fmtValue(p)}) is not a parameter of this optimizer`);
      s = {};
      this.set(p, s);
    }
    return s;
  }
}

/** A group of a subclass in torch's form: its keys, and its lr's block (a scheduler writes it) when the lr is a number. */
interface CustomGroup {
  readonly values: Record<string, unknown>;
  readonly block: Tensor | null;
  /** The block's lr words last written from JavaScript (values.lr is exact while memory still holds them). */
  words: number[];
}

/**
 * The groups and state of a subclass in torch's form. Each group is a Proxy over its plain values
 * (`params` a non-enumerable frozen array, as the built-ins'): inside wg.compile a read of any
 * other key is JavaScript that a replay cannot follow (the step bakes the value into its kernels),
 * so it makes the compiled function re-run its JavaScript every call (sink.slow), and an lr changed
 * between calls (by hand or by a scheduler) is the one the next call uses. A group whose lr is a
 * number keeps it also in a hyperparameter block (as the built-ins', words 0 and 1: hi, lo) which
 * the LR schedulers' kernels read and write.
 */
class CustomParts {
  readonly defaults: Record<string, unknown>;
  readonly state: OptimizerState;
  private readonly groups: CustomGroup[] = [];

  constructor(
    private readonly name: string,
    input: OptimizerParams,
    defaults: unknown,
    /** The optimizer's params and paramGroups, which this fills. */
    private readonly params: Tensor[],
    private readonly views: unknown[],
  ) {
    if (!isRecord(defaults) || defaults instanceof Tensor)
      throw new ValueError(
        `optim.${name}`,
        `super(params, defaults): defaults must be an object of hyperparameters, e.g. { lr: 0.01 }, got ${fmtValue(defaults)}`,
      );
    this.defaults = deepCopy(defaults) as Record<string, unknown>;
    this.state = new OptimizerState(`optim.${name}`, params);
    const grouped = isGroupList(input);
    const inputs: readonly unknown[] = grouped ? (input as readonly ParamGroupInput[]) : [{ params: input }];
    inputs.forEach((g) => this.addGroup(g, grouped));
  }

  /** torch's add_param_group: the group's keys over the defaults (a group may add keys of its own). */
  addGroup(input: unknown, named: boolean): void {
    const g = this.groups.length;
    const at = named ? `paramGroups[${g}]` : '';
    const fail = (m: string) => new ValueError(`optim.${this.name}`, m);
    if (!isRecord(input) || input instanceof Tensor || !('params' in input))
      throw fail(`${at} must be an object { params, ...options }, got ${fmtValue(input)}`);
    const { params: source, ...options } = input as ParamGroupInput;
    const params = paramList(`optim.${this.name}`, source as Params, false, named ? `${at}.` : '');
    params.forEach((p, i) => {
      const where = `${named ? `${at}.` : ''}params[${i}]`;
      if (this.params.includes(p)) throw fail(`some parameters appear in more than one parameter group: ${where} is already in this optimizer`);
      if (!p.isLeaf) throw fail(`${where} ${fmtShape(p.shape)} is not a leaf tensor; optimize the tensors it was computed from`);
    });
    // torch's setdefault: the group's own keys first, in its order, then the defaults it lacks
    const values = deepCopy(options) as Record<string, unknown>;
    for (const [k, d] of Object.entries(this.defaults)) if (values[k] === undefined) values[k] = deepCopy(d);
    if (values.lr !== undefined && typeof values.lr !== 'number') throw fail(`${at ? `${at}: ` : ''}lr must be a number, got ${fmtValue(values.lr)}`);
    Object.defineProperty(values, 'params', { enumerable: false, value: Object.freeze(params) });
    const words = typeof values.lr === 'number' ? lrWords(values.lr) : [];
    const block = typeof values.lr === 'number' ? persistentLike(params[0], [HYPER_WORDS], `optim.${this.name} lr`, 0, words, true) : null;
    const group: CustomGroup = { values, block, words };
    this.groups.push(group);
    this.params.push(...params);
    this.views.push(this.view(group, g));
  }

  /** The live group: reads inside wg.compile make the function re-run its JavaScript; lr goes through the block. */
  private view(group: CustomGroup, g: number): Record<string, unknown> {
    return new Proxy(group.values, {
      get: (target, key, receiver) => {
        if (typeof key !== 'string' || key === 'params') return Reflect.get(target, key, receiver);
        if (sink.mode !== 'off') sink.slow(`optim.${this.name}: step() reads paramGroups[${g}].${key} in JavaScript`);
        return key === 'lr' && group.block !== null ? this.readLr(group) : Reflect.get(target, key, receiver);
      },
      set: (target, key, v, receiver) => {
        if (key === 'params') throw new ValueError(`optim.${this.name}`, `paramGroups[${g}].params cannot be replaced`);
        if (key === 'lr' && group.block !== null) this.writeLr(group, g, v);
        return Reflect.set(target, key, v, receiver);
      },
    });
  }

  /** The group's lr, brought up to date with its block (a scheduler's kernel may have written it; then hi + lo). */
  private readLr(group: CustomGroup): number {
    const block = group.block!;
    const [hi, lo] = block.storage.backend.read(block.storage.ptr, 2, 'float32');
    if (hi !== group.words[0] || lo !== group.words[1]) {
      group.values.lr = hi + lo;
      group.words = [hi, lo];
    }
    return group.values.lr as number;
  }

  /** Writes the lr into the group's block: a launch, so inside wg.compile it takes its place in the program. */
  private writeLr(group: CustomGroup, g: number, v: unknown): void {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ValueError(`optim.${this.name}`, `paramGroups[${g}].lr must be a finite number (LR schedulers read it), got ${fmtValue(v)}`);
    if (sink.mode !== 'off') sink.slow(`optim.${this.name}: paramGroups[${g}].lr is set inside the function`);
    const words = lrWords(v);
    applyInto(op('hyperWrite'), group.block!, [], { words });
    group.words = words;
  }

  /** The blocks a scheduler drives; every group needs a number lr. */
  lrBlocks(): { group: number; block: Tensor }[] {
    return this.groups.map(({ block }, group) => {
      if (block === null) throw new ValueError(`optim.${this.name}`, `an LR scheduler needs a number lr in every group; paramGroups[${group}] has none`);
      return { group, block };
    });
  }

  setLrs(lrs: readonly number[]): void {
    lrs.forEach((lr, i) => this.writeLr(this.groups[i], i, lr));
    lrs.forEach((lr, i) => (this.groups[i].values.lr = lr));
  }

  /** torch's state_dict: the state objects as they are (live tensors), each group's keys with its parameters' indices. */
  stateDict(): { state: Record<number, unknown>; paramGroups: Record<string, unknown>[] } {
    const state: Record<number, unknown> = {};
    for (const [p, s] of this.state) state[this.params.indexOf(p)] = s;
    let next = 0;
    const paramGroups = this.views.map((view, g) => ({
      ...(view as Record<string, unknown>),
      params: (this.groups[g].values.params as readonly Tensor[]).map(() => next++),
    }));
    return { state, paramGroups };
  }

  /**
   * torch's load_state_dict: the groups must match in number and sizes; each group takes the saved
   * keys (its params stay), each parameter a copy of its saved state (tensors copied onto the
   * parameter's backend, float32 as the parameter's dtype; arrays and objects copied). Everything
   * is checked before anything changes.
   */
  planLoad(sd: unknown, fail: (m: string, malformed?: boolean) => WasmgradError, name: LoadOrigin['name']): () => void {
    if (!isRecord(sd)) throw new ValueError(`optim.${this.name}`, `loadStateDict expects { state, paramGroups } as made by stateDict(), got ${fmtValue(sd)}`);
    const given = sd as Record<string, unknown>;
    const groups = given.paramGroups ?? given.param_groups;
    if (!isRecord(given.state)) throw fail(`${name({ field: 'state' })} must be an object of per-parameter state, got ${fmtValue(given.state)}`);
    if (!Array.isArray(groups)) throw fail(`${name({ field: 'paramGroups' })} must be an array of parameter groups, got ${fmtValue(groups)}`);
    if (groups.length !== this.groups.length)
      throw fail(`${name({ field: 'paramGroups' })}: expected ${this.groups.length} parameter groups, got ${groups.length}`, false);
    const idMap = new Map<string, Tensor>();
    let first = 0;
    const values = groups.map((raw: unknown, g) => {
      const at = { field: `paramGroups[${g}]` };
      const mine = this.groups[g].values.params as readonly Tensor[];
      const saved = raw as Record<string, unknown>;
      if (!isRecord(raw) || !Array.isArray(saved.params)) throw fail(`${name(at)} must be an object { params: [indices], ... }, got ${fmtValue(raw)}`);
      const ids = saved.params as unknown[];
      if (ids.length !== mine.length) throw fail(`${name(at)}: the group has ${ids.length} parameters, this optimizer's has ${mine.length}`, false);
      ids.forEach((id, k) => idMap.set(String(id), this.params[first + k]));
      first += mine.length;
      const keys = Object.fromEntries(Object.entries(saved).filter(([k]) => k !== 'params'));
      if (this.groups[g].block !== null && (typeof keys.lr !== 'number' || !Number.isFinite(keys.lr)))
        throw fail(`${name(at)}.lr must be a finite number, got ${fmtValue(keys.lr)}`);
      return deepCopy(keys) as Record<string, unknown>;
    });
    const states = Object.entries(given.state as Record<string, unknown>).map(([key, entry]) => {
      const p = idMap.get(key);
      if (p === undefined) throw fail(`${name({ param: key })} holds state for parameter index '${key}', which no parameter group lists`);
      if (!isRecord(entry)) throw fail(`${name({ param: key })} must be an object, got ${fmtValue(entry)}`);
      for (const [n, v] of Object.entries(entry)) if (v instanceof Tensor && !v.storage.alive) throw fail(`${name({ param: key, entry: n })} was freed`);
      return [p, deepCopy(entry, p) as Record<string, unknown>] as const;
    });
    return () => {
      this.state.clear();
      for (const [p, s] of states) this.state.set(p, s);
      values.forEach((keys, g) => {
        const group = this.groups[g];
        for (const k of Object.keys(group.values)) if (!Object.hasOwn(keys, k)) delete group.values[k];
        if (group.block !== null) this.writeLr(group, g, keys.lr);
        Object.assign(group.values, keys);
      });
    };
  }
}

/** A block's lr words: the (hi, lo) pair of lr, zeros after it. */
function lrWords(lr: number): number[] {
  const words = new Array<number>(HYPER_WORDS).fill(0);
  [words[0], words[1]] = hyperPair(lr);
  return words;
}

/**
 * A copy of a JSON-like value, as torch's deepcopy: arrays and plain objects copied, tensors copied
 * into persistent blocks (on `like`'s backend when given, as torch's cast to the parameter's device).
 */
function deepCopy(v: unknown, like?: Tensor): unknown {
  if (v instanceof Tensor) {
    v.assertAlive('optim.loadStateDict');
    const to = like ?? v;
    const s = allocPersistent(to.storage.backend, v.size, 'optim state', true);
    to.storage.backend.write(s.ptr, v.rawValues(), v.dtype);
    return new Tensor(v.shape, v.dtype, s, false);
  }
  if (Array.isArray(v)) return v.map((x) => deepCopy(x, like));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x, like)]));
  return v;
}
