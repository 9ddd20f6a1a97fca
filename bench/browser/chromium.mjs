// The Node half of `node bench/run.mjs --browser`: serves the repo root on 127.0.0.1 (plus the
// MNIST arrays at /__bench/mnist.bin), opens ./index.html in Debian's Chromium through
// playwright-core (never a downloaded browser) and runs workloads in that one page.
//
// The page is served without COOP/COEP on purpose: not cross-origin isolated, jax-js finds no
// SharedArrayBuffer and runs its kernels on the calling thread, as in Node — one thread for every
// contender (tfjs-wasm is pinned with setThreadsCount(1), wasmgrad is single-threaded).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, launchChromium } from '../../scripts/chromium.mjs';
import { serve } from '../../scripts/static-server.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Opens the bench page; `train` = { x: Float32Array, y: Int32Array } (the Node bench's MNIST arrays).
 * Returns { version, run(id, { cfg, api }) → result, close() }.
 */
export async function openBenchPage(train, log) {
  if (!existsSync(CHROMIUM)) throw new Error(`bench --browser: ${CHROMIUM} not found (apt-get install chromium, or set WASMGRAD_CHROMIUM)`);
  const bytes = new Uint8Array(train.x.byteLength + train.y.byteLength);
  bytes.set(new Uint8Array(train.x.buffer, train.x.byteOffset, train.x.byteLength));
  bytes.set(new Uint8Array(Int32Array.from(train.y).buffer), train.x.byteLength);
  const server = await serve(ROOT, { isolated: false, extra: { '/__bench/mnist.bin': bytes } });
  // --expose-gc: the page runs a full GC before each timed chunk, as the Node bench does.
  const browser = await launchChromium(['--js-flags=--expose-gc']);
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
