/**
 * PyTorch's lazy modules (nn.LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*,
 * LazyInstanceNorm*): the input size is left out and taken from the first input (in_features,
 * in_channels, num_features); then the module becomes the ordinary one, in place.
 */
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type --
   each `interface LazyX extends X {}` types a lazy module as the ordinary one it becomes at its first
   forward (PyTorch's cls_to_become); until then it has X's fields (size 0), not X's other methods. */
import { checkTensor } from '../engine/check.js';
import { makePersistent } from '../engine/memory.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { CompileError, ShapeError } from '../errors.js';
import { withoutDraws } from '../random.js';
import { zeros } from '../api/creation.js';
import { fmtShape } from '../ops/types.js';
import { Conv2d, Conv3d, Linear, type Conv2dModuleOptions, type Conv3dModuleOptions } from './layers.js';
import {
  Conv1d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type Conv1dModuleOptions,
  type ConvTranspose1dModuleOptions,
  type ConvTranspose2dModuleOptions,
  type ConvTranspose3dModuleOptions,
} from './conv-modules.js';
import {
  BatchNorm1d,
  BatchNorm2d,
  BatchNorm3d,
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNorm3d,
  type BatchNormOptions,
  type InstanceNormOptions,
} from './norm.js';
import type { Size3 } from '../ops/window.js';
import { Module, type AnyModule, type Forward } from './module.js';

/** An empty stand-in (PyTorch's UninitializedParameter / UninitializedBuffer) with t's dtype and requiresGrad. */
function placeholder(fn: string, t: Tensor): Tensor {
  const p = zeros([0], { dtype: t.dtype, requiresGrad: t.requiresGrad });
  makePersistent(p.storage, fn);
  return p;
}

/** Registered tensors of m itself, parameters then buffers, by name. */
const ownTensors = (m: AnyModule) => [...m.namedParameters('', false), ...m.namedBuffers('', false)];

/** How a lazy module is sized. */
interface Sizing {
  /** The ordinary module for an input size. */
  build: (size: number) => AnyModule;
  /** The size the smallest valid module has (the probe's). */
  probe: number;
  /** The field the size goes to (inFeatures, inChannels, numFeatures): 0 until known, as PyTorch. */
  field: string;
  /** The input size, from the first input (with PyTorch's checks of it). */
  infer: (x: Tensor) => number;
  /** The input size a state-dict entry implies, or null when it does not say. */
  loaded: (name: string, shape: readonly number[]) => number | null;
}
/** A module's sizing until it is sized, and the ordinary module's prototype (its printing until then, its class after). */
type Pending = Sizing & { becomes: AnyModule };
/** Kept beside a module until it is sized, not on it: then it has the ordinary module's fields only. */
const pending = new WeakMap<AnyModule, Pending>();

/**
 * A module whose input size comes from its first input. It registers an empty stand-in under each
 * name the ordinary module registers (learnt from a probe built at the smallest size, which also
 * checks the options with the ordinary module's rules), so `parameters()` can go to an optimizer
 * before the first forward, as in PyTorch. The first forward builds the ordinary module for the
 * size (drawing its initial values as its constructor does, PyTorch's reset_parameters), each
 * stand-in takes the block and shape of its counterpart in place (the optimizer's tensors are the
 * trained ones), the fields are copied, and the object's class becomes the ordinary one.
 */
abstract class LazyModule<F extends Forward> extends Module<F> {
  protected constructor(sizing: Sizing) {
    super();
    const probe = withoutDraws(() => sizing.build(sizing.probe));
    pending.set(this, { ...sizing, becomes: Object.getPrototypeOf(probe) as AnyModule });
    const stand = new Map<Tensor, Tensor>();
    const fn = `nn.${this.constructor.name}`;
    for (const [name, t] of probe.namedParameters('', false)) stand.set(t, this.registerParameter(name, placeholder(fn, t)));
    for (const [name, t] of probe.namedBuffers('', false)) stand.set(t, this.registerBuffer(name, placeholder(fn, t)));
    this.copyFields(probe, stand);
    Object.defineProperty(this, sizing.field, { value: 0, writable: true, enumerable: true, configurable: true });
  }

  /** Whether the size is still to come (PyTorch's has_uninitialized_params). */
  hasUninitializedParams(): boolean {
    return pending.has(this);
  }

  forward(...args: Parameters<F>): ReturnType<F> {
    const p = pending.get(this);
    if (p !== undefined) {
      const fn = `nn.${this.constructor.name}`;
      if (sink.mode !== 'off')
        throw new CompileError(
          'compile',
          `${fn} takes its size from its first input: run one forward outside wg.compile first (a dry run, as PyTorch advises)`,
        );
      checkTensor(fn, 'input', args[0]);
      this.materialize(p, p.infer(args[0] as Tensor), false);
    }
    // the ordinary class's forward (an instance-level forward, from hooks, calls this one)
    return (Object.getPrototypeOf(this) as Module<F>).forward.apply(this, args);
  }

  /** The ordinary module's printing, with size 0 (PyTorch's `LazyLinear(in_features=0, …)`). */
  override extraRepr(): string {
    return pending.get(this)!.becomes.extraRepr.call(this);
  }

  /** @internal Loading a state dict into a lazy module sizes it from the loaded tensors, as PyTorch (no values drawn). */
  materializeForLoad(got: ReadonlyMap<string, unknown>, prefix: string): void {
    const p = pending.get(this);
    if (p === undefined) return;
    for (const [name] of ownTensors(this)) {
      const t = got.get(prefix + name);
      const size = t instanceof Tensor ? p.loaded(name, t.shape) : null;
      if (size !== null && size > 0) return this.materialize(p, size, true);
    }
  }

  private materialize(p: Pending, size: number, loading: boolean): void {
    const real = loading ? withoutDraws(() => p.build(size)) : p.build(size);
    const mine = new Map(ownTensors(this));
    const stand = new Map<Tensor, Tensor>();
    for (const [name, t] of ownTensors(real)) {
      const s = mine.get(name)!;
      s.adopt(t);
      stand.set(t, s);
    }
    pending.delete(this);
    this.copyFields(real, stand);
    Object.setPrototypeOf(this, p.becomes);
  }

  /** src's own fields (not Module's registries, not `training`), its tensors replaced by this module's stand-ins. */
  private copyFields(src: AnyModule, stand: ReadonlyMap<Tensor, Tensor>): void {
    for (const [k, v] of Object.entries(src)) {
      if (k.startsWith('_') || k === 'training') continue;
      const value = v instanceof Tensor ? (stand.get(v) ?? v) : v;
      Object.defineProperty(this, k, { value, writable: true, enumerable: true, configurable: true });
    }
  }
}

/** nn.LazyLinear(outFeatures, {bias}): nn.Linear with inFeatures = the last dim of the first input. */
export class LazyLinear extends LazyModule<(x: Tensor) => Tensor> {
  constructor(outFeatures: number, opts: { bias?: boolean } = {}) {
    super({
      build: (n) => new Linear(n, outFeatures, opts),
      probe: 1,
      field: 'inFeatures',
      infer: (x) => {
        if (x.ndim < 1) throw new ShapeError('nn.LazyLinear', `expected an input with a last dim (in_features), got shape ${fmtShape(x.shape)}`);
        return x.shape[x.ndim - 1];
      },
      loaded: (name, shape) => (name === 'weight' && shape.length === 2 ? shape[1] : null),
    });
  }
}
export interface LazyLinear extends Linear {}

/**
 * A lazy convolution's sizing: inChannels from the first input's channel dim (dim 1, or 0
 * unbatched); from a loaded weight [outC, inC/groups, *k], or [inC, outC/groups, *k] transposed.
 */
function convSizing(name: string, build: (n: number) => AnyModule, spatial: number, opts: { groups?: number }, transposed: boolean): Sizing {
  const groups = typeof opts.groups === 'number' && opts.groups > 0 ? opts.groups : 1;
  return {
    build,
    probe: groups,
    field: 'inChannels',
    infer: (x) => {
      if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2)
        throw new ShapeError(
          `nn.${name}`,
          `expected ${spatial + 1}D (unbatched) or ${spatial + 2}D (batched) input to ${name}, but got input of size: ${fmtShape(x.shape)}`,
        );
      return x.shape[x.ndim === spatial + 2 ? 1 : 0];
    },
    loaded: (key, shape) => (key !== 'weight' || shape.length !== spatial + 2 ? null : transposed ? shape[0] : shape[1] * groups),
  };
}

