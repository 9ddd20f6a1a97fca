/**
 * wg.node: file helpers for Node, also the functions of the 'wasmgrad/node' entry. This module is
 * browser-safe: the file primitives (src/node/files.ts, which uses node:fs) come through
 * src/engine/host.ts on first call; in a browser each function throws a BackendError saying what
 * to use instead.
 *
 * The saves make the file's bytes synchronously, at the call, before their first `await` (as
 * torch.save does): a save that is not awaited while training goes on writes the parameters,
 * optimizer state and step counts of the moment it was called, never a mix of two steps.
 */
import { HINT, nodeHost } from '../engine/host.js';
import { restoreCheckpoint, serializeCheckpoint, type CheckpointParts, type CheckpointTargets } from './checkpoint.js';
import { decodeAny } from './load.js';
import { decode, serialize, type SaveOptions, type StateDict, type StateDictSource } from './safetensors.js';

/** A state dict from a safetensors or torch.save file (`decodeAny`), or from a checkpoint, always safetensors (`decode`). */
async function readStateDict(
  path: string | URL,
  fn: string,
  read: typeof decodeAny = decodeAny,
): Promise<{ stateDict: StateDict; metadata: Record<string, string> | null }> {
  const { bytes, path: p } = await (await nodeHost(fn, HINT.load)).readFileAt(path, fn);
  return read(bytes, fn, p);
}

export const node = {
  /**
   * Writes `x` (a module or a state dict) as a safetensors file, atomically: a temporary file in
   * the same directory is written, fsynced and renamed over `path`, so `path` holds either the
   * old content or the complete new file, never a partial one. The bytes are those of the call
   * (see above). Stale temporary files of the same target are removed (see src/node/files.ts).
   * Node only.
   */
  async saveFile(path: string | URL, x: StateDictSource, opts?: SaveOptions): Promise<void> {
    const fn = 'node.saveFile';
    const bytes = serialize(x, opts, fn);
    return (await nodeHost(fn, HINT.save)).writeFileAtomic(path, bytes, fn);
  },
  /** Reads a safetensors file, or a state dict torch.save wrote, into a state dict (see wg.load). Node only. */
  async loadFile(path: string | URL): Promise<StateDict> {
    const fn = 'node.loadFile';
    return (await readStateDict(path, fn)).stateDict;
  },
  /** Reads a safetensors file into { stateDict, metadata } (see wg.loadWithMetadata). Node only. */
  async loadFileWithMetadata(path: string | URL): Promise<{ stateDict: StateDict; metadata: Record<string, string> | null }> {
    const fn = 'node.loadFileWithMetadata';
    return readStateDict(path, fn);
  },
  /** Writes a checkpoint (see wg.saveCheckpoint) atomically, as saveFile, with the state of the call. Node only. */
  async saveCheckpointFile(path: string | URL, parts: CheckpointParts): Promise<void> {
    const fn = 'node.saveCheckpointFile';
    const bytes = serializeCheckpoint(parts, fn);
    return (await nodeHost(fn, HINT.save)).writeFileAtomic(path, bytes, fn);
  },
  /** Restores a checkpoint file into a model, optimizer and scheduler (see wg.loadCheckpoint). Node only. */
  async loadCheckpointFile(path: string | URL, into: CheckpointTargets): Promise<{ metadata: Record<string, unknown> }> {
    const fn = 'node.loadCheckpointFile';
    const { stateDict, metadata } = await readStateDict(path, fn, decode);
    return restoreCheckpoint(stateDict, metadata, into, fn);
  },
};
