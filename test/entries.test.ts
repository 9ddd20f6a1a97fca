/**
 * The package's entries from dist/ (README "Install and entries"): each loads in ESM and CJS and
 * computes; 'wasmgrad/node' shares the main entry's engine; its browser stub and the IIFE (run in
 * a context without Node, as a <script> tag would) say what to use instead of Node; and the
 * sources init takes (paths, URLs, bytes, a Module, baseUrl) with the errors for a missing file
 * and a CSP refusal. The real-browser runs of the same entries are test/browser/.
 */
import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { expect, expectTypeOf, test, vi } from 'vitest';
import * as src from '../src/index.js';
import { WasmBackend } from '../src/engine/backend/wasm.js';

const root = new URL('../', import.meta.url);
const dist = (f: string) => new URL(`dist/${f}`, root);
const requireDist = (f: string) => createRequire(import.meta.url)(fileURLToPath(dist(f)));
const BUILD = fileURLToPath(new URL('build/', root));
const SCALAR = join(BUILD, 'wasmgrad-scalar.wasm');

/** The gradient of sum(w·w) at w = [1, 2]: 2w. */
async function gradOfSquares(wg: typeof src): Promise<number[]> {
  const w = wg.tensor([1, 2], { requiresGrad: true });
  w.mul(w).sum().backward();
  return Array.from(w.grad!.data());
}

test.each([
  ['index', 'ESM', () => import(dist('index.js').href)],
  ['index', 'CJS', () => requireDist('index.cjs')],
  ['inline', 'ESM', () => import(dist('inline.js').href)],
  ['inline', 'CJS', () => requireDist('inline.cjs')],
])('dist/%s (%s) inits and computes gradients', async (_, __, load) => {
  const wg = await load();
  await wg.init();
  expect(wg.info().wasmLoaded).toBe(true);
  expect(await gradOfSquares(wg)).toEqual([2, 4]);
});

