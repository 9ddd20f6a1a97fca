/**
 * torch.nn.utils.parametrizations: orthogonal and spectral_norm (PyTorch 1.13) and weight_norm
 * (PyTorch 2.1), each a parametrization module registered with ./parametrize.ts, so their state
 * dicts are PyTorch's: `parametrizations.weight.original` (`original0` = g and `original1` = v for
 * weight_norm), `parametrizations.weight.0._u` / `_v` (spectral norm's power-iteration vectors),
 * `parametrizations.weight.0.base` (orthogonal's trivialization base).
 */
import { tensor, zeros } from '../api/creation.js';
import { normalize, diagonal } from '../api/convenience.js';
import { cat, eye, matmul, sign, trunc, tril, zerosLike } from '../api/functional.js';
import { householderProduct, matrixExp } from '../api/linalg-compose.js';
import { geqrf } from '../api/householder.js';
import { solve } from '../api/linalg-lu.js';
import { qr } from '../api/linalg-spectral.js';
import { randn } from '../api/creation.js';
import { checkOptions } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { checkDim, checkIntAtLeast, fmtShape, sameShape } from '../ops/types.js';
import { Module, type AnyModule } from './module.js';
import { NotImplementedError, registerParametrization, type Parametrized } from './parametrize.js';
import { normExceptDim, outputDim, powerIteration, randomUnit, weightMatrix } from './reparam.js';

const FN = 'nn.utils.parametrizations';

/** The module's tensor `name` (what a parametrization starts from: the parametrized value if it has one already). */
function tensorOf(fn: string, module: AnyModule, name: string): Tensor {
  if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
  const w = (module as unknown as Record<string, unknown>)[name];
  if (typeof name !== 'string' || w === null || typeof w !== 'object' || !('shape' in w) || !('dtype' in w))
    throw new ValueError(fn, `${module.constructor.name} has no parameter or buffer with name ${fmtValue(name)}`);
  return w as Tensor;
}

// ---- orthogonal -----------------------------------------------------------------------------------

export type OrthogonalMap = 'matrix_exp' | 'cayley' | 'householder';
const MAPS: readonly OrthogonalMap[] = ['matrix_exp', 'cayley', 'householder'];

/** Whether the columns of Q [..., n, k] are orthonormal: QᵀQ = I within torch's _is_orthogonal tolerance (atol 10·n·ε of float32, rtol 1e-5). */
function isOrthogonal(Q: Tensor): boolean {
  const [n, k] = Q.shape.slice(-2);
  const q = Q.rawValues();
  const atol = 10 * n * 2 ** -23;
  for (let o = 0; o < q.length; o += n * k)
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += q[o + r * k + i] * q[o + r * k + j];
        const want = i === j ? 1 : 0;
        if (!(Math.abs(s - want) <= atol + 1e-5 * want)) return false;
      }
  return true;
}

/** The Q of A = QR with R's diagonal made non-negative (Q's columns times sign(Rᵢᵢ)): torch's _make_orthogonal, A tall. */
function makeOrthogonal(A: Tensor): Tensor {
  const { Q, R } = qr(A);
  return Q.mul(sign(diagonal(R, { dim1: -2, dim2: -1 })).unsqueeze(-2));
}

/**
 * torch's _Orthogonal: X [..., n, k] ↦ an orthogonal Q (orthonormal columns, or rows when wide: a
 * wide X is transposed first and Q back). matrix_exp and cayley take A = L − Lᵀ from X's lower
 * triangle L (padded with zero columns to n × n when tall) and give e^A or (I − A/2)⁻¹(I + A/2),
 * its first k columns; householder multiplies the reflectors whose vectors are X's columns below
 * the diagonal (τ = 2/‖v‖², a proper reflection) and scales each column by the integer part of X's
 * diagonal (±1 from rightInverse; torch's `.int()`, no gradient). With the trivialization, Q is
 * then `base`·Q, `base` the orthogonal matrix stored by the last rightInverse.
 */
