/**
 * wg.node file writes under failure: every failing step (creating, writing, fsync, close, rename)
 * removes the temporary file and leaves the target as it was, with a typed error; stale temporary
 * files of killed writers are removed by the next save of the same target and nothing else is;
 * wg.node without a loadable file module is a BackendError. node:fs/promises is wrapped so that a
 * test can make one operation fail.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

type Op = 'open' | 'writeFile' | 'sync' | 'close' | 'rename';
const inject = vi.hoisted(() => ({ op: null as Op | null, code: '', listing: [] as string[] }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const { readdirSync: list } = await import('node:fs');
  const { dirname } = await import('node:path');
  const failure = (op: string) => Object.assign(new Error(`${inject.code}: injected ${op} failure`), { code: inject.code });
  const open: typeof fs.open = async (path, flags, mode) => {
    // Only the temporary file is created with 'wx'; reads and the directory fsync are left alone.
    if (flags !== 'wx') return fs.open(path, flags, mode);
    if (inject.op === 'open') throw failure('open');
    const fh = await fs.open(path, flags, mode);
    const dir = dirname(String(path));
    if (inject.op === 'writeFile')
      fh.writeFile = async (data) => {
        const bytes = data as Uint8Array;
        await fs.writeFile(fh, bytes.subarray(0, bytes.length >> 1)); // half of it, then the disk is full
        inject.listing = list(dir);
        throw failure('write');
      };
    if (inject.op === 'sync')
      fh.sync = async () => {
        inject.listing = list(dir);
        throw failure('fsync');
      };
    if (inject.op === 'close') {
      const close = fh.close.bind(fh);
      fh.close = async () => {
        await close();
        inject.listing = list(dir);
        throw failure('close');
      };
    }
    return fh;
  };
  const rename: typeof fs.rename = async (from, to) => {
    if (inject.op !== 'rename') return fs.rename(from, to);
    inject.listing = list(dirname(String(from)));
    throw failure('rename');
  };
  return { ...fs, open, rename };
});

beforeAll(async () => {
  await initWasm();
  wg.setBackend('wasm');
});
afterEach(() => {
  inject.op = null;
  inject.listing = [];
});

const root = mkdtempSync(join(tmpdir(), 'wasmgrad-io-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
/** A fresh directory holding model.safetensors with [1, 2]. */
async function withTarget(): Promise<{ dir: string; path: string; before: Buffer }> {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  const path = join(dir, 'model.safetensors');
  await wg.node.saveFile(path, { a: wg.tensor([1, 2]) });
  return { dir, path, before: readFileSync(path) };
}

