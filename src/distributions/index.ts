/**
 * wg.distributions: torch.distributions of PyTorch 1.13 under camelCase names (`log_prob` →
 * `logProb`, `batch_shape` → `batchShape`). Samples come from the seeded stream (wg.manualSeed).
 */
export { Distribution, ExponentialFamily, NotImplementedError, type DistributionOptions } from './distribution.js';
export * as constraints from './constraints.js';
export { Constraint } from './constraints.js';
export { klDivergence, registerKl } from './kl-builtin.js';
export type { DistributionClass, KlFn } from './kl.js';
export { broadcastAll, probsToLogits, logitsToProbs, clampProbs, lazyProperty } from './utils.js';
export { Normal } from './normal.js';
export { Uniform } from './uniform.js';
export { Exponential } from './exponential.js';
export { Laplace } from './laplace.js';
export { Cauchy } from './cauchy.js';
export { Gamma, Chi2 } from './gamma.js';
export { Beta } from './beta.js';
export { StudentT } from './student-t.js';
export { FisherSnedecor } from './fisher-snedecor.js';
export { VonMises } from './von-mises.js';
export { ContinuousBernoulli } from './continuous-bernoulli.js';
export { Independent } from './independent.js';
export { Bernoulli } from './bernoulli.js';
export { Categorical } from './categorical.js';
export { OneHotCategorical } from './one-hot-categorical.js';
export { Binomial } from './binomial.js';
export { Geometric } from './geometric.js';
export { Poisson } from './poisson.js';
export { NegativeBinomial } from './negative-binomial.js';
export { Multinomial } from './multinomial.js';
export type { ProbsOptions } from './discrete-utils.js';
export { MultivariateNormal, type MultivariateNormalOptions } from './multivariate-normal.js';
export * as transforms from './transforms.js';
export * from './transforms.js';
export * as constraintRegistry from './constraint-registry.js';
export { bijectTo, transformTo, ConstraintRegistry } from './constraint-registry.js';
export { trilMatrixToVec, vecToTrilMatrix } from './tril-vec.js';
export { TransformedDistribution } from './transformed-distribution.js';
export { LogNormal } from './log-normal.js';
export { HalfNormal } from './half-normal.js';
export { HalfCauchy } from './half-cauchy.js';
export { Gumbel } from './gumbel.js';
export { Weibull } from './weibull.js';
export { Pareto } from './pareto.js';
export { Kumaraswamy } from './kumaraswamy.js';
export { LogisticNormal } from './logistic-normal.js';
