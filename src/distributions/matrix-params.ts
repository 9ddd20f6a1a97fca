/**
 * The matrix parameter of MultivariateNormal and Wishart: exactly one of covarianceMatrix Σ,
 * precisionMatrix Σ⁻¹ or scaleTril L (Σ = L·Lᵀ), given positionally in torch's order or as
 * torch's keyword arguments in an options object, and the lower Cholesky factor L it stands for.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { isRecord } from '../engine/check.js';
import { eye } from '../api/factories.js';
import { cholesky } from '../api/linalg-cholesky.js';
import { solveTriangular } from '../api/linalg-lu.js';
import type { DistributionOptions } from './distribution.js';

/** The keyword forms of the matrices. */
export interface MatrixOptions extends DistributionOptions {
  covarianceMatrix?: Tensor | null;
  precisionMatrix?: Tensor | null;
  scaleTril?: Tensor | null;
}
export const MATRICES = ['covarianceMatrix', 'precisionMatrix', 'scaleTril'] as const;
export type MatrixName = (typeof MATRICES)[number];
export const TORCH_NAMES: Record<MatrixName, string> = { covarianceMatrix: 'covariance_matrix', precisionMatrix: 'precision_matrix', scaleTril: 'scale_tril' };

/**
 * The matrices given (0 to 3 of them, each checked to be a live Tensor) and the options, from
 * torch's positional (covarianceMatrix, precisionMatrix, scaleTril, opts) or from an options object
 * passed in covarianceMatrix's place alone.
 */
export function matrixArgs(
  fn: string,
  covarianceMatrix: Tensor | null | undefined | MatrixOptions,
  precisionMatrix: Tensor | null | undefined,
  scaleTril: Tensor | null | undefined,
  opts: MatrixOptions | undefined,
): { mats: Partial<Record<MatrixName, Tensor>>; validateArgs: boolean | undefined } {
  let o: unknown = opts;
  if (isRecord(covarianceMatrix) && !(covarianceMatrix instanceof Tensor) && precisionMatrix === undefined && scaleTril === undefined && opts === undefined)
    [o, covarianceMatrix] = [covarianceMatrix, undefined];
  if (o !== undefined && !isRecord(o)) throw new ValueError(fn, `options must be an object, got ${fmtValue(o)}`);
  const given = (o ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (![...MATRICES, 'validateArgs'].includes(k))
      throw new ValueError(fn, `unknown option '${k}' (the options are covarianceMatrix, precisionMatrix, scaleTril, validateArgs)`);
  const positional: Record<string, unknown> = { covarianceMatrix, precisionMatrix, scaleTril };
  const mats: Partial<Record<MatrixName, Tensor>> = {};
  for (const name of MATRICES) {
    const v = positional[name] ?? given[name];
    if (positional[name] != null && given[name] != null) throw new ValueError(fn, `${name} is given both positionally and in the options`);
    if (v == null) continue;
    if (!(v instanceof Tensor)) throw new ValueError(fn, `${name} must be a Tensor, got ${fmtValue(v)}`);
    v.assertAlive(fn);
    mats[name] = v;
  }
  return { mats, validateArgs: given.validateArgs as boolean | undefined };
}

/** The single matrix given, with its name (torch's message when there are none or several). */
export function singleMatrix(fn: string, mats: Partial<Record<MatrixName, Tensor>>): [MatrixName, Tensor] {
  const names = Object.keys(mats) as MatrixName[];
  if (names.length !== 1) throw new ValueError(fn, 'Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.');
  return [names[0], mats[names[0]]!];
}

/**
 * L with L·Lᵀ = P⁻¹ from a precision P (torch's _precision_to_scale_tril), without forming P⁻¹:
 * with J the reversal of both axes, J·P·J = Lf·Lfᵀ (Cholesky), so P = U·Uᵀ with U = J·Lf·J upper
 * triangular, P⁻¹ = U⁻ᵀ·U⁻¹, and L = U⁻ᵀ solves the lower system Uᵀ·L = I.
 */
function precisionToScaleTril(P: Tensor): Tensor {
  const Lf = cholesky(P.flip([-2, -1]));
  const LInv = Lf.flip([-2, -1]).mT;
  return solveTriangular(LInv, eye(P.shape[P.ndim - 1]), { upper: false });
}

/** The lower Cholesky factor of the covariance the matrix `name` stands for. */
export function toScaleTril(name: MatrixName, m: Tensor): Tensor {
  return name === 'scaleTril' ? m : name === 'covarianceMatrix' ? cholesky(m) : precisionToScaleTril(m);
}

/** Σ log Lᵢᵢ = ½·log det(L·Lᵀ). */
export const halfLogDet = (L: Tensor): Tensor => L.diagonal({ dim1: -2, dim2: -1 }).log().sum(-1);