test("the ESM and the CommonJS build in one process: each refuses the other's tensors, saying why", async () => {
  const esm = await import(dist('index.js').href);
  const cjs = requireDist('index.cjs');
  await Promise.all([esm.init(), cjs.init()]);
  const t = esm.tensor([2]);
  expect(() => cjs.add(t, 1)).toThrow(
    /argument 1 must be a Tensor or a number, got Tensor\(\[1\], float32\) of another copy of wasmgrad \(its ESM and CommonJS builds/,
  );
  expect(() => esm.linear(cjs.ones([3]), esm.ones([2, 3]))).toThrow(/input must be a Tensor, got Tensor\(\[3\], float32\) of another copy of wasmgrad/);
  expect(cjs.add(cjs.tensor([2]), 1).item()).toBe(3); // its own are fine
});

test('wasmgrad/inline carries its modules: no .wasm URL in it; the main entry has one per build, each at its file in dist/', () => {
  const wasmUrl = /new URL\(['"]([./]*wasmgrad[a-z-]*\.wasm)['"], import\.meta\.url\)/g;
  for (const f of ['inline.js', 'inline.cjs']) expect(readFileSync(dist(f), 'utf8').match(wasmUrl), f).toBeNull();
  // the modules the main entry loads, statically or lazily (the WebAssembly backend's on init)
  const seen = new Set<string>();
  const urls: string[] = [];
  const follow = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    const code = readFileSync(file, 'utf8');
    for (const [, wasm] of code.matchAll(wasmUrl)) urls.push(relative(fileURLToPath(dist('')), fileURLToPath(new URL(wasm, file))));
    for (const [, rel] of code.matchAll(/(?:from |import\()'(\.[^']+\.js)'/g)) follow(new URL(rel, file));
  };
  follow(dist('index.js'));
  expect(urls.sort()).toEqual(['wasmgrad-relaxed-threads.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm', 'wasmgrad-threads.wasm', 'wasmgrad.wasm']);
});

test.each([
  ['ESM', async () => [await import(dist('index.js').href), await import(dist('node.js').href)]],
  ['CJS', async () => [requireDist('index.cjs'), requireDist('node.cjs')]],
])('wasmgrad/node (%s) shares the main entry engine: its files load as the main entry Tensors', async (_, load) => {
  const [wg, node] = await load();
  await wg.init();
  const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-node-'));
  try {
    const file = join(dir, 'w.safetensors');
    await node.saveFile(file, { w: wg.tensor([1.5, -2]) });
    const viaMain = await wg.node.loadFile(file);
    const viaNode = await node.loadFile(file);
    for (const sd of [viaMain, viaNode]) {
      expect(sd.w).toBeInstanceOf(wg.Tensor);
      expect(Array.from(sd.w.data())).toEqual([1.5, -2]);
    }
    expect(node.mnist).toBe(wg.data.mnist);
    await expect(node.loadFile(join(dir, 'missing.safetensors'))).rejects.toBeInstanceOf(wg.IOError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("wasmgrad/node's browser stub: every function throws the main entry's BackendError saying what to use", async () => {
  const wg = await import(dist('index.js').href);
  const stub = await import(dist('node-browser.js').href);
  const node = await import(dist('node.js').href);
  expect(Object.keys(stub).sort()).toEqual(Object.keys(node).sort());
  expect(() => stub.saveFile('m.safetensors', {})).toThrow(wg.BackendError);
  expect(() => stub.saveFile('m.safetensors', {})).toThrow(/^wasmgrad\.node\.saveFile: needs Node\.js: in a browser use wg\.save\(model\) and a Blob$/);
  expect(() => stub.loadFile('m.safetensors')).toThrow(/^wasmgrad\.node\.loadFile: needs Node\.js: in a browser use wg\.load\(bytes\)/);
  expect(() => stub.mnist()).toThrow(/^wasmgrad\.data\.mnist: needs Node\.js/);
});

/** A page without Node: document, location and a fetch serving `files` (URL → path), recording what it was asked. */
function page(files: Record<string, string> = {}) {
  const fetched: string[] = [];
  const fetch = async (url: URL | string) => {
    const href = String(url);
    fetched.push(href);
    const file = files[href];
    if (file === undefined) return { ok: false, status: 404, statusText: 'Not Found' };
    return { ok: true, status: 200, arrayBuffer: async () => new Uint8Array(readFileSync(file)).buffer };
  };
  const context: Record<string, unknown> = {
    document: {
      currentScript: { tagName: 'SCRIPT', src: 'https://cdn.example/wasmgrad/dist/wasmgrad.iife.js' },
      baseURI: 'https://app.example/page/index.html',
    },
    location: { href: 'https://app.example/page/index.html' },
    fetch,
    ...{ console, URL, TextDecoder, TextEncoder, performance, setTimeout, clearTimeout, queueMicrotask, atob },
  };
  runInNewContext(readFileSync(dist('wasmgrad.iife.js'), 'utf8'), context);
  return { wg: context.wasmgrad as typeof src, fetched };
}
const besideScript = (f: string) => `https://cdn.example/wasmgrad/dist/${f}`;

test('the IIFE exposes `wasmgrad`, finds its .wasm next to the script, computes; wg.node says it needs Node', async () => {
  const files = Object.fromEntries(['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm'].map((f) => [besideScript(f), join(BUILD, f)]));
  const { wg, fetched } = page(files);
  await wg.init();
  expect(fetched).toHaveLength(1);
  expect(fetched[0]).toMatch(/^https:\/\/cdn\.example\/wasmgrad\/dist\/wasmgrad(-relaxed)?\.wasm$/);
  expect(await gradOfSquares(wg)).toEqual([2, 4]);
  await expect(wg.node.saveFile('m.safetensors', { a: wg.tensor([1]) })).rejects.toThrow(
    /^wasmgrad\.node\.saveFile: needs Node\.js: in a browser use wg\.save\(model\) and a Blob$/,
  );
  await expect(wg.node.loadFile('m.safetensors')).rejects.toBeInstanceOf(wg.BackendError);
  await expect(wg.data.mnist()).rejects.toThrow(/^wasmgrad\.data\.mnist: needs Node\.js/);
  expect(new Blob([wg.save({ a: wg.tensor([1, 2]) })]).size).toBeGreaterThan(8);
});

test.each([
  ['/static/x.wasm', 'https://app.example/static/x.wasm'],
  ['models/x.wasm', 'https://app.example/page/models/x.wasm'],
  ['https://other.example/x.wasm', 'https://other.example/x.wasm'],
])('in a page, init({ wasm: %j }) fetches %s (relative to the page) and a 404 names it', async (wasm, url) => {
  const { wg, fetched } = page();
  await expect(wg.init({ wasm })).rejects.toThrow(`wasmgrad.init: could not fetch ${url}: HTTP 404 Not Found`);
  expect(fetched).toEqual([url]);
});

test('in a page, init({ baseUrl }) picks the build and fetches it from there (self-hosted files)', async () => {
  const { wg, fetched } = page({ 'https://app.example/static/wg/wasmgrad-scalar.wasm': SCALAR });
  await wg.init({ baseUrl: '/static/wg', build: 'scalar' });
  expect(fetched).toEqual(['https://app.example/static/wg/wasmgrad-scalar.wasm']);
  expect(wg.info().build).toBe('scalar');
  const auto = page();
  await expect(auto.wg.init({ baseUrl: '/static/wg/' })).rejects.toThrow(
    /could not fetch https:\/\/app\.example\/static\/wg\/wasmgrad(-relaxed)?\.wasm: HTTP 404/,
  );
});

/** What each source gives WasmBackend.create (the work of wg.init), without warm-up. */
const build = async (wasm?: Parameters<typeof WasmBackend.create>[0], baseUrl?: string | URL) =>
  (await WasmBackend.create(wasm, baseUrl ? 'scalar' : undefined, 0, baseUrl)).build;

test('in Node, init takes a relative path, an absolute path, a file URL (object or string), bytes, a Module, a baseUrl', async () => {
  const bytes = readFileSync(SCALAR);
  for (const wasm of [relative(process.cwd(), SCALAR), SCALAR, pathToFileURL(SCALAR), pathToFileURL(SCALAR).href, bytes, new WebAssembly.Module(bytes)])
    expect(await build(wasm), String(wasm)).toBe('scalar');
  for (const baseUrl of [relative(process.cwd(), BUILD).replace(/\/$/, ''), BUILD, pathToFileURL(BUILD)])
    expect(await build(undefined, baseUrl), String(baseUrl)).toBe('scalar');
});

test('a path with characters URLs reserve (space, #, %) loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgrad a#b%20-'));
  try {
    copyFileSync(SCALAR, join(dir, 'w.wasm'));
    expect(await build(join(dir, 'w.wasm'))).toBe('scalar');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file names the URL tried; wasm and baseUrl together are refused', async () => {
  await expect(build('/nonexistent/dir/x.wasm')).rejects.toThrow(
    /^wasmgrad\.init: could not load the WebAssembly module from file:\/\/\/nonexistent\/dir\/x\.wasm: .*ENOENT/,
  );
  await expect(build(undefined, '/nonexistent/dir')).rejects.toThrow(/from file:\/\/\/nonexistent\/dir\/wasmgrad-scalar\.wasm: .*ENOENT/);
  await expect(WasmBackend.create(SCALAR, undefined, 0, BUILD)).rejects.toThrow(/^wasmgrad\.init: give wasm \(one module\) or baseUrl .*, not both$/);
});

test("a CSP refusal says to allow 'wasm-unsafe-eval'", async () => {
  // Chromium's words when script-src lacks 'wasm-unsafe-eval'.
  const refusal = new WebAssembly.CompileError(
    "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\"",
  );
  const spy = vi.spyOn(WebAssembly, 'compile').mockRejectedValueOnce(refusal);
  try {
    const err = await build(readFileSync(SCALAR)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(src.BackendError);
    expect((err as Error).message).toMatch(
      /^wasmgrad\.init: the page's Content Security Policy refuses to compile WebAssembly \(the bytes given\): allow 'wasm-unsafe-eval' in script-src/,
    );
    expect((err as Error).cause).toBe(refusal);
  } finally {
    spy.mockRestore();
  }
});

test('wg.save and wg.saveCheckpoint return Uint8Array<ArrayBuffer>, a BlobPart', async () => {
  await src.init();
  expectTypeOf(src.save).returns.toEqualTypeOf<Uint8Array<ArrayBuffer>>();
  expectTypeOf(src.saveCheckpoint).returns.toEqualTypeOf<Uint8Array<ArrayBuffer>>();
  const part: BlobPart = src.save({ a: src.tensor([1, 2, 3]) }); // a compile error under tsc if the buffer type widens
  expect(new Blob([part]).size).toBe((part as Uint8Array).byteLength);
});
