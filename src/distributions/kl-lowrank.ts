/**
 * The KL pairs torch 1.13 registers for LowRankMultivariateNormal (with itself and with
 * MultivariateNormal, both ways), registered by `registerLowRankKl()` (kl-builtin.ts's BUILTINS).
 * Each is ½(log|Σq|/|Σp| + tr(Σq⁻¹Σp) + (μq − μp)ᵀΣq⁻¹(μq − μp) − n), the log-determinants and
 * the Mahalanobis norm by the capacitance (lowrank-multivariate-normal.ts) where q is low-rank,
 * and the trace expanded as torch's into squared Frobenius norms (no n×n inverse).
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { solveTriangular } from '../api/linalg-lu.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { registerKl } from './kl.js';
import { LowRankMultivariateNormal, lowrankLogdet, lowrankMahalanobis, wtDinv } from './lowrank-multivariate-normal.js';
import { halfLogDet } from './matrix-params.js';
import { MultivariateNormal, batchMahalanobis } from './multivariate-normal.js';

const FN = 'distributions.klDivergence';

/** tr(X·Xᵀ) = Σ Xᵢⱼ² over the last two dims (torch's _batch_trace_XXT). */
const traceXXt = (X: Tensor): Tensor => X.square().sum([-2, -1]);

const logdetOf = (d: LowRankMultivariateNormal): Tensor => lowrankLogdet(d._unbroadcastedCovFactor, d._unbroadcastedCovDiag, d._capacitanceTril);
/** log|Σ| = 2·Σ log Lᵢᵢ of a MultivariateNormal. */
const mvnLogdet = (d: MultivariateNormal): Tensor => halfLogDet(d._unbroadcastedScaleTril).mul(2);

function checkEvents(p: { eventShape: number[] }, q: { eventShape: number[] }, what: string): number {
  if (p.eventShape[0] !== q.eventShape[0])
    throw new ValueError(FN, `KL-divergence between two ${what} with different event shapes cannot be computed (${p.eventShape[0]} and ${q.eventShape[0]})`);
  return p.eventShape[0];
}

/**
 * With q low-rank: (μq − μp)ᵀΣq⁻¹(μq − μp), and A = L_C⁻¹·Wqᵀ·Dq⁻¹, so that
 * Σq⁻¹ = Dq⁻¹ − AᵀA (Woodbury) for the trace.
 */
function lowRankQ(p: { loc: Tensor }, q: LowRankMultivariateNormal): { term3: Tensor; A: Tensor } {
  const W = q._unbroadcastedCovFactor,
    D = q._unbroadcastedCovDiag;
  const term3 = lowrankMahalanobis(W, D, q.loc.sub(p.loc), q._capacitanceTril);
  const A = solveTriangular(q._capacitanceTril, wtDinv(W, D), { upper: false });
  return { term3, A };
}

export function registerLowRankKl(): void {
  /** tr(Σq⁻¹Σp) = Σ Dp/Dq + |Dq^-½·Wp|² − |A·Dp^½|² − |A·Wp|². */
  registerKl(LowRankMultivariateNormal, LowRankMultivariateNormal, (p, q) => {
    const n = checkEvents(p, q, 'Low Rank Multivariate Normals');
    const term1 = logdetOf(q).sub(logdetOf(p));
    const { term3, A } = lowRankQ(p, q);
    const Wp = p._unbroadcastedCovFactor,
      Dp = p._unbroadcastedCovDiag,
      Dq = q._unbroadcastedCovDiag;
    const term21 = Dp.div(Dq).sum(-1);
    const term22 = traceXXt(Wp.mul(Dq.rsqrt().unsqueeze(-1)));
    const term23 = traceXXt(A.mul(Dp.sqrt().unsqueeze(-2)));
    const term24 = traceXXt(A.matmul(Wp));
    const term2 = term21.add(term22).sub(term23).sub(term24);
    return term1.add(term2).add(term3).sub(n).mul(0.5);
  });

  /** tr(Σq⁻¹·Lp·Lpᵀ) = |Dq^-½·Lp|² − |A·Lp|². */
  registerKl(MultivariateNormal, LowRankMultivariateNormal, (p, q) => {
    const n = checkEvents(p, q, '(Low Rank) Multivariate Normals');
    const term1 = logdetOf(q).sub(mvnLogdet(p));
    const { term3, A } = lowRankQ(p, q);
    const Lp = p._unbroadcastedScaleTril;
    const term21 = traceXXt(Lp.mul(q._unbroadcastedCovDiag.rsqrt().unsqueeze(-1)));
    const term22 = traceXXt(A.matmul(Lp));
    return term1.add(term21.sub(term22)).add(term3).sub(n).mul(0.5);
  });

  /** tr(Σq⁻¹(Wp·Wpᵀ + Dp)) = |Lq⁻¹·Wp|² + |Lq⁻¹·Dp^½|², both over the batch of the two factors. */
  registerKl(LowRankMultivariateNormal, MultivariateNormal, (p, q) => {
    const n = checkEvents(p, q, '(Low Rank) Multivariate Normals');
    const Lq = q._unbroadcastedScaleTril,
      Wp = p._unbroadcastedCovFactor;
    const term1 = mvnLogdet(q).sub(logdetOf(p));
    const term3 = batchMahalanobis(Lq, q.loc.sub(p.loc));
    const batch = broadcastShapes(FN, [Lq.shape.slice(0, -2), Wp.shape.slice(0, -2)]);
    const qTril = Lq.expand([...batch, n, n]);
    const term21 = traceXXt(solveTriangular(qTril, Wp.expand([...batch, n, Wp.shape[Wp.ndim - 1]]), { upper: false }));
    const term22 = traceXXt(
      solveTriangular(
        qTril,
        p._unbroadcastedCovDiag
          .sqrt()
          .diagEmbed()
          .expand([...batch, n, n]),
        { upper: false },
      ),
    );
    return term1.add(term21.add(term22)).add(term3).sub(n).mul(0.5);
  });
}
