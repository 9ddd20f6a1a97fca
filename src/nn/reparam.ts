/**
 * torch.nn.utils.weight_norm and spectral_norm (torch 1.13's hook forms) and their remove_*.
 *
 * The module's parameter `name` leaves its registry and other tensors take its place (weight_g and
 * weight_v; weight_orig with the power-iteration buffers weight_u and weight_v), registered after
 * the module's others as PyTorch does, so PyTorch's state dicts load. A forward pre-hook computes
 * `name` from them before every call with ordinary ops, so the gradients reach them through
 * autodiff; the module then runs with its JavaScript on every compiled call, as any hooked module.
 */
import { randn } from '../api/creation.js';
import { normalize } from '../api/convenience.js';
import { checkOptions } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { checkDim, checkIntAtLeast } from '../ops/types.js';
import { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './conv-modules.js';
import { Module, type AnyModule, type ModuleHookHandle } from './module.js';

/** What a module's reparametrization of `name` needs to be undone. */
interface Reparam {
  kind: 'weightNorm' | 'spectralNorm';
  hook: ModuleHookHandle;
  /** The weight from the current parameters (and buffers, without a power-iteration step). */
  compute(): Tensor;
  /** The names registered in place of `name`. */
  parts: string[];
}
const reparams = new WeakMap<AnyModule, Map<string, Reparam>>();

/** The module's own parameter `name`, checked before a reparametrization takes it out of the registry. */
function ownWeight(fn: string, module: AnyModule, name: string): Tensor {
  if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
  if (reparams.get(module)?.has(name)) throw new ValueError(fn, `cannot register two weight_norm/spectral_norm hooks on the same parameter ${name}`);
  const own = module.namedParameters('', false).find(([n]) => n === name);
  if (own === undefined)
    throw new ValueError(fn, `the module has no parameter '${name}' (its own: ${fmtValue(module.namedParameters('', false).map(([n]) => n))})`);
  return own[1];
}

/** `name` holds `initial` now and beforeCall()'s result from then on, before every call. */
function install(module: AnyModule, name: string, r: Omit<Reparam, 'hook'>, initial: Tensor, beforeCall: () => Tensor): AnyModule {
  const set = (w: Tensor) => Object.defineProperty(module, name, { value: w, writable: true, enumerable: true, configurable: true });
  set(initial);
  const hook = module.registerForwardPreHook(() => {
    set(beforeCall());
  });
  const map = reparams.get(module) ?? new Map<string, Reparam>();
  map.set(name, { ...r, hook });
  reparams.set(module, map);
  return module;
}

/** The reparametrization `kind` of `name`, removed: `name` is a parameter again holding the current weight. */
function uninstall(fn: string, kind: Reparam['kind'], module: AnyModule, name: string): AnyModule {
  const r = reparams.get(module)?.get(name);
  if (r === undefined || r.kind !== kind)
    throw new ValueError(fn, `${kind === 'weightNorm' ? 'weight_norm' : 'spectral_norm'} of '${name}' not found in the module`);
  const w = noGrad(() => r.compute()).detach();
  r.hook.remove();
  for (const p of r.parts) module.takeParameter(p);
  reparams.get(module)!.delete(name);
  (module as unknown as Record<string, unknown>)[name] = undefined; // an own field, so the parameter is one again (Module.liveField)
  module.registerParameter(name, w.requiresGrad_(true));
  return module;
}

/** ‖v‖₂ over every dim but `dim` (kept, others size 1), or over all of v (0-d) when dim is null: torch's norm_except_dim. */
export function normExceptDim(v: Tensor, dim: number | null): Tensor {
  const sq = v.square();
  if (dim === null) return sq.sum().sqrt();
  const others = v.shape.map((_, d) => d).filter((d) => d !== dim);
  return (others.length === 0 ? sq : sq.sum(others, true)).sqrt();
}

/**
 * torch.nn.utils.weight_norm(module, name, dim): `name` = g · v / ‖v‖, with g (`name_g`) the norm
 * over every dim but `dim` and v (`name_v`) the direction. dim null or −1 is one norm over the
 * whole tensor (torch's meaning of −1 here, not the last dim).
 */
export function weightNorm<M extends AnyModule>(module: M, name = 'weight', dim: number | null = 0): M {
  const FN = 'nn.utils.weightNorm';
  const w = ownWeight(FN, module, name);
  const d = dim === null || dim === -1 ? null : checkDim(FN, dim, w.ndim, w.shape);
  module.takeParameter(name);
  module.registerParameter(
    `${name}_g`,
    noGrad(() => normExceptDim(w, d))
      .detach()
      .requiresGrad_(true),
  );
  module.registerParameter(
    `${name}_v`,
    noGrad(() => w.clone())
      .detach()
      .requiresGrad_(true),
  );
  const compute = () => {
    const [gp, vp] = [module.getParameter(`${name}_g`), module.getParameter(`${name}_v`)];
    return vp.mul(gp.div(normExceptDim(vp, d)));
  };
  return install(module, name, { kind: 'weightNorm', compute, parts: [`${name}_g`, `${name}_v`] }, compute(), compute) as M;
}

/** torch.nn.utils.remove_weight_norm: `name` becomes a parameter again, holding g · v / ‖v‖. */
export function removeWeightNorm<M extends AnyModule>(module: M, name = 'weight'): M {
  return uninstall('nn.utils.removeWeightNorm', 'weightNorm', module, name) as M;
}

/** W as a matrix [size of dim d, rest]: d moved to the front (torch's permute), the rest flattened (torch's _reshape_weight_to_matrix). */
export const weightMatrix = (t: Tensor, d: number): Tensor =>
  (d === 0 ? t : t.permute([d, ...t.shape.map((_, k) => k).filter((k) => k !== d)])).reshape([t.shape[d], -1]);

/**
 * `steps` steps of the power iteration for the top singular pair of Wm, written into the unit
 * vectors u and v in place, without gradient. Each step is v ← Wᵀu/‖Wᵀu‖ then u ← Wv/‖Wv‖ (the
 * hook form's order, `uFirst` false) or u before v (the parametrization's order); `eps` is added
 * to the norms divided by (normalize's eps), so a zero matrix gives zero vectors, not NaN.
 */
export function powerIteration(Wm: Tensor, u: Tensor, v: Tensor, steps: number, eps: number, uFirst: boolean): void {
  noGrad(() => {
    const stepU = () => u.copy_(normalize(Wm.mv(v), { dim: 0, eps }));
    const stepV = () => v.copy_(normalize(Wm.t().mv(u), { dim: 0, eps }));
    for (let k = 0; k < steps; k++)
      if (uFirst) {
        stepU();
        stepV();
      } else {
        stepV();
        stepU();
      }
  });
}

/** A random unit vector of n elements from the seeded stream (the power iteration's start). */
export const randomUnit = (n: number, eps: number): Tensor => noGrad(() => normalize(randn([n]), { dim: 0, eps }));

/** The dim spectral norm treats as the output's: 1 for the ConvTranspose modules (their weight is [in, out, …]), else 0. */
export const outputDim = (module: AnyModule): number =>
  module instanceof ConvTranspose1d || module instanceof ConvTranspose2d || module instanceof ConvTranspose3d ? 1 : 0;

export interface SpectralNormOptions {
  /** Power-iteration steps per training call (default 1). */
  nPowerIterations?: number;
  /** Added to the norms the iteration divides by (default 1e-12). */
  eps?: number;
  /** The output dim (default 0, 1 for the ConvTranspose modules). */
  dim?: number;
}

/**
 * torch.nn.utils.spectral_norm(module, name, nPowerIterations, eps, dim): `name` = W / σ(W), σ
 * estimated by power iteration on W viewed as [size of dim, rest]. The vectors are the buffers
 * `name_u` and `name_v` (random unit vectors to start, from the seeded stream); each call in
 * training mode first runs nPowerIterations steps updating them in place (no gradient), then
 * σ = uᵀ W v carries W's gradient; in eval mode they are used as they are.
 * Positional (module, name, nPowerIterations, eps, dim) as torch's, or an options object.
 */
export function spectralNorm<M extends AnyModule>(module: M, name = 'weight', options: SpectralNormOptions | number = {}, eps?: number, dim?: number): M {
  const FN = 'nn.utils.spectralNorm';
  const o =
    typeof options === 'number' ? { nPowerIterations: options, eps, dim } : checkOptions<SpectralNormOptions>(FN, options, ['nPowerIterations', 'eps', 'dim']);
  const n = checkIntAtLeast(FN, 'nPowerIterations', o.nPowerIterations ?? 1, 0);
  const e = o.eps ?? 1e-12;
  if (typeof e !== 'number' || !(e >= 0)) throw new ValueError(FN, `eps must be a number ≥ 0, got ${fmtValue(e)}`);
  const w = ownWeight(FN, module, name);
  const d = checkDim(FN, o.dim ?? outputDim(module), w.ndim, w.shape);
  const mat = (t: Tensor) => weightMatrix(t, d);
  const [h, wd] = mat(w).shape;
  module.takeParameter(name);
  module.registerParameter(`${name}_orig`, w);
  module.registerBuffer(`${name}_u`, randomUnit(h, e));
  module.registerBuffer(`${name}_v`, randomUnit(wd, e));
  const sigmaNormed = () => {
    const W = module.getParameter(`${name}_orig`);
    const [u, v] = [module.getBuffer(`${name}_u`), module.getBuffer(`${name}_v`)];
    return W.div(u.dot(mat(W).mv(v)));
  };
  const iterate = () => {
    if (module.training) powerIteration(mat(module.getParameter(`${name}_orig`)), module.getBuffer(`${name}_u`), module.getBuffer(`${name}_v`), n, e, false);
    return sigmaNormed();
  };
  // torch leaves the raw weight in `name` until the first call
  return install(module, name, { kind: 'spectralNorm', compute: sigmaNormed, parts: [`${name}_orig`] }, w, iterate) as M;
}

/** torch.nn.utils.remove_spectral_norm: `name` becomes a parameter again, holding W / σ with the current u and v. */
export function removeSpectralNorm<M extends AnyModule>(module: M, name = 'weight'): M {
  const M = uninstall('nn.utils.removeSpectralNorm', 'spectralNorm', module, name);
  for (const b of [`${name}_u`, `${name}_v`]) M.takeBuffer(b);
  return M as M;
}
