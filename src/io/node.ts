/**
 * wg.node: file helpers for Node. This module is browser-safe: it has no static import of Node
 * built-ins; the implementation (src/node/files.ts, which uses node:fs) is loaded on first call,
 * so bundles keep it in a separate chunk that browsers never fetch.
 *
 * The saves make the file's bytes synchronously, at the call, before their first `await` (as
 * torch.save does): a save that is not awaited while training goes on writes the parameters,
 * optimizer state and step counts of the moment it was called, never a mix of two steps.
 */
import { BackendError } from '../errors.js';
import { restoreCheckpoint, serializeCheckpoint, type CheckpointParts, type CheckpointTargets } from './checkpoint.js';
import { detailOf } from './errors.js';
import { serialize, type SaveOptions, type StateDict, type StateDictSource } from './safetensors.js';

/** src/node/files.ts, loaded on first use; a BackendError where it cannot load (no node:fs in browsers). */
async function files(fn: string): Promise<typeof import('../node/files.js')> {
  try {
    return await import('../node/files.js');
  } catch (e) {
    throw new BackendError(fn, `wg.node needs Node.js: its file module could not be loaded (${detailOf(e)}); in a browser use wg.save / wg.load on bytes`, {
      cause: e,
    });
  }
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
    return (await files(fn)).writeFileAtomic(path, bytes, fn);
  },
  /** Reads a safetensors file into a state dict (see wg.load). Node only. */
  async loadFile(path: string | URL): Promise<StateDict> {
    const fn = 'node.loadFile';
    return (await (await files(fn)).readSafetensors(path, fn)).stateDict;
  },
  /** Reads a safetensors file into { stateDict, metadata } (see wg.loadWithMetadata). Node only. */
  async loadFileWithMetadata(path: string | URL): Promise<{ stateDict: StateDict; metadata: Record<string, string> | null }> {
    const fn = 'node.loadFileWithMetadata';
    return (await files(fn)).readSafetensors(path, fn);
  },
  /** Writes a checkpoint (see wg.saveCheckpoint) atomically, as saveFile, with the state of the call. Node only. */
  async saveCheckpointFile(path: string | URL, parts: CheckpointParts): Promise<void> {
    const fn = 'node.saveCheckpointFile';
    const bytes = serializeCheckpoint(parts, fn);
    return (await files(fn)).writeFileAtomic(path, bytes, fn);
  },
  /** Restores a checkpoint file into a model, optimizer and scheduler (see wg.loadCheckpoint). Node only. */
  async loadCheckpointFile(path: string | URL, into: CheckpointTargets): Promise<{ metadata: Record<string, string> }> {
    const fn = 'node.loadCheckpointFile';
    const { stateDict, metadata } = await (await files(fn)).readSafetensors(path, fn);
    return restoreCheckpoint(stateDict, metadata, into, fn);
  },
};
