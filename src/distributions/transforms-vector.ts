/**
 * torch.distributions.transforms of PyTorch 1.13 over vectors and matrices: Softmax and
 * StickBreaking (to the simplex), LowerCholesky and CorrCholesky (to Cholesky factors), and the
 * functors Cat and Stack (one transform per slice along a dim).
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { arange } from '../api/creation.js';
import { eye } from '../api/factories.js';
import { pad } from '../api/layout.js';
import { cat as catTensors, stack as stackTensors } from '../api/shape.js';
import { cat, corrCholesky, independent, lowerCholesky, real, realVector, simplex, stack, type Constraint } from './constraints.js';
import { Transform, type CacheSize } from './transform.js';
import { clippedSigmoid } from './transforms-elementwise.js';
import { trilMatrixToVec, vecToTrilMatrix } from './tril-vec.js';
import { FLOAT32_EPS, FLOAT32_TINY, sumRightmost } from './utils.js';

/** A shape with at least one dim (torch: "Too few dimensions on input"). */
function atLeast(fn: string, shape: readonly number[], n: number): void {
  if (shape.length < n) throw new ValueError(fn, `Too few dimensions on input: shape [${shape}] has fewer than ${n}`);
}
/** All of the last dim but its last entry (`t[..., :-1]`). */
const dropLast = (t: Tensor): Tensor => t.narrow(-1, 0, t.shape[t.ndim - 1] - 1);

/** Softmax along the last dim, from the reals to the simplex (not bijective; the inverse is log). */
export class SoftmaxTransform extends Transform {
  override get typeName(): string {
    return 'SoftmaxTransform';
  }
  override get domain(): Constraint {
    return realVector;
  }
  override get codomain(): Constraint {
    return simplex;
  }
  override equals(other: Transform): boolean {
    return other instanceof SoftmaxTransform;
  }
  /** exp(x − max x) normalised (torch's own steps, not its softmax kernel). */
  protected override _call(x: Tensor): Tensor {
    const probs = x.sub(x.amax(-1, true)).exp();
    return probs.div(probs.sum(-1, true));
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.log();
  }
  override forwardShape(shape: readonly number[]): number[] {
    atLeast(this.fnName('forwardShape'), shape, 1);
    return [...shape];
  }
  override inverseShape(shape: readonly number[]): number[] {
    atLeast(this.fnName('inverseShape'), shape, 1);
    return [...shape];
  }
}

/** K, K − 1, …, 1 for a last dim of K (torch's offset: `K + 1 − ones(K).cumsum(-1)`). */
const stickOffset = (k: number): Tensor => arange(k, 0, -1);

/**
 * From R^K to the (K+1)-simplex by stick breaking: zᵢ = σ(xᵢ − log(K + 1 − i)) is the fraction of
 * the remaining stick given to entry i, the last entry takes what remains. The offset makes x = 0
 * map to the uniform vector. Bijective.
 */
export class StickBreakingTransform extends Transform {
  override get typeName(): string {
    return 'StickBreakingTransform';
  }
  override get domain(): Constraint {
    return realVector;
  }
  override get codomain(): Constraint {
    return simplex;
  }
  override get bijective(): boolean {
    return true;
  }
  override equals(other: Transform): boolean {
    return other instanceof StickBreakingTransform;
  }
  protected override _call(x: Tensor): Tensor {
    const z = clippedSigmoid(x.sub(stickOffset(x.shape[x.ndim - 1]).log()));
    const zCumprod = z.neg().add(1).cumprod(-1);
    return pad(z, [0, 1], { value: 1 }).mul(pad(zCumprod, [1, 0], { value: 1 }));
  }
  /** xᵢ = log yᵢ − log(1 − Σ_{j≤i} yⱼ) + log(K + 1 − i), the remaining stick clamped at float32's tiny. */
  protected override _inverse(y: Tensor): Tensor {
    const yCrop = dropLast(y);
    const sf = yCrop.cumsum(-1).neg().add(1).clamp(FLOAT32_TINY, null);
    return yCrop
      .log()
      .sub(sf.log())
      .add(stickOffset(yCrop.shape[yCrop.ndim - 1]).log());
  }
  /** Σᵢ −uᵢ + log σ(uᵢ) + log yᵢ, uᵢ = xᵢ − log(K + 1 − i). */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const u = x.sub(stickOffset(x.shape[x.ndim - 1]).log());
    return u.neg().add(u.logsigmoid()).add(dropLast(y).log()).sum(-1);
  }
  override forwardShape(shape: readonly number[]): number[] {
    atLeast(this.fnName('forwardShape'), shape, 1);
    return [...shape.slice(0, -1), shape[shape.length - 1] + 1];
  }
  override inverseShape(shape: readonly number[]): number[] {
    atLeast(this.fnName('inverseShape'), shape, 1);
    return [...shape.slice(0, -1), shape[shape.length - 1] - 1];
  }
}