class _Orthogonal extends Module<(X: Tensor) => Tensor> {
  readonly shape: number[];
  constructor(
    weight: Tensor,
    readonly orthogonalMap: OrthogonalMap,
    readonly useTrivialization: boolean,
  ) {
    super();
    this.shape = [...weight.shape];
  }

  forward(X: Tensor): Tensor {
    let [n, k] = X.shape.slice(-2);
    const transposed = n < k;
    if (transposed) {
      X = X.mT;
      [n, k] = [k, n];
    }
    let Q: Tensor;
    if (this.orthogonalMap === 'householder') {
      const A = tril(X, -1);
      const tau = A.mul(A).sum(-2).add(1).reciprocal().mul(2);
      Q = householderProduct(A, tau).mul(trunc(diagonal(X.detach(), { dim1: -2, dim2: -1 })).unsqueeze(-2));
    } else {
      let L = tril(X);
      if (n !== k) L = cat([L, zeros([...X.shape.slice(0, -2), n, n - k])], -1);
      const A = L.sub(L.mT);
      if (this.orthogonalMap === 'matrix_exp') Q = matrixExp(A);
      else {
        const I = eye(n);
        Q = solve(I.sub(A.mul(0.5)), I.add(A.mul(0.5)));
      }
      if (n !== k) Q = Q.narrow(-1, 0, k);
    }
    if (this.useTrivialization) {
      if (!this.namedBuffers('', false).some(([b]) => b === 'base'))
        throw new ValueError(
          `${FN}.orthogonal`,
          'the trivialization has no base yet: orthogonal() on a tensor parametrized already never ran rightInverse; assign the weight once (module.weight = Q) or pass useTrivialization: false',
        );
      Q = matmul(this.getBuffer('base'), Q);
    }
    return transposed ? Q.mT : Q;
  }

  /**
   * Q (of the weight's shape) as the original: with the trivialization, `base` becomes Q (or, if
   * not orthogonal, the Q of its QR with a non-negative diagonal; tall Q is completed with random
   * columns first, from the seeded stream) and the original −I, for which forward gives base's
   * first columns. Without it (householder only), the original is geqrf's reflectors with the signs
   * of R's diagonal on the diagonal (flipped where τ = 0, for forward's τ = 2).
   */
  rightInverse(Q: Tensor): Tensor {
    const fn = `${FN}.orthogonal`;
    if (!sameShape(Q.shape, this.shape))
      throw new ShapeError(fn, `expected a matrix or batch of matrices of shape ${fmtShape(this.shape)}, got ${fmtShape(Q.shape)}`);
    return noGrad(() => {
      const init = Q;
      let [n, k] = Q.shape.slice(-2);
      const transpose = n < k;
      if (transpose) {
        Q = Q.mT;
        [n, k] = [k, n];
      }
      if (!this.useTrivialization) {
        if (this.orthogonalMap !== 'householder')
          throw new NotImplementedError(
            fn,
            'it is not possible to assign to the matrix exponential or the Cayley parametrizations when useTrivialization is false',
          );
        // geqrf's reflectors (below R's diagonal) and τ, read back to set the diagonal's signs
        const qr = geqrf(Q);
        const A = Float64Array.from(qr.a.rawValues()),
          tau = qr.tau.rawValues();
        for (let o = 0, b = 0; o < A.length; o += n * k, b++)
          for (let j = 0; j < k; j++) {
            const d = o + j * k + j;
            A[d] = Math.sign(A[d]) * (tau[b * k + j] === 0 ? -1 : 1);
          }
        const R = tensor(A, { shape: Q.shape });
        return transpose ? R.mT : R;
      }
      const base = n === k ? (isOrthogonal(Q) ? Q.clone() : makeOrthogonal(Q)) : makeOrthogonal(cat([Q, randn([...Q.shape.slice(0, -2), n, n - k])], -1));
      if (this.namedBuffers('', false).length === 0) this.registerBuffer('base', base);
      else this.getBuffer('base').copy_(base);
      // −I in the weight's shape: forward's householder (τ = 2, diagonal −1) and exp(0) both give base's columns
      const negId = zerosLike(init);
      return negId.sub(eye(init.shape[init.ndim - 2], init.shape[init.ndim - 1]).expand(init.shape));
    });
  }
}

