/** torch.utils's path for ported code: `wg.utils.data` is `wg.data` (torch.utils.data's DataLoader, TensorDataset, …). */
export * as data from './data/index.js';
