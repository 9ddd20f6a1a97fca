/**
 * The KL pairs torch 1.13 registers among the directly parametrized continuous distributions
 * (and ExponentialFamily's Bregman form), with torch's formulas, registered by
 * `registerContinuousKl()` (kl-builtin.ts calls it before the first klDivergence or registerKl). Pairs whose support of p is not inside
 * q's give +∞ where torch assigns inf.
 */
import type { Tensor } from '../engine/tensor.js';
import { fullLike } from '../api/factories.js';
import { where } from '../api/integer.js';
import { grad } from '../api/autograd.js';
import { Beta } from './beta.js';
import { Cauchy } from './cauchy.js';
import { ContinuousBernoulli } from './continuous-bernoulli.js';
import { ExponentialFamily } from './distribution.js';
import { Exponential } from './exponential.js';
import { Gamma } from './gamma.js';
import { Independent } from './independent.js';
import { klDivergence, registerKl, type DistributionClass } from './kl.js';
import { NotImplementedError } from './errors.js';
import { Laplace } from './laplace.js';
import { Normal } from './normal.js';
import { Uniform } from './uniform.js';
import { sumRightmost } from './utils.js';

const EULER_GAMMA = 0.5772156649015328606;
const LOG_2PI = Math.log(2 * Math.PI);

/** +∞ where `mask`, else `result`. */
const infWhere = (mask: Tensor, result: Tensor): Tensor => where(mask, Infinity, result);
/** x·log x (torch's _x_log_x: NaN at 0, as 0·(−∞)). */
const xLogX = (x: Tensor): Tensor => x.mul(x.log());
/** +∞ shaped as t (torch's _infinite_like). */
const infiniteLike = (t: Tensor): Tensor => fullLike(t, Infinity);
/** a ∨ b of 0/1 tensors. */
const or = (a: Tensor, b: Tensor): Tensor => a.add(b).gt(0);

const exponentialInfinity = (p: Exponential): Tensor => infiniteLike(p.rate);
const gammaInfinity = (p: Gamma): Tensor => infiniteLike(p.concentration);
const laplaceInfinity = (p: Laplace): Tensor => infiniteLike(p.loc);
const normalInfinity = (p: Normal): Tensor => infiniteLike(p.loc);
const INFINITE_Q: DistributionClass[] = [Beta, ContinuousBernoulli, Exponential, Gamma, Uniform];

/**
 * KL between two members of one exponential family as the Bregman divergence of its log
 * normalizer F: F(θq) − F(θp) − ⟨θq − θp, ∇F(θp)⟩, ∇F by autograd at a detached θp (graph kept,
 * so the result has gradients through ∇F and θq, as torch's).
 */
function klExpFamily(p: ExponentialFamily, q: ExponentialFamily): Tensor {
  if (p.constructor !== q.constructor)
    throw new NotImplementedError(
      'distributions.klDivergence',
      'The cross KL-divergence between different exponential families cannot be computed using Bregman divergences',
    );
  const pParams = p.naturalParams.map((t) => t.detach().requiresGrad_());
  const qParams = q.naturalParams;
  const lgNormal = p.logNormalizer(...pParams);
  const gradients = grad(lgNormal.sum(), pParams, { createGraph: true });
  let result = q.logNormalizer(...qParams).sub(lgNormal);
  pParams.forEach((pnp, i) => {
    result = result.sub(sumRightmost(qParams[i].sub(pnp).mul(gradients[i]!), q.eventShape.length));
  });
  return result;
}

