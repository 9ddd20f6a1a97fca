// The Node half of `node bench/run.mjs --browser`: serves the repo root on 127.0.0.1 (plus the
// MNIST arrays at /__bench/mnist.bin), opens ./index.html in Debian's Chromium through
// playwright-core (never a downloaded browser) and runs workloads in that one page.
//
// The page is served without COOP/COEP on purpose: not cross-origin isolated, jax-js finds no
// SharedArrayBuffer and runs its kernels on the calling thread, as in Node — one thread for every
// contender (tfjs-wasm is pinned with setThreadsCount(1), wasmgrad is single-threaded).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.WASMGRAD_CHROMIUM ?? '/usr/bin/chromium';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Static files under the repo root, and `extra` = { path: bytes } answered from memory. */
async function serve(extra) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (extra[path]) return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(extra[path]);
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT) || !statSync(file, { throwIfNoEntry: false })?.isFile()) return void res.writeHead(404).end(`not found: ${path}`);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * Opens the bench page; `train` = { x: Float32Array, y: Int32Array } (the Node bench's MNIST arrays).
 * Returns { version, run(id, { cfg, api }) → result, close() }.
 */
export async function openBenchPage(train, log) {
  if (!existsSync(CHROMIUM)) throw new Error(`bench --browser: ${CHROMIUM} not found (apt-get install chromium, or set WASMGRAD_CHROMIUM)`);
  const bytes = new Uint8Array(train.x.byteLength + train.y.byteLength);
  bytes.set(new Uint8Array(train.x.buffer, train.x.byteOffset, train.x.byteLength));
  bytes.set(new Uint8Array(Int32Array.from(train.y).buffer), train.x.byteLength);
  const server = await serve({ '/__bench/mnist.bin': bytes });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // --expose-gc: the page runs a full GC before each timed chunk, as the Node bench does.
    // The background-networking flags keep Chromium from calling home on a closed network.
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--js-flags=--expose-gc',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log(m.text()));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${server.url}/bench/browser/index.html`);
    await page.waitForFunction(() => globalThis.benchReady === true, null, { timeout: 60_000 });
    return {
      version: browser.version(),
      run: (id, options) => page.evaluate(([i, o]) => globalThis.benchWorkload(i, o), [id, options]),
      close: async () => {
        await browser.close();
        await server.close();
      },
    };
  } catch (e) {
    await browser.close();
    await server.close();
    throw e;
  }
}