describe('a failing save removes its temporary file and leaves the target as it was', () => {
  const cases: [Op, string, RegExp][] = [
    ['writeFile', 'ENOSPC', /^wasmgrad\.node\.saveCheckpointFile: cannot write '.*model\.safetensors': ENOSPC: injected write failure$/],
    ['sync', 'EIO', /^wasmgrad\.node\.saveCheckpointFile: cannot write '.*model\.safetensors': EIO: injected fsync failure$/],
    ['close', 'EIO', /^wasmgrad\.node\.saveCheckpointFile: cannot write '.*model\.safetensors': EIO: injected close failure$/],
    ['rename', 'EXDEV', /^wasmgrad\.node\.saveCheckpointFile: cannot write '.*model\.safetensors': EXDEV: injected rename failure$/],
  ];
  for (const [op, code, message] of cases)
    test(`${op} fails with ${code}`, async () => {
      const { dir, path, before } = await withTarget();
      inject.op = op;
      inject.code = code;
      const saving = wg.node.saveCheckpointFile(path, { model: { w: wg.randn([4096]) } });
      await expect(saving).rejects.toThrow(message);
      const e = await saving.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(wg.IOError);
      expect(e).toBeInstanceOf(wg.WasmgradError);
      expect((e as wg.IOError).code).toBe(code);
      expect((e as wg.IOError).fn).toBe('node.saveCheckpointFile');
      // The temporary file existed (partly written) when the failure struck.
      expect(inject.listing.length).toBe(2);
      expect(inject.listing.find((f) => f !== 'model.safetensors')).toMatch(/^\.model\.safetensors\.[0-9a-f]{8}-[1-9][0-9]*\.[0-9a-f]{12}\.tmp$/);
      expect(readFileSync(path)).toEqual(before);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
    });

  test('a directory that cannot be written (EACCES): IOError, nothing created', async () => {
    const { dir, path, before } = await withTarget();
    inject.op = 'open';
    inject.code = 'EACCES';
    const saving = wg.node.saveFile(path, { b: wg.tensor([3]) });
    await expect(saving).rejects.toThrow(/^wasmgrad\.node\.saveFile: cannot create a temporary file in '.*': EACCES: injected open failure$/);
    await expect(saving).rejects.toBeInstanceOf(wg.IOError);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('stale temporary files', () => {
  const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  const OTHER_HOST = HOST === 'ffffffff' ? '00000000' : 'ffffffff';
  const rnd = (k: number) => k.toString(16).padStart(12, 'a');
  const twoHoursAgo = () => (Date.now() - 2 * 60 * 60 * 1000) / 1000;

  test('the next save of the same target removes those of dead writers and old ones, and nothing else', async () => {
    const { dir, path } = await withTarget();
    // A writer killed while saving: a real process that makes its temporary file and dies by SIGKILL.
    const killed = spawnSync(process.execPath, [
      '-e',
      `require('fs').writeFileSync(require('path').join(${JSON.stringify(dir)}, '.model.safetensors.${HOST}-' + process.pid + '.${rnd(1)}.tmp'), 'partial'); process.kill(process.pid, 'SIGKILL')`,
    ]);
    expect(killed.signal).toBe('SIGKILL');
    const file = (name: string, old = false) => {
      writeFileSync(join(dir, name), 'partial');
      if (old) utimesSync(join(dir, name), twoHoursAgo(), twoHoursAgo());
      return name;
    };
    const removed = [
      readdirSync(dir).find((f) => f.endsWith('.tmp'))!, // the killed writer's
      file(`.model.safetensors.${HOST}-${process.pid}.${rnd(2)}.tmp`, true), // this process, but untouched for 2 hours
      file(`.model.safetensors.${OTHER_HOST}-1.${rnd(3)}.tmp`, true), // another host, 2 hours old
      file(`.model.safetensors.${rnd(4)}.tmp`, true), // wasmgrad 0.1's name (no host, no pid), 2 hours old
    ];
    const kept = [
      file(`.model.safetensors.${HOST}-${process.pid}.${rnd(5)}.tmp`), // a live writer (this process)
      file(`.model.safetensors.${OTHER_HOST}-1.${rnd(6)}.tmp`), // another host's writer, fresh: cannot tell it is dead
      file(`.model.safetensors.${rnd(7)}.tmp`), // 0.1's name, fresh
      file(`.other.safetensors.${HOST}-${killed.pid}.${rnd(8)}.tmp`, true), // another target's, dead and old
      file(`.model.safetensors.notes.tmp`, true), // not a temporary-file name
      file(`.model.safetensors.${HOST}-${killed.pid}.${rnd(9)}.tmp.bak`, true),
    ];
    mkdirSync(join(dir, `.model.safetensors.${HOST}-${killed.pid}.${rnd(10)}.tmp`)); // a directory
    symlinkSync(join(dir, kept[4]), join(dir, `.model.safetensors.${HOST}-${killed.pid}.${rnd(11)}.tmp`)); // a symlink
    kept.push(`.model.safetensors.${HOST}-${killed.pid}.${rnd(10)}.tmp`, `.model.safetensors.${HOST}-${killed.pid}.${rnd(11)}.tmp`);
    expect(removed[0]).toBe(`.model.safetensors.${HOST}-${killed.pid}.${rnd(1)}.tmp`);

    await wg.node.saveFile(path, { b: wg.tensor([3]) });
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', ...kept].sort());
    expect(Array.from((await wg.node.loadFile(path)).b.data())).toEqual([3]);
  });

  test('a save removes stale files of its target even when it fails itself', async () => {
    const { dir, path, before } = await withTarget();
    const stale = `.model.safetensors.${HOST}-${process.pid}.${rnd(12)}.tmp`;
    writeFileSync(join(dir, stale), 'partial');
    utimesSync(join(dir, stale), twoHoursAgo(), twoHoursAgo());
    inject.op = 'writeFile';
    inject.code = 'ENOSPC';
    await expect(wg.node.saveFile(path, { b: wg.tensor([3]) })).rejects.toBeInstanceOf(wg.IOError);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(readFileSync(path)).toEqual(before);
  });
});

test('wg.node where its file module cannot load (a browser): BackendError naming the function', async () => {
  vi.doMock('../src/node/host.js', () => {
    throw new Error("Cannot find package 'fs'");
  });
  try {
    const saving = wg.node.saveFile(join(root, 'x.safetensors'), { a: wg.tensor([1]) });
    await expect(saving).rejects.toBeInstanceOf(wg.BackendError);
    // (vitest reports the failing import with its own words; the cause keeps them.)
    await expect(saving).rejects.toThrow(
      /^wasmgrad\.node\.saveFile: needs Node\.js: its Node entry 'wasmgrad\/node' could not be loaded \(.+\); in a browser use wg\.save\(model\) and a Blob$/,
    );
    expect(((await saving.catch((e: unknown) => e)) as Error).cause).toBeInstanceOf(Error);
    await expect(wg.node.loadFile(join(root, 'x.safetensors'))).rejects.toThrow(
      /^wasmgrad\.node\.loadFile: needs Node\.js: .*in a browser use wg\.load\(bytes\)/,
    );
  } finally {
    vi.doUnmock('../src/node/host.js');
  }
  expect(readdirSync(root).includes('x.safetensors')).toBe(false);
});
