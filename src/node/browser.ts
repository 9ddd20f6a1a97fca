/**
 * What 'wasmgrad/node' is in browser bundles (the `browser` export condition): the same names, each
 * throwing a BackendError that says what to use instead, so that a bundler never follows the main
 * entry's lazy import into node:fs, and a call says why it cannot work.
 */
import { HINT } from '../engine/host.js';
import { BackendError } from '../errors.js';

const needsNode = (fn: string, hint: string) => (): never => {
  throw new BackendError(fn, `needs Node.js: ${hint}`);
};
const PRIMITIVE = 'it reads or writes local files';

export const saveFile = needsNode('node.saveFile', HINT.save);
export const saveCheckpointFile = needsNode('node.saveCheckpointFile', HINT.save);
export const loadFile = needsNode('node.loadFile', HINT.load);
export const loadFileWithMetadata = needsNode('node.loadFileWithMetadata', HINT.load);
export const loadCheckpointFile = needsNode('node.loadCheckpointFile', HINT.load);
export const mnist = needsNode('data.mnist', HINT.mnist);
export const readFileAt = needsNode('node.readFileAt', PRIMITIVE);
export const writeFileAtomic = needsNode('node.writeFileAtomic', PRIMITIVE);
export const readFileBytes = needsNode('node.readFileBytes', PRIMITIVE);
export const readMnistDigits = needsNode('node.readMnistDigits', PRIMITIVE);
export const fileUrl = needsNode('node.fileUrl', PRIMITIVE);
export const terminalBar = needsNode('node.terminalBar', 'a terminal progress bar needs a Node TTY');
export const startWorker = needsNode('node.startWorker', 'worker threads run in Node only');
export const availableParallelism = needsNode('node.availableParallelism', 'use navigator.hardwareConcurrency');
