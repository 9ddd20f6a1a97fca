/**
 * The KL pairs torch 1.13 registers for the transformed distributions, registered by
 * `registerTransformedKl()` (kl-builtin.ts calls it before the first klDivergence or registerKl).
 */
import type { Tensor } from '../engine/tensor.js';
import { where } from '../api/integer.js';
import { NotImplementedError } from './errors.js';
import { torchSize } from './format.js';
import { Gumbel, EULER_CONSTANT } from './gumbel.js';
import { HalfNormal } from './half-normal.js';
import { klDivergence, registerKl } from './kl.js';
import { Pareto } from './pareto.js';
import { transformsEqual } from './transform.js';
import { TransformedDistribution, sameShape } from './transformed-distribution.js';

/** ½(σp²/σq² − 1 − log(σp²/σq²)): the Normal pair at equal (zero) locations. */
const halfNormalKl = (p: HalfNormal, q: HalfNormal): Tensor => {
  const varRatio = p.scale.div(q.scale).square();
  return varRatio.sub(1).sub(varRatio.log()).mul(0.5);
};

export function registerTransformedKl(): void {
  /** Equal transforms and event shapes: the KL of the bases (a bijection leaves KL unchanged). */
  registerKl(TransformedDistribution, TransformedDistribution, (p, q) => {
    if (!transformsEqual(p.transforms, q.transforms))
      throw new NotImplementedError('distributions.klDivergence', 'KL between TransformedDistributions is only implemented for equal transforms');
    if (!sameShape(p.eventShape, q.eventShape))
      throw new NotImplementedError(
        'distributions.klDivergence',
        `KL between TransformedDistributions needs equal event shapes, got ${torchSize(p.eventShape)} and ${torchSize(q.eventShape)}`,
      );
    return klDivergence(p.baseDist, q.baseDist);
  });
  /** −log(σp/σq) − μq/σq + μp/σq + γσp/σq + exp(μq/σq + lgamma(1 + σp/σq) − μp/σq) − (1 + γ). */
  registerKl(Gumbel, Gumbel, (p, q) => {
    const ct1 = p.scale.div(q.scale),
      ct2 = q.loc.div(q.scale),
      ct3 = p.loc.div(q.scale);
    const t1 = ct1.log().neg().sub(ct2).add(ct3);
    const t3 = ct2.add(ct1.add(1).lgamma()).sub(ct3).exp();
    return t1
      .add(ct1.mul(EULER_CONSTANT))
      .add(t3)
      .sub(1 + EULER_CONSTANT);
  });
  registerKl(HalfNormal, HalfNormal, halfNormalKl);
  /** αq·log(sp/sq) − log(αq/αp) + αq/αp − 1; +∞ where p's support starts below q's. */
  registerKl(Pareto, Pareto, (p, q) => {
    const alphaRatio = q.alpha.div(p.alpha);
    const result = q.alpha.mul(p.scale.div(q.scale).log()).sub(alphaRatio.log()).add(alphaRatio).sub(1);
    return where(p.scale.lt(q.scale), Infinity, result);
  });
}
