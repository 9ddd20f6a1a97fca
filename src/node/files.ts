/**
 * Node file helpers for safetensors (wg.node.*). Node only: browser code reaches this module only
 * through the lazy import in src/io/node.ts, which also makes the bytes (at the call, before any
 * await) so that this module only writes or reads them.
 *
 * writeFileAtomic: the bytes go to a temporary file in the target's directory (created
 * exclusively, mode copied from an existing target), which is fsynced, closed and renamed over
 * the target; then the directory is fsynced (best effort: not possible on every platform). If
 * anything fails (writing, fsync, close, rename), the temporary file is removed and the target is
 * untouched.
 *
 * Temporary files are named `.<target name>.<host>-<pid>.<random>.tmp` (host: 8 hex digits of a
 * hash of the hostname, pid: the writing process). A process killed while saving leaves its
 * temporary file behind; the next save of the SAME target removes such a file when
 *   - it was written on this host by a process that is no longer running, or
 *   - it was last modified more than STALE_AFTER_MS ago, whoever wrote it (another host sharing
 *     the directory, a pid reused since, or a name without host and pid from wasmgrad 0.1).
 * Nothing else is ever removed: other targets' temporary files, other names, directories and
 * symlinks are left alone. A writer is never idle that long (its file's mtime moves with every
 * write), and should a live writer's file be removed after all (a process frozen for an hour), its
 * rename fails with ENOENT: that save reports an IOError and the target keeps its old content.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, readdir, readFile, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValueError } from '../errors.js';
import { detailOf, IOError } from '../io/errors.js';

/** A temporary file older than this (by mtime) is stale whoever wrote it: 1 hour. */
export const STALE_AFTER_MS = 60 * 60 * 1000;
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** The part of a temporary file's name after `.<target name>.`: `<host>-<pid>.<random>.tmp` (or `<random>.tmp` from 0.1). */
const TEMP_TAIL = /^(?:([0-9a-f]{8})-([1-9][0-9]*)\.)?[0-9a-f]{12}\.tmp$/;

function toPath(path: string | URL, fn: string): string {
  if (path instanceof URL) {
    try {
      return fileURLToPath(path);
    } catch (e) {
      throw new ValueError(fn, `path must be a file: URL, got '${path.href}'`, { cause: e });
    }
  }
  if (typeof path !== 'string' || path === '') throw new ValueError(fn, `path must be a non-empty string or a file: URL, got ${JSON.stringify(path)}`);
  return path;
}

const ioError = (fn: string, what: string, e: unknown): IOError => new IOError(fn, `${what}: ${detailOf(e)}`, { cause: e });

/** Whether process `pid` runs on this machine (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** Removes the stale temporary files of `target` (see the top of this file); best effort, never throws. */
async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const head = `.${basename(target)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const m = name.startsWith(head) ? TEMP_TAIL.exec(name.slice(head.length)) : null;
      if (m === null) return;
      const path = join(dir, name);
      const st = await lstat(path).catch(() => null);
      if (st === null || !st.isFile()) return;
      const writerGone = m[1] === HOST && !running(Number(m[2]));
      if (writerGone || Date.now() - st.mtimeMs > STALE_AFTER_MS) await unlink(path).catch(() => {});
    }),
  );
}

/** Writes `bytes` to `path` atomically (see the top of this file), as `fn`. */
export async function writeFileAtomic(path: string | URL, bytes: Uint8Array, fn: string): Promise<void> {
  const p = toPath(path, fn);
  // Write through a symlink to the file it points to (rename would replace the link itself).
  const target = await realpath(p).catch(() => resolve(p));
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) throw new ValueError(fn, `'${p}' is a directory, expected a file path`);
  await removeStaleTemps(target);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${HOST}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = existing ? existing.mode & 0o7777 : 0o666;
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', mode);
  } catch (e) {
    throw ioError(fn, `cannot create a temporary file in '${dir}'`, e);
  }
  // The first failure is the one reported; the temporary file goes whatever failed.
  let failure: { e: unknown } | null = null;
  try {
    await fh.writeFile(bytes);
    if (existing) await fh.chmod(mode).catch(() => {}); // in case umask narrowed it
    await fh.sync();
  } catch (e) {
    failure = { e };
  }
  await fh.close().catch((e: unknown) => (failure ??= { e }));
  if (failure === null) await rename(tmp, target).catch((e: unknown) => (failure = { e }));
  if (failure !== null) {
    await unlink(tmp).catch(() => {});
    throw ioError(fn, `cannot write '${p}'`, failure.e);
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

/** Reads a safetensors file into { stateDict, metadata } (see wg.loadWithMetadata), as `fn`. */
/** Reads the bytes of a file (decoded by the caller, src/io/node.ts); an IOError names the path. */
export async function readFileAt(path: string | URL, fn: string): Promise<{ bytes: Uint8Array; path: string }> {
  const p = toPath(path, fn);
  try {
    return { bytes: await readFile(p), path: p };
  } catch (e) {
    throw ioError(fn, `cannot read '${p}'`, e);
  }
}