/** From square matrices to lower-triangular ones with a positive diagonal: the strict lower part kept, the diagonal exponentiated. */
export class LowerCholeskyTransform extends Transform {
  override get typeName(): string {
    return 'LowerCholeskyTransform';
  }
  override get domain(): Constraint {
    return independent(real, 2);
  }
  override get codomain(): Constraint {
    return lowerCholesky;
  }
  override equals(other: Transform): boolean {
    return other instanceof LowerCholeskyTransform;
  }
  protected override _call(x: Tensor): Tensor {
    return x.tril(-1).add(x.diagonal({ dim1: -2, dim2: -1 }).exp().diagEmbed());
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.tril(-1).add(y.diagonal({ dim1: -2, dim2: -1 }).log().diagEmbed());
  }
}

/**
 * From R^(D(D−1)/2) to Cholesky factors of D×D correlation matrices: the vector fills the strict
 * lower triangle row by row, tanh maps it into (−1, 1), and each row is a signed stick breaking
 * that gives it unit norm (yᵢⱼ = rᵢⱼ·√(Π_{k<j}(1 − rᵢₖ²)), the diagonal takes the remainder).
 */
export class CorrCholeskyTransform extends Transform {
  override get typeName(): string {
    return 'CorrCholeskyTransform';
  }
  override get domain(): Constraint {
    return realVector;
  }
  override get codomain(): Constraint {
    return corrCholesky;
  }
  override get bijective(): boolean {
    return true;
  }
  override equals(other: Transform): boolean {
    return other instanceof CorrCholeskyTransform;
  }
  protected override _call(x: Tensor): Tensor {
    // tanh clamped 1 eps inside ±1, so that every row keeps a positive diagonal
    const r0 = vecToTrilMatrix(x.tanh().clamp(-1 + FLOAT32_EPS, 1 - FLOAT32_EPS), -1);
    const z1mCumprodSqrt = r0.square().neg().add(1).sqrt().cumprod(-1);
    const r = r0.add(eye(r0.shape[r0.ndim - 1]));
    return r.mul(pad(dropLast(z1mCumprodSqrt), [1, 0], { value: 1 }));
  }
  /** tᵢⱼ = yᵢⱼ / √(1 − Σ_{k<j} yᵢₖ²), x = atanh t written as ½·log((1 + t)/(1 − t)) as torch. */
  protected override _inverse(y: Tensor): Tensor {
    const yCumsum = y.mul(y).cumsum(-1).neg().add(1);
    const shifted = pad(dropLast(yCumsum), [1, 0], { value: 1 });
    const t = trilMatrixToVec(y, -1).div(trilMatrixToVec(shifted, -1).sqrt());
    return t.add(1).div(t.neg().add(1)).log().div(2);
  }
  /** The stick breaking's ½·Σ log(1 − Σ_{k≤j} yᵢₖ²) (below the first subdiagonal) plus tanh's Σ log(1 − tanh²x). */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const y1mCumsum = y.mul(y).cumsum(-1).neg().add(1);
    const stickBreakingLogdet = trilMatrixToVec(y1mCumsum, -2).log().sum(-1).mul(0.5);
    const tanhLogdet = x.add(x.mul(-2).softplus()).sub(Math.LN2).sum(-1).mul(-2);
    return stickBreakingLogdet.add(tanhLogdet);
  }
  override forwardShape(shape: readonly number[]): number[] {
    const fn = this.fnName('forwardShape');
    atLeast(fn, shape, 1);
    const n = shape[shape.length - 1];
    const d = Math.round(Math.sqrt(0.25 + 2 * n) + 0.5);
    if ((d * (d - 1)) / 2 !== n) throw new ValueError(fn, `Input is not a flattend lower-diagonal number: ${n} is not D(D−1)/2`);
    return [...shape.slice(0, -1), d, d];
  }
  override inverseShape(shape: readonly number[]): number[] {
    const fn = this.fnName('inverseShape');
    atLeast(fn, shape, 2);
    const d = shape[shape.length - 1];
    if (shape[shape.length - 2] !== d) throw new ValueError(fn, `Input is not square: [${shape}]`);
    return [...shape.slice(0, -2), (d * (d - 1)) / 2];
  }
}