export interface OrthogonalOptions {
  /** 'matrix_exp', 'cayley' or 'householder'; default matrix_exp for a square weight, householder otherwise. */
  orthogonalMap?: OrthogonalMap;
  /** Store a base the map's result multiplies (the dynamic trivialization, default true). */
  useTrivialization?: boolean;
}

/**
 * torch.nn.utils.parametrizations.orthogonal(module, name, orthogonalMap, useTrivialization): the
 * matrix (or batch of matrices [..., m, n]) `name` becomes orthogonal: orthonormal columns when
 * m ≥ n, rows otherwise. Its starting value is the weight itself if orthogonal, else the Q of its QR
 * decomposition (see _Orthogonal). matrix_exp and cayley read values on the host (the exponential's
 * scaling, the solve's LU), so inside wg.compile only householder runs (they are a CompileError).
 */
export function orthogonal<M extends AnyModule, K extends string = 'weight'>(
  module: M,
  name: K = 'weight' as K,
  options: OrthogonalOptions = {},
): Parametrized<M, K> {
  const fn = `${FN}.orthogonal`;
  const o = checkOptions<OrthogonalOptions>(fn, options, ['orthogonalMap', 'useTrivialization']);
  const weight = tensorOf(fn, module, name);
  if (weight.ndim < 2) throw new ShapeError(fn, `expected a matrix or batch of matrices, got a tensor of ${weight.ndim} dimensions`);
  const [m, n] = weight.shape.slice(-2);
  const map = o.orthogonalMap ?? (m === n ? 'matrix_exp' : 'householder');
  if (!MAPS.includes(map)) throw new ValueError(fn, `orthogonalMap has to be one of ${MAPS.map((s) => `'${s}'`).join(', ')}, got ${fmtValue(map)}`);
  const triv = o.useTrivialization ?? true;
  if (typeof triv !== 'boolean') throw new ValueError(fn, `useTrivialization must be a boolean, got ${fmtValue(triv)}`);
  return registerParametrization(module, name, new _Orthogonal(weight, map, triv), { unsafe: true });
}

// ---- spectral norm --------------------------------------------------------------------------------

/**
 * torch's _SpectralNorm: W ↦ W/σ, σ = uᵀ·W·v estimated by power iteration on W as a matrix
 * [size of dim, rest] (reparam.ts's helpers, u before v as this form does). The vectors `_u` and
 * `_v` start random (seeded stream) and take 15 steps at registration; each forward in training
 * mode takes nPowerIterations more (in place, no gradient), then σ's gradient flows to W alone
 * (u and v are cloned constants). A 1-D tensor is normalized to unit norm instead (no buffers).
 */
class _SpectralNorm extends Module<(W: Tensor) => Tensor> {
  constructor(
    weight: Tensor,
    readonly nPowerIterations: number,
    readonly dim: number,
    readonly eps: number,
  ) {
    super();
    if (weight.ndim > 1) {
      const Wm = weightMatrix(weight, dim);
      const [h, w] = Wm.shape;
      this.registerBuffer('_u', randomUnit(h, eps));
      this.registerBuffer('_v', randomUnit(w, eps));
      powerIteration(Wm, this.getBuffer('_u'), this.getBuffer('_v'), 15, eps, true);
    }
  }

  forward(weight: Tensor): Tensor {
    if (weight.ndim === 1) return normalize(weight, { dim: 0, eps: this.eps });
    const Wm = weightMatrix(weight, this.dim);
    const [u, v] = [this.getBuffer('_u'), this.getBuffer('_v')];
    if (this.training) powerIteration(Wm, u, v, this.nPowerIterations, this.eps, true);
    return weight.div(u.clone().dot(Wm.mv(v.clone())));
  }

  rightInverse(value: Tensor): Tensor {
    return value;
  }
}

