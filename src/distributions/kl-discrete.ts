/**
 * The KL pairs torch 1.13 registers among the discrete distributions: Bernoulli, Binomial,
 * Categorical, OneHotCategorical, Geometric and Poisson with themselves, Bernoulli‖Poisson, and
 * Poisson‖Bernoulli / Poisson‖Binomial (∞: a Poisson puts mass beyond any bounded support).
 * Entries torch sets in place (`t[mask] = inf`) are `where`s: no gradient flows through them.
 * Registered by `registerDiscreteKl()` (kl-builtin.ts calls it before the first klDivergence or registerKl).
 */
import type { Tensor } from '../engine/tensor.js';
import { full } from '../api/creation.js';
import { Bernoulli } from './bernoulli.js';
import { Binomial } from './binomial.js';
import { Categorical } from './categorical.js';
import { setWhere } from './discrete-utils.js';
import { NotImplementedError } from './errors.js';
import { Geometric } from './geometric.js';
import { registerKl } from './kl.js';
import { OneHotCategorical } from './one-hot-categorical.js';
import { Poisson } from './poisson.js';

/** p·(softplus(−l_q) − softplus(−l_p)) + (1 − p)·(softplus(l_q) − softplus(l_p)), ∞ where q puts no mass on a value p does. */
const klBernoulliBernoulli = (p: Bernoulli, q: Bernoulli): Tensor => {
  let t1 = p.probs.mul(q.logits.neg().softplus().sub(p.logits.neg().softplus()));
  t1 = setWhere(setWhere(t1, q.probs.eq(0), Infinity), p.probs.eq(0), 0);
  let t2 = p.probs.neg().add(1).mul(q.logits.softplus().sub(p.logits.softplus()));
  t2 = setWhere(setWhere(t2, q.probs.eq(1), Infinity), p.probs.eq(1), 0);
  return t1.add(t2);
};

/** n·(p_p·(l_p − l_q) + log(1 − p_p) − log(1 − p_q)) for equal counts; ∞ where p's count exceeds q's. */
function klBinomialBinomial(p: Binomial, q: Binomial): Tensor {
  if (p.totalCount.lt(q.totalCount).any().item())
    throw new NotImplementedError('distributions.klDivergence', 'KL between Binomials where q.total_count > p.total_count is not implemented');
  const kl = p.totalCount.mul(p.probs.mul(p.logits.sub(q.logits)).add(p.probs.neg().log1p()).sub(q.probs.neg().log1p()));
  return setWhere(kl, p.totalCount.gt(q.totalCount), Infinity);
}

/** Σ p·(log p − log q), a term ∞ where q is 0 and 0 where p is 0. */
function klCategorical(p: Categorical, q: Categorical): Tensor {
  let t = p.probs.mul(p.logits.sub(q.logits));
  t = setWhere(setWhere(t, q.probs.eq(0).expand(t.shape), Infinity), p.probs.eq(0).expand(t.shape), 0);
  return t.sum(-1);
}

/** −H(p) − log(1 − q)/p_p − l_q. */
const klGeometricGeometric = (p: Geometric, q: Geometric): Tensor => p.entropy().neg().sub(q.probs.neg().log1p().div(p.probs)).sub(q.logits);

/** λp·(log λp − log λq) − (λp − λq). */
const klPoissonPoisson = (p: Poisson, q: Poisson): Tensor => p.rate.mul(p.rate.log().sub(q.rate.log())).sub(p.rate.sub(q.rate));

/** −H(p) − (p·log λ − λ). */
const klBernoulliPoisson = (p: Bernoulli, q: Poisson): Tensor => p.entropy().neg().sub(p.probs.mul(q.rate.log()).sub(q.rate));

const klPoissonInfinity = (p: Poisson): Tensor => full(p.rate.shape, Infinity);

/** Registers the discrete pairs (kl-builtin.ts's BUILTINS). */
export function registerDiscreteKl(): void {
  registerKl(Bernoulli, Bernoulli, klBernoulliBernoulli);
  registerKl(Binomial, Binomial, klBinomialBinomial);
  registerKl(Categorical, Categorical, klCategorical);
  registerKl(OneHotCategorical, OneHotCategorical, (p, q) => klCategorical(p._categorical, q._categorical));
  registerKl(Geometric, Geometric, klGeometricGeometric);
  registerKl(Poisson, Poisson, klPoissonPoisson);
  registerKl(Bernoulli, Poisson, klBernoulliPoisson);
  registerKl(Poisson, Bernoulli, klPoissonInfinity);
  registerKl(Poisson, Binomial, klPoissonInfinity);
}
