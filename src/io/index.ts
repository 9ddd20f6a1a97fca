/** wg.save / wg.load: safetensors serialisation of state dicts (wg.load and wg.loadTorch also read torch.save files); wg.node: Node file helpers. */
export { load, loadWithMetadata, loadTorch } from './load.js';
export { saveTorch } from './torch-save.js';
export {
  save,
  readHeader,
  type StateDict,
  type StateDictSource,
  type SaveOptions,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointParts, type CheckpointTargets } from './checkpoint.js';
export { assertStateDictMatches, type StateDictMatchOptions } from './statedict.js';
export { node } from './node.js';
export { IOError } from './errors.js';
