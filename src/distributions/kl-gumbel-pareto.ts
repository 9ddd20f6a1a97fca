/**
 * The KL pairs torch 1.13 registers between Gumbel or Pareto and the directly parametrized
 * continuous distributions, with torch's formulas, registered by `registerGumbelParetoKl()`
 * (kl-builtin.ts's BUILTINS). A pair where p puts mass outside q's support is +∞, as torch's:
 * Gumbel (support ℝ) against every q of bounded-below support, and every p of support reaching
 * below x_m against a Pareto q. Entries torch sets in place (`result[mask] = inf`) are `where`s.
 */
import type { Tensor } from '../engine/tensor.js';
import { fullLike } from '../api/factories.js';
import { where } from '../api/integer.js';
import { Beta } from './beta.js';
import { ContinuousBernoulli } from './continuous-bernoulli.js';
import { Exponential } from './exponential.js';
import { Gamma } from './gamma.js';
import { EULER_CONSTANT as EULER_GAMMA, Gumbel } from './gumbel.js';
import { registerKl, type DistributionClass, type KlFn } from './kl.js';
import { Laplace } from './laplace.js';
import { Normal } from './normal.js';
import { Pareto } from './pareto.js';
import { Uniform } from './uniform.js';
import type { Distribution } from './distribution.js';

/** x·log x (torch's _x_log_x). */
const xLogX = (x: Tensor): Tensor => x.mul(x.log());

/** Registers KL(p ‖ q) = +∞ (shaped as the parameter `param` picks of p) for p of class P against each Q. */
function registerInfinite<P extends Distribution>(P: DistributionClass<P>, Qs: DistributionClass[], param: (p: P) => Tensor): void {
  const fn: KlFn<P, Distribution> = (p) => fullLike(param(p), Infinity);
  for (const Q of Qs) registerKl(P, Q, fn);
}