function checkTseq(fn: string, tseq: unknown): Transform[] {
  if (!Array.isArray(tseq) || !tseq.every((t) => t instanceof Transform))
    throw new ValueError(fn, `tseq must be an array of Transforms, got ${fmtValue(tseq)}`);
  return tseq as Transform[];
}
/** torch's asserts on the value of a Cat/Stack transform: dim in range and `size` entries along it. */
function checkAlong(fn: string, t: Tensor, dim: number, size: number): void {
  if (!(dim >= -t.ndim && dim < t.ndim)) throw new ValueError(fn, `dim ${dim} is out of range for a value of ${t.ndim} dims`);
  const n = t.shape[dim < 0 ? dim + t.ndim : dim];
  if (n !== size) throw new ValueError(fn, `expects ${size} entries along dim ${dim}, got ${n} (shape [${t.shape}])`);
}

/** Applies `tseq[i]` to the i-th block of `lengths[i]` entries along `dim` (as torch.cat joins them). */
export class CatTransform extends Transform {
  readonly transforms: Transform[];
  readonly lengths: number[];
  constructor(
    tseq: readonly Transform[],
    readonly dim = 0,
    lengths?: readonly number[] | null,
    cacheSize: CacheSize = 0,
  ) {
    super(cacheSize);
    const fn = 'distributions.transforms.CatTransform';
    const ts = checkTseq(fn, tseq);
    this.transforms = cacheSize ? ts.map((t) => t.withCache(cacheSize)) : [...ts];
    this.lengths = lengths ? [...lengths] : ts.map(() => 1);
    if (this.lengths.length !== ts.length || !this.lengths.every((l) => Number.isInteger(l) && l >= 0))
      throw new ValueError(fn, `lengths must hold one integer ≥ 0 per transform (${ts.length}), got ${fmtValue(lengths)}`);
    if (!Number.isInteger(dim)) throw new ValueError(fn, `dim must be an integer, got ${fmtValue(dim)}`);
  }
  override get typeName(): string {
    return 'CatTransform';
  }
  override get eventDim(): number {
    return Math.max(...this.transforms.map((t) => t.eventDim));
  }
  /** Σ lengths. */
  get length(): number {
    return this.lengths.reduce((a, b) => a + b, 0);
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new CatTransform(this.transforms, this.dim, this.lengths, cacheSize);
  }
  override get bijective(): boolean {
    return this.transforms.every((t) => t.bijective);
  }
  override get domain(): Constraint {
    return cat(
      this.transforms.map((t) => t.domain),
      this.dim,
      this.lengths,
    );
  }
  override get codomain(): Constraint {
    return cat(
      this.transforms.map((t) => t.codomain),
      this.dim,
      this.lengths,
    );
  }
  /** `f(block_i)` for each block along dim, concatenated. */
  private blocks(fn: string, v: Tensor, f: (t: Transform, block: Tensor, i: number, start: number) => Tensor): Tensor[] {
    checkAlong(fn, v, this.dim, this.length);
    let start = 0;
    return this.transforms.map((t, i) => {
      const out = f(t, v.narrow(this.dim, start, this.lengths[i]), i, start);
      start += this.lengths[i];
      return out;
    });
  }
  protected override _call(x: Tensor): Tensor {
    return catTensors(
      this.blocks(this.fnName(), x, (t, b) => t.call(b)),
      this.dim,
    );
  }
  protected override _inverse(y: Tensor): Tensor {
    return catTensors(
      this.blocks(this.fnName('inv'), y, (t, b) => t.inv.call(b)),
      this.dim,
    );
  }
  /**
   * Each block's log-det, summed over the event dims it has below the functor's; concatenated
   * along dim when dim is a batch dim of the log-det, else (dim inside the event) added.
   */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const fn = this.fnName('logAbsDetJacobian');
    checkAlong(fn, y, this.dim, this.length);
    const eventDim = this.eventDim;
    const terms = this.blocks(fn, x, (t, xb, i, start) => {
      const ldj = t.logAbsDetJacobian(xb, y.narrow(this.dim, start, this.lengths[i]));
      return t.eventDim < eventDim ? sumRightmost(ldj, eventDim - t.eventDim) : ldj;
    });
    const dim = (this.dim >= 0 ? this.dim - x.ndim : this.dim) + eventDim;
    return dim < 0 ? catTensors(terms, dim) : terms.reduce((a, b) => a.add(b));
  }
}

