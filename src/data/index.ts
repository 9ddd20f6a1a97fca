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
  type MapDataset,
} from './loader.js';