/** Registers the pairs (once per call: kl-builtin.ts calls it once). */
export function registerContinuousKl(): void {
  /** ½(σp²/σq² + (μp − μq)²/σq² − 1 − log(σp²/σq²)). */
  registerKl(Normal, Normal, (p, q) => {
    const varRatio = p.scale.div(q.scale).square();
    const t1 = p.loc.sub(q.loc).div(q.scale).square();
    return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
  });
  registerKl(ExponentialFamily, ExponentialFamily, klExpFamily);
  registerKl(Uniform, Uniform, (p, q) => {
    const result = q.high.sub(q.low).div(p.high.sub(p.low)).log();
    return infWhere(or(q.low.gt(p.low), q.high.lt(p.high)), result);
  });

  registerKl(Exponential, Exponential, (p, q) => {
    const ratio = q.rate.div(p.rate);
    return ratio.log().neg().add(ratio).sub(1);
  });

  registerKl(Laplace, Laplace, (p, q) => {
    const scaleRatio = p.scale.div(q.scale);
    const locAbsDiff = p.loc.sub(q.loc).abs();
    const t3 = scaleRatio.mul(locAbsDiff.neg().div(p.scale).exp());
    return scaleRatio.log().neg().add(locAbsDiff.div(q.scale)).add(t3).sub(1);
  });

  /** log(((σp + σq)² + (μp − μq)²)/(4σpσq)) (Chyzak & Nielsen 2019). */
  registerKl(Cauchy, Cauchy, (p, q) => {
    const t1 = p.scale.add(q.scale).square().add(p.loc.sub(q.loc).square()).log();
    return t1.sub(p.scale.mul(q.scale).mul(4).log());
  });

  registerKl(Gamma, Gamma, (p, q) => {
    const t1 = q.concentration.mul(p.rate.div(q.rate).log());
    const t2 = q.concentration.lgamma().sub(p.concentration.lgamma());
    const t3 = p.concentration.sub(q.concentration).mul(p.concentration.digamma());
    const t4 = q.rate.sub(p.rate).mul(p.concentration.div(p.rate));
    return t1.add(t2).add(t3).add(t4);
  });

  registerKl(Beta, Beta, (p, q) => {
    const sumP = p.concentration1.add(p.concentration0),
      sumQ = q.concentration1.add(q.concentration0);
    const t1 = q.concentration1.lgamma().add(q.concentration0.lgamma()).add(sumP.lgamma());
    const t2 = p.concentration1.lgamma().add(p.concentration0.lgamma()).add(sumQ.lgamma());
    const t3 = p.concentration1.sub(q.concentration1).mul(p.concentration1.digamma());
    const t4 = p.concentration0.sub(q.concentration0).mul(p.concentration0.digamma());
    const t5 = sumQ.sub(sumP).mul(sumP.digamma());
    return t1.sub(t2).add(t3).add(t4).add(t5);
  });

  registerKl(ContinuousBernoulli, ContinuousBernoulli, (p, q) => {
    const t1 = p.mean.mul(p.logits.sub(q.logits));
    const t2 = p.contBernLogNorm().add(p.probs.neg().log1p());
    const t3 = q.contBernLogNorm().neg().sub(q.probs.neg().log1p());
    return t1.add(t2).add(t3);
  });

  registerKl(Independent, Independent, (p, q) => {
    if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims)
      throw new NotImplementedError(
        'distributions.klDivergence',
        `Independent distributions with ${p.reinterpretedBatchNdims} and ${q.reinterpretedBatchNdims} reinterpreted batch dims`,
      );
    return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.reinterpretedBatchNdims);
  });

  // ---- cross pairs ----

  registerKl(Beta, ContinuousBernoulli, (p, q) => p.entropy().neg().sub(p.mean.mul(q.logits)).sub(q.probs.neg().log1p()).sub(q.contBernLogNorm()));
  registerKl(Beta, Exponential, (p, q) =>
    p
      .entropy()
      .neg()
      .sub(q.rate.log())
      .add(q.rate.mul(p.concentration1.div(p.concentration1.add(p.concentration0)))),
  );
  registerKl(Beta, Gamma, (p, q) => {
    const sum = p.concentration1.add(p.concentration0);
    const t2 = q.concentration.lgamma().sub(q.concentration.mul(q.rate.log()));
    const t3 = q.concentration.sub(1).mul(p.concentration1.digamma().sub(sum.digamma()));
    const t4 = q.rate.mul(p.concentration1).div(sum);
    return p.entropy().neg().add(t2).sub(t3).add(t4);
  });
  registerKl(Beta, Normal, (p, q) => {
    const sum = p.concentration1.add(p.concentration0);
    const eBeta = p.concentration1.div(sum);
    const varNormal = q.scale.square();
    const t2 = varNormal
      .mul(2 * Math.PI)
      .log()
      .mul(0.5);
    const t3 = eBeta.mul(eBeta.neg().add(1)).div(sum.add(1)).add(eBeta.square()).mul(0.5);
    const t4 = q.loc.mul(eBeta);
    const t5 = q.loc.square().mul(0.5);
    return p.entropy().neg().add(t2).add(t3.sub(t4).add(t5).div(varNormal));
  });
  registerKl(Beta, Uniform, (p, q) => {
    const result = p.entropy().neg().add(q.high.sub(q.low).log());
    return infWhere(or(q.low.gt(0), q.high.lt(1)), result);
  });

  registerKl(ContinuousBernoulli, Exponential, (p, q) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.mean)));
  registerKl(ContinuousBernoulli, Normal, (p, q) => {
    const t2 = q.loc.div(q.scale).square().add(LOG_2PI).mul(0.5).add(q.scale.log());
    const t3 = p.variance.add(p.mean.square()).sub(q.loc.mul(2).mul(p.mean)).div(q.scale.square().mul(2));
    return p.entropy().neg().add(t2).add(t3);
  });
  /** torch's test: +∞ where q.low ≥ 0 or q.high ≤ 1 (its max of the two masks), as written in torch 1.13. */
  registerKl(ContinuousBernoulli, Uniform, (p, q) => {
    const result = p.entropy().neg().add(q.high.sub(q.low).log());
    return infWhere(or(q.low.ge(0), q.high.le(1)), result);
  });

  registerKl(Exponential, Beta, exponentialInfinity);
  registerKl(Exponential, ContinuousBernoulli, exponentialInfinity);
  registerKl(Exponential, Uniform, exponentialInfinity);
  registerKl(Exponential, Gamma, (p, q) => {
    const ratio = q.rate.div(p.rate);
    const t1 = q.concentration.neg().mul(ratio.log());
    return t1
      .add(ratio)
      .add(q.concentration.lgamma())
      .add(q.concentration.mul(EULER_GAMMA))
      .sub(1 + EULER_GAMMA);
  });
  registerKl(Exponential, Normal, (p, q) => {
    const varNormal = q.scale.square();
    const rateSqr = p.rate.square();
    const t1 = rateSqr
      .mul(varNormal)
      .mul(2 * Math.PI)
      .log()
      .mul(0.5);
    const t2 = rateSqr.reciprocal();
    const t3 = q.loc.div(p.rate);
    const t4 = q.loc.square().mul(0.5);
    return t1.sub(1).add(t2.sub(t3).add(t4).div(varNormal));
  });

  registerKl(Gamma, Beta, gammaInfinity);
  registerKl(Gamma, ContinuousBernoulli, gammaInfinity);
  registerKl(Gamma, Uniform, gammaInfinity);
  registerKl(Gamma, Exponential, (p, q) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.concentration).div(p.rate)));
  registerKl(Gamma, Normal, (p, q) => {
    const varNormal = q.scale.square();
    const betaSqr = p.rate.square();
    const a = p.concentration;
    const t1 = betaSqr
      .mul(varNormal)
      .mul(2 * Math.PI)
      .log()
      .mul(0.5)
      .sub(a)
      .sub(a.lgamma());
    const t2 = a.square().add(a).mul(0.5).div(betaSqr);
    const t3 = q.loc.mul(a).div(p.rate);
    const t4 = q.loc.square().mul(0.5);
    return t1.add(a.sub(1).mul(a.digamma())).add(t2.sub(t3).add(t4).div(varNormal));
  });

  for (const Q of INFINITE_Q) registerKl(Laplace, Q, laplaceInfinity);
  registerKl(Laplace, Normal, (p, q) => {
    const varNormal = q.scale.square();
    const ratio = p.scale.square().div(varNormal);
    const t1 = ratio
      .mul(2 / Math.PI)
      .log()
      .mul(0.5);
    const t2 = p.loc.square().mul(0.5);
    const t3 = p.loc.mul(q.loc);
    const t4 = q.loc.square().mul(0.5);
    return t1.neg().add(ratio).add(t2.sub(t3).add(t4).div(varNormal)).sub(1);
  });

  for (const Q of INFINITE_Q) registerKl(Normal, Q, normalInfinity);
  registerKl(Normal, Laplace, (p, q) => {
    const locDiff = p.loc.sub(q.loc);
    const scaleRatio = p.scale.div(q.scale);
    const ratio = locDiff.div(p.scale);
    const t2 = p.scale.mul(Math.sqrt(2 / Math.PI)).mul(ratio.square().mul(-0.5).exp());
    const t3 = locDiff.mul(ratio.mul(Math.SQRT1_2).erf());
    return scaleRatio
      .log()
      .neg()
      .add(t2.add(t3).div(q.scale))
      .sub(0.5 * (1 + Math.log(0.5 * Math.PI)));
  });

  registerKl(Uniform, Beta, (p, q) => {
    const common = p.high.sub(p.low);
    const t1 = common.log();
    const t2 = q.concentration1
      .sub(1)
      .mul(xLogX(p.high).sub(xLogX(p.low)).sub(common))
      .div(common);
    const t3 = q.concentration0
      .sub(1)
      .mul(
        xLogX(p.high.neg().add(1))
          .sub(xLogX(p.low.neg().add(1)))
          .add(common),
      )
      .div(common);
    const t4 = q.concentration1.lgamma().add(q.concentration0.lgamma()).sub(q.concentration1.add(q.concentration0).lgamma());
    return infWhere(or(p.high.gt(1), p.low.lt(0)), t3.add(t4).sub(t1).sub(t2));
  });
  registerKl(Uniform, ContinuousBernoulli, (p, q) => {
    const result = p.entropy().neg().sub(p.mean.mul(q.logits)).sub(q.probs.neg().log1p()).sub(q.contBernLogNorm());
    return infWhere(or(p.high.ge(1), p.low.le(0)), result);
  });
  registerKl(Uniform, Exponential, (p, q) => {
    const result = q.rate.mul(p.high.add(p.low)).div(2).sub(p.high.sub(p.low).mul(q.rate).log());
    return infWhere(p.low.lt(0), result);
  });
  registerKl(Uniform, Gamma, (p, q) => {
    const common = p.high.sub(p.low);
    const t1 = common.log();
    const t2 = q.concentration.lgamma().sub(q.concentration.mul(q.rate.log()));
    const t3 = q.concentration
      .neg()
      .add(1)
      .mul(xLogX(p.high).sub(xLogX(p.low)).sub(common))
      .div(common);
    const t4 = q.rate.mul(p.high.add(p.low)).div(2);
    return infWhere(p.low.lt(0), t1.neg().add(t2).add(t3).add(t4));
  });
  registerKl(Uniform, Normal, (p, q) => {
    const common = p.high.sub(p.low);
    const t1 = q.scale
      .mul(Math.sqrt(2 * Math.PI))
      .div(common)
      .log();
    const t2 = common.square().div(12);
    const t3 = p.high.add(p.low).sub(q.loc.mul(2)).div(2).square();
    return t1.add(t2.add(t3).mul(0.5).div(q.scale.square()));
  });
}