/** Applies `tseq[i]` to the i-th slice along `dim` (as torch.stack joins them). */
export class StackTransform extends Transform {
  readonly transforms: Transform[];
  constructor(
    tseq: readonly Transform[],
    readonly dim = 0,
    cacheSize: CacheSize = 0,
  ) {
    super(cacheSize);
    const fn = 'distributions.transforms.StackTransform';
    const ts = checkTseq(fn, tseq);
    this.transforms = cacheSize ? ts.map((t) => t.withCache(cacheSize)) : [...ts];
    if (!Number.isInteger(dim)) throw new ValueError(fn, `dim must be an integer, got ${fmtValue(dim)}`);
  }
  override get typeName(): string {
    return 'StackTransform';
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new StackTransform(this.transforms, this.dim, cacheSize);
  }
  override get bijective(): boolean {
    return this.transforms.every((t) => t.bijective);
  }
  override get domain(): Constraint {
    return stack(
      this.transforms.map((t) => t.domain),
      this.dim,
    );
  }
  override get codomain(): Constraint {
    return stack(
      this.transforms.map((t) => t.codomain),
      this.dim,
    );
  }
  private slices(fn: string, v: Tensor): Tensor[] {
    checkAlong(fn, v, this.dim, this.transforms.length);
    return this.transforms.map((_, i) => v.select(this.dim, i));
  }
  protected override _call(x: Tensor): Tensor {
    const xs = this.slices(this.fnName(), x);
    return stackTensors(
      this.transforms.map((t, i) => t.call(xs[i])),
      this.dim,
    );
  }
  protected override _inverse(y: Tensor): Tensor {
    const ys = this.slices(this.fnName('inv'), y);
    return stackTensors(
      this.transforms.map((t, i) => t.inv.call(ys[i])),
      this.dim,
    );
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const fn = this.fnName('logAbsDetJacobian');
    const xs = this.slices(fn, x),
      ys = this.slices(fn, y);
    return stackTensors(
      this.transforms.map((t, i) => t.logAbsDetJacobian(xs[i], ys[i])),
      this.dim,
    );
  }
}