/** nn.LazyConv1d(outChannels, kernelSize, opts): nn.Conv1d with inChannels from the first input. */
export class LazyConv1d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(outChannels: number, kernelSize: number, opts: Conv1dModuleOptions = {}) {
    super(convSizing('LazyConv1d', (n) => new Conv1d(n, outChannels, kernelSize, opts), 1, opts, false));
  }
}
export interface LazyConv1d extends Conv1d {}
/** nn.LazyConv2d(outChannels, kernelSize, opts): nn.Conv2d with inChannels from the first input. */
export class LazyConv2d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(outChannels: number, kernelSize: number | [number, number], opts: Conv2dModuleOptions = {}) {
    super(convSizing('LazyConv2d', (n) => new Conv2d(n, outChannels, kernelSize, opts), 2, opts, false));
  }
}
export interface LazyConv2d extends Conv2d {}
/** nn.LazyConv3d(outChannels, kernelSize, opts): nn.Conv3d with inChannels from the first input. */
export class LazyConv3d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(outChannels: number, kernelSize: Size3, opts: Conv3dModuleOptions = {}) {
    super(convSizing('LazyConv3d', (n) => new Conv3d(n, outChannels, kernelSize, opts), 3, opts, false));
  }
}
export interface LazyConv3d extends Conv3d {}
/** nn.LazyConvTranspose1d(outChannels, kernelSize, opts): nn.ConvTranspose1d with inChannels from the first input. */
export class LazyConvTranspose1d extends LazyModule<(x: Tensor, outputSize?: readonly number[] | null) => Tensor> {
  constructor(outChannels: number, kernelSize: number | [number], opts: ConvTranspose1dModuleOptions = {}) {
    super(convSizing('LazyConvTranspose1d', (n) => new ConvTranspose1d(n, outChannels, kernelSize, opts), 1, opts, true));
  }
}
export interface LazyConvTranspose1d extends ConvTranspose1d {}
/** nn.LazyConvTranspose2d(outChannels, kernelSize, opts): nn.ConvTranspose2d with inChannels from the first input. */
export class LazyConvTranspose2d extends LazyModule<(x: Tensor, outputSize?: readonly number[] | null) => Tensor> {
  constructor(outChannels: number, kernelSize: number | [number, number], opts: ConvTranspose2dModuleOptions = {}) {
    super(convSizing('LazyConvTranspose2d', (n) => new ConvTranspose2d(n, outChannels, kernelSize, opts), 2, opts, true));
  }
}
export interface LazyConvTranspose2d extends ConvTranspose2d {}
/** nn.LazyConvTranspose3d(outChannels, kernelSize, opts): nn.ConvTranspose3d with inChannels from the first input. */
export class LazyConvTranspose3d extends LazyModule<(x: Tensor, outputSize?: readonly number[] | null) => Tensor> {
  constructor(outChannels: number, kernelSize: Size3, opts: ConvTranspose3dModuleOptions = {}) {
    super(convSizing('LazyConvTranspose3d', (n) => new ConvTranspose3d(n, outChannels, kernelSize, opts), 3, opts, true));
  }
}
export interface LazyConvTranspose3d extends ConvTranspose3d {}

