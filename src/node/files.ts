/**
 * Node file helpers for safetensors (wg.node.saveFile / loadFile). Node only: browser code reaches
 * this module only through the lazy import in src/io/node.ts.
 *
 * saveFile is atomic: the data goes to a temporary file in the target's directory (created
 * exclusively, mode copied from an existing target), which is fsynced, closed and renamed over the
 * target; then the directory is fsynced (best effort: not possible on every platform). If anything
 * fails before the rename, the temporary file is removed and the target is untouched.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeHeader, loadWithMetadata, tensorBytes, type SaveOptions, type StateDict, type StateDictSource } from '../io/safetensors.js';

function toPath(path: string | URL, fn: string): string {
  if (path instanceof URL) return fileURLToPath(path);
  if (typeof path !== 'string' || path === '') throw new Error(`${fn}: path must be a non-empty string or a file: URL, got ${JSON.stringify(path)}`);
  return path;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

function wrap(fn: string, what: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`${fn}: ${what}: ${msg}`, { cause: e });
}

/** Temporary files are named `.<target name>.<random>.tmp` beside the target. */
export const TEMP_SUFFIX = '.tmp';

/**
 * Writes a module or state dict to `path` as safetensors, atomically (see the top of this file).
 * Everything is validated before the disk is touched.
 */
export async function saveFile(path: string | URL, x: StateDictSource, opts?: SaveOptions, fn = 'wasmgrad.node.saveFile'): Promise<void> {
  const p = toPath(path, fn);
  const enc = encodeHeader(x, opts, fn);
  // Write through a symlink to the file it points to (rename would replace the link itself).
  const target = await realpath(p).catch(() => resolve(p));
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`${fn}: '${p}' is a directory`);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', existing ? existing.mode & 0o7777 : 0o666);
  } catch (e) {
    throw wrap(fn, `cannot create a temporary file in '${dir}'`, e);
  }
  try {
    try {
      await writeAll(fh, enc.header);
      for (const part of enc.parts) await writeAll(fh, tensorBytes(part, fn));
      if (existing) await chmod(tmp, existing.mode & 0o7777).catch(() => {}); // in case umask narrowed it
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    if (e instanceof Error && e.message.startsWith(`${fn}:`)) throw e;
    throw wrap(fn, `cannot write '${p}'`, e);
  }
  // Make the rename itself durable. Opening a directory fails on some platforms (Windows): ignore.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

async function readBytes(path: string | URL, fn: string): Promise<Uint8Array> {
  const p = toPath(path, fn);
  try {
    return await readFile(p);
  } catch (e) {
    throw wrap(fn, `cannot read '${p}'`, e);
  }
}

/** Reads a safetensors file into { stateDict, metadata } (see wg.loadWithMetadata). */
export async function loadFileWithMetadata(
  path: string | URL,
  fn = 'wasmgrad.node.loadFileWithMetadata',
): Promise<{ stateDict: StateDict; metadata: Record<string, string> | null }> {
  return loadWithMetadata(await readBytes(path, fn), `${fn}('${String(path)}')`);
}

/** Reads a safetensors file into a state dict (see wg.load). */
export async function loadFile(path: string | URL): Promise<StateDict> {
  const fn = 'wasmgrad.node.loadFile';
  return loadWithMetadata(await readBytes(path, fn), `${fn}('${String(path)}')`).stateDict;
}
