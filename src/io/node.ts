/**
 * wg.node: file helpers for Node. This module is browser-safe: it has no static import of Node
 * built-ins; the implementation (src/node/files.ts, which uses node:fs) is loaded on first call,
 * so bundles keep it in a separate chunk that browsers never fetch.
 */
import { checkpointContent, restoreCheckpoint, type CheckpointParts, type CheckpointTargets } from './checkpoint.js';
import type { SaveOptions, StateDict, StateDictSource } from './safetensors.js';

export const node = {
  /**
   * Writes `x` (a module or a state dict) as a safetensors file, atomically: a temporary file in
   * the same directory is written, fsynced and renamed over `path`, so `path` holds either the
   * old content or the complete new file, never a partial one. Node only.
   */
  async saveFile(path: string | URL, x: StateDictSource, opts?: SaveOptions): Promise<void> {
    const files = await import('../node/files.js');
    return files.saveFile(path, x, opts);
  },
  /** Reads a safetensors file into a state dict (see wg.load). Node only. */
  async loadFile(path: string | URL): Promise<StateDict> {
    const files = await import('../node/files.js');
    return files.loadFile(path);
  },
  /** Reads a safetensors file into { stateDict, metadata } (see wg.loadWithMetadata). Node only. */
  async loadFileWithMetadata(path: string | URL): Promise<{ stateDict: StateDict; metadata: Record<string, string> | null }> {
    const files = await import('../node/files.js');
    return files.loadFileWithMetadata(path);
  },
  /** Writes a checkpoint (see wg.saveCheckpoint) atomically, as saveFile. Node only. */
  async saveCheckpointFile(path: string | URL, parts: CheckpointParts): Promise<void> {
    const fn = 'wasmgrad.node.saveCheckpointFile';
    const { tensors, metadata } = checkpointContent(parts, fn);
    const files = await import('../node/files.js');
    return files.saveFile(path, tensors, { metadata }, fn);
  },
  /** Restores a checkpoint file into a model, optimizer and scheduler (see wg.loadCheckpoint). Node only. */
  async loadCheckpointFile(path: string | URL, into: CheckpointTargets): Promise<{ metadata: Record<string, string> }> {
    const fn = 'wasmgrad.node.loadCheckpointFile';
    const files = await import('../node/files.js');
    const { stateDict, metadata } = await files.loadFileWithMetadata(path, fn);
    return restoreCheckpoint(stateDict, metadata, into, fn);
  },
};