/**
 * A lazy norm's sizing: numFeatures = the first input's dim 1 (PyTorch's rule, for unbatched
 * instance-norm inputs too), or a loaded 1-D entry's length.
 */
function normSizing(name: string, build: (n: number) => AnyModule): Sizing {
  return {
    build,
    probe: 1,
    field: 'numFeatures',
    infer: (x) => {
      if (x.ndim < 2) throw new ShapeError(`nn.${name}`, `expected an input with a dim 1 (num_features), got shape ${fmtShape(x.shape)}`);
      return x.shape[1];
    },
    loaded: (_key, shape) => (shape.length === 1 ? shape[0] : null),
  };
}
/** PyTorch's lazy instance norms default to affine and trackRunningStats true (InstanceNorm*d's own defaults are false). */
const lazyInstanceDefaults = (opts: InstanceNormOptions): InstanceNormOptions => ({ affine: true, trackRunningStats: true, ...opts });

/** nn.LazyBatchNorm1d(opts): nn.BatchNorm1d with numFeatures from the first input. */
export class LazyBatchNorm1d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: BatchNormOptions = {}) {
    super(normSizing('LazyBatchNorm1d', (n) => new BatchNorm1d(n, opts)));
  }
}
export interface LazyBatchNorm1d extends BatchNorm1d {}
/** nn.LazyBatchNorm2d(opts): nn.BatchNorm2d with numFeatures from the first input. */
export class LazyBatchNorm2d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: BatchNormOptions = {}) {
    super(normSizing('LazyBatchNorm2d', (n) => new BatchNorm2d(n, opts)));
  }
}
export interface LazyBatchNorm2d extends BatchNorm2d {}
/** nn.LazyBatchNorm3d(opts): nn.BatchNorm3d with numFeatures from the first input. */
export class LazyBatchNorm3d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: BatchNormOptions = {}) {
    super(normSizing('LazyBatchNorm3d', (n) => new BatchNorm3d(n, opts)));
  }
}
export interface LazyBatchNorm3d extends BatchNorm3d {}
/** nn.LazyInstanceNorm1d(opts): nn.InstanceNorm1d with numFeatures from the first input (affine and trackRunningStats default true). */
export class LazyInstanceNorm1d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: InstanceNormOptions = {}) {
    super(normSizing('LazyInstanceNorm1d', (n) => new InstanceNorm1d(n, lazyInstanceDefaults(opts))));
  }
}
export interface LazyInstanceNorm1d extends InstanceNorm1d {}
/** nn.LazyInstanceNorm2d(opts): nn.InstanceNorm2d with numFeatures from the first input (affine and trackRunningStats default true). */
export class LazyInstanceNorm2d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: InstanceNormOptions = {}) {
    super(normSizing('LazyInstanceNorm2d', (n) => new InstanceNorm2d(n, lazyInstanceDefaults(opts))));
  }
}
export interface LazyInstanceNorm2d extends InstanceNorm2d {}
/** nn.LazyInstanceNorm3d(opts): nn.InstanceNorm3d with numFeatures from the first input (affine and trackRunningStats default true). */
export class LazyInstanceNorm3d extends LazyModule<(x: Tensor) => Tensor> {
  constructor(opts: InstanceNormOptions = {}) {
    super(normSizing('LazyInstanceNorm3d', (n) => new InstanceNorm3d(n, lazyInstanceDefaults(opts))));
  }
}
export interface LazyInstanceNorm3d extends InstanceNorm3d {}
