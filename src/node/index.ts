/**
 * The 'wasmgrad/node' entry: what needs Node.js. File IO of safetensors files and checkpoints
 * (atomic writes), the MNIST loader, and the primitives the main entry loads lazily from here
 * (src/engine/host.ts): file bytes, the digit files, fit's terminal progress bar. The same
 * functions stay reachable as wg.node.* and wg.data.mnist() on the main entry.
 *
 *   import { saveFile } from 'wasmgrad/node';
 *   await saveFile('model.safetensors', model);
 */
import { node } from '../io/node.js';
export { mnist, type Split } from '../data/mnist.js';
export * from './host.js';

export const { saveFile, loadFile, loadFileWithMetadata, saveCheckpointFile, loadCheckpointFile } = node;
