/** wg.distributions.transforms: torch.distributions.transforms of PyTorch 1.13 (the classes and identityTransform). */
export { Transform, ComposeTransform, IndependentTransform, ReshapeTransform, identityTransform, type CacheSize } from './transform.js';
export {
  ExpTransform,
  PowerTransform,
  SigmoidTransform,
  SoftplusTransform,
  TanhTransform,
  AbsTransform,
  AffineTransform,
  CumulativeDistributionTransform,
} from './transforms-elementwise.js';
export { SoftmaxTransform, StickBreakingTransform, LowerCholeskyTransform, CorrCholeskyTransform, CatTransform, StackTransform } from './transforms-vector.js';