export function registerGumbelParetoKl(): void {
  registerInfinite(Beta, [Pareto], (p) => p.concentration1);
  registerInfinite(ContinuousBernoulli, [Pareto], (p) => p.probs);
  registerInfinite(Exponential, [Pareto], (p) => p.rate);
  registerInfinite(Gamma, [Pareto], (p) => p.concentration);
  registerInfinite(Laplace, [Pareto], (p) => p.loc);
  registerInfinite(Normal, [Pareto], (p) => p.loc);
  registerInfinite(Gumbel, [Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform], (p) => p.loc);
  registerInfinite(Pareto, [Beta, ContinuousBernoulli, Uniform], (p) => p.scale);

  /** With k = λσ and r = μ/σ: log k − 1 − r + eʳ·k/(k + 1) + 1/k. */
  registerKl(Exponential, Gumbel, (p, q) => {
    const k = p.rate.mul(q.scale),
      r = q.loc.div(q.scale);
    const t2 = r.exp().mul(k).div(k.add(1));
    return k.log().sub(1).sub(r).add(t2).add(k.reciprocal());
  });

  /** With k = βσ, r = μ/σ: (α − 1)ψ(α) − lgamma α − α + log k + α/k + eʳ(1 + 1/k)^(−α) − r. */
  registerKl(Gamma, Gumbel, (p, q) => {
    const a = p.concentration;
    const k = p.rate.mul(q.scale),
      r = q.loc.div(q.scale);
    const t1 = a.sub(1).mul(a.digamma()).sub(a.lgamma()).sub(a);
    const t2 = k.log().add(a.div(k));
    const t3 = r.exp().mul(k.reciprocal().add(1).pow(a.neg())).sub(r);
    return t1.add(t2).add(t3);
  });

  /** With ρ = σp/σq: −log(ρ/√(2π)) + (πρ/2)²/3 + ½((μp + γσp − μq)/σq)² − (γ + 1). */
  registerKl(Gumbel, Normal, (p, q) => {
    const ratio = p.scale.div(q.scale);
    const t1 = ratio.div(Math.sqrt(2 * Math.PI)).log();
    const t2 = ratio
      .mul(Math.PI * 0.5)
      .square()
      .div(3);
    const t3 = p.loc.add(p.scale.mul(EULER_GAMMA)).sub(q.loc).div(q.scale).square().mul(0.5);
    return t1
      .neg()
      .add(t2)
      .add(t3)
      .sub(EULER_GAMMA + 1);
  });

  /** With m = μp/σq, v = (σp/σq)², r = μq/σq: −½log v + m − r + exp(−m + v/2 + r) − ½(1 + log 2π). */
  registerKl(Normal, Gumbel, (p, q) => {
    const m = p.loc.div(q.scale),
      v = p.scale.div(q.scale).square(),
      r = q.loc.div(q.scale);
    const t3 = m.neg().add(v.mul(0.5)).add(r).exp();
    return v
      .log()
      .mul(-0.5)
      .add(m.sub(r))
      .add(t3)
      .sub(0.5 * (1 + Math.log(2 * Math.PI)));
  });

  /** With k = x_m·λ: log(α/k) − 1/α + αk/(α − 1) − 1; +∞ for α ≤ 1 (p has no mean). */
  registerKl(Pareto, Exponential, (p, q) => {
    const k = p.scale.mul(q.rate);
    const a = p.alpha;
    const result = a
      .div(k)
      .log()
      .sub(a.reciprocal())
      .add(a.mul(k).div(a.sub(1)))
      .sub(1);
    return where(a.le(1), Infinity, result);
  });

  /** With c = log x_m + 1/α (E[log X]): log α − c + lgamma a − a·log b + (1 − a)c + bαx_m/(α − 1) − 1; +∞ for α ≤ 1. */
  registerKl(Pareto, Gamma, (p, q) => {
    const a = p.alpha;
    const common = p.scale.log().add(a.reciprocal());
    const t1 = a.log().sub(common);
    const t2 = q.concentration.lgamma().sub(q.concentration.mul(q.rate.log()));
    const t3 = q.concentration.neg().add(1).mul(common);
    const t4 = q.rate.mul(a).mul(p.scale).div(a.sub(1));
    return where(a.le(1), Infinity, t1.add(t2).add(t3).add(t4).sub(1));
  });

  /** log(√(2π)σα/x_m) − 1/α + (Var X + (E X − μ)²)/(2σ²) − 1 with c = x_m/(α − 1); +∞ for α ≤ 2 (p has no variance). */
  registerKl(Pareto, Normal, (p, q) => {
    const a = p.alpha;
    const varNormal = q.scale.square().mul(2);
    const common = p.scale.div(a.sub(1));
    const t1 = q.scale
      .mul(Math.sqrt(2 * Math.PI))
      .mul(a)
      .div(p.scale)
      .log();
    const t3 = a.mul(common.square()).div(a.sub(2));
    const t4 = a.mul(common).sub(q.loc).square();
    const result = t1.sub(a.reciprocal()).add(t3.add(t4).div(varNormal)).sub(1);
    return where(a.le(2), Infinity, result);
  });

  /** With c = σ/(b − a), h = (b − μ)/σ, l = (a − μ)/σ: log c + ½(h + l) − c(e^−h − e^−l). */
  registerKl(Uniform, Gumbel, (p, q) => {
    const common = q.scale.div(p.high.sub(p.low));
    const h = p.high.sub(q.loc).div(q.scale),
      l = p.low.sub(q.loc).div(q.scale);
    const t1 = common.log().add(h.add(l).mul(0.5));
    const t2 = common.mul(h.neg().exp().sub(l.neg().exp()));
    return t1.sub(t2);
  });

  /** (α + 1)·(b·log b − a·log a − (b − a))/(b − a) − log(α·x_m^α·(b − a)); +∞ where a < x_m. */
  registerKl(Uniform, Pareto, (p, q) => {
    const width = p.high.sub(p.low);
    const t1 = q.alpha.mul(q.scale.pow(q.alpha)).mul(width).log();
    const t2 = xLogX(p.high).sub(xLogX(p.low)).sub(width).div(width);
    return where(p.low.lt(q.scale), Infinity, t2.mul(q.alpha.add(1)).sub(t1));
  });
}