export interface SpectralNormParametrizationOptions {
  /** Power-iteration steps per access in training mode (default 1, at least 1). */
  nPowerIterations?: number;
  /** Added to the norms the iteration divides by (default 1e-12). */
  eps?: number;
  /** The output dim (default 0, 1 for the ConvTranspose modules). */
  dim?: number;
}

/**
 * torch.nn.utils.parametrizations.spectral_norm(module, name, nPowerIterations, eps, dim): `name`
 * reads W/σ(W) (see _SpectralNorm); keys `parametrizations.weight.original`,
 * `parametrizations.weight.0._u`, `parametrizations.weight.0._v`. Positional (module, name,
 * nPowerIterations, eps, dim) as torch's, or an options object.
 */
export function spectralNorm<M extends AnyModule, K extends string = 'weight'>(
  module: M,
  name: K = 'weight' as K,
  options: SpectralNormParametrizationOptions | number = {},
  eps?: number,
  dim?: number,
): Parametrized<M, K> {
  const fn = `${FN}.spectralNorm`;
  const o =
    typeof options === 'number'
      ? { nPowerIterations: options, eps, dim }
      : checkOptions<SpectralNormParametrizationOptions>(fn, options, ['nPowerIterations', 'eps', 'dim']);
  const n = checkIntAtLeast(fn, 'nPowerIterations', o.nPowerIterations ?? 1, 1);
  const e = o.eps ?? 1e-12;
  if (typeof e !== 'number' || !(e >= 0)) throw new ValueError(fn, `eps must be a number ≥ 0, got ${fmtValue(e)}`);
  const weight = tensorOf(fn, module, name);
  const d = checkDim(fn, o.dim ?? outputDim(module), weight.ndim, weight.shape);
  return registerParametrization(module, name, new _SpectralNorm(weight, n, d, e));
}

// ---- weight norm (torch 2.1) ------------------------------------------------------------------

/** torch 2.1's _WeightNorm: (g, v) ↦ v·g/‖v‖, the norm over every dim but `dim` (null: over all of v); rightInverse W ↦ (‖W‖, W). */
class _WeightNorm extends Module<(g: Tensor, v: Tensor) => Tensor> {
  constructor(readonly dim: number | null) {
    super();
  }

  forward(g: Tensor, v: Tensor): Tensor {
    return v.mul(g.div(normExceptDim(v, this.dim)));
  }

  rightInverse(weight: Tensor): Tensor[] {
    return [normExceptDim(weight, this.dim), weight];
  }
}

/**
 * torch.nn.utils.parametrizations.weight_norm (PyTorch 2.1; 1.13 has only the hook form
 * nn.utils.weightNorm): `name` = g·v/‖v‖ with `parametrizations.weight.original0` = g (the norm
 * over every dim but `dim`) and `original1` = v. dim null or −1 is one norm over the whole tensor.
 * As PyTorch's, a state dict of the hook form (`weight_g`, `weight_v`) loads too: its keys are
 * renamed to these when both are there.
 */
export function weightNorm<M extends AnyModule, K extends string = 'weight'>(module: M, name: K = 'weight' as K, dim: number | null = 0): Parametrized<M, K> {
  const fn = `${FN}.weightNorm`;
  const weight = tensorOf(fn, module, name);
  const d = dim === null || dim === -1 ? null : checkDim(fn, dim, weight.ndim, weight.shape);
  const m = registerParametrization(module, name, new _WeightNorm(d), { unsafe: true });
  // torch 2.1's _weight_norm_compat_hook
  m.registerLoadStateDictPreHook((entries, prefix) => {
    const [g, v] = [`${prefix}${name}_g`, `${prefix}${name}_v`];
    if (!entries.has(g) || !entries.has(v)) return;
    entries.set(`${prefix}parametrizations.${name}.original0`, entries.get(g));
    entries.set(`${prefix}parametrizations.${name}.original1`, entries.get(v));
    entries.delete(g);
    entries.delete(v);
  });
  return m;
}
