export { mnist, type Split } from './mnist.js';
export {
  Dataset,
  TensorDataset,
  Subset,
  ConcatDataset,
  randomSplit,
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  BatchSampler,
  defaultCollate,
  DataLoader,
  type DataLoaderOptions,
  type RandomSamplerOptions,
  Sampler,
  type MapDataset,
} from './loader.js';
export { IterableDataset, ChainDataset, getWorkerInfo } from './iterable.js';
export { defaultConvert } from './convert.js';
