/**
 * wg.init({ threads }) in Chromium (issue 15): on a cross-origin-isolated page the pool's Web
 * Workers (Blob URLs, src/engine/backend/pool.ts) start from the ESM entry, the script-tag build
 * and from inside a module Worker, and matmul, linear and MLP training give raw float32 bits equal
 * to one thread's (each thread count in its own page load) and run to run. Where threads cannot
 * run, one thread and a single console notice saying why: a page without COOP/COEP, the inline
 * entry, a Content Security Policy refusing blob: workers (reported by an event, or thrown), a
 * worker that fails to instantiate, a worker that never answers (the start timeout).
 * One browser launch for all of them; the pages run test/browser/pages/threads.js.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { haveChromium, launch } from './chromium.js';
import { serve, type StaticServer } from './server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = '/test/browser/pages/index.html';
const LIB = '/test/browser/pages/threads.js';

interface Run {
  threads: number;
  build: string;
  out: Record<string, string>;
  jobs: Record<string, number>;
}

let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;
beforeAll(async () => {
  if (!haveChromium) return;
  [isolated, plain] = await Promise.all([serve(ROOT), serve(ROOT, { isolated: false })]);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([isolated?.close(), plain?.close()]);
});

/**
 * One page load of `path` on `server`: evaluates `script` (a JS expression, awaited) and returns
 * its value with the page's warnings (console.warn) and errors (console.error, uncaught).
 */
async function onPage<T>(server: StaticServer, script: string, path = PAGE, setup?: string) {
  const page = await browser.newPage();
  const warnings: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
    if (m.type() === 'error') errors.push(m.text());
  });
  try {
    await page.goto(server.url + path);
    if (setup) await page.addScriptTag({ url: setup });
    const value = (await page.evaluate(script)) as T;
    return { value, warnings, errors };
  } finally {
    await page.close();
  }
}

/** run() from the ESM entry on the page's main thread, in a fresh page load. */
const esmRun = (threads: number) =>
  onPage<Run>(isolated, `import('${LIB}').then(async (t) => { const jobs = t.watchJobs(); return t.run(await import('/dist/index.js'), ${threads}, jobs); })`);

let single: Promise<Run> | undefined;
/** The one-thread results every threaded run is compared with (computed once). */
const oneThread = () =>
  (single ??= esmRun(1).then(({ value, warnings, errors }) => {
    expect([warnings, errors]).toEqual([[], []]);
    return value;
  }));

/** A threaded run: 2 threads, the same bits as one thread, jobs posted for exactly the large GEMMs. */
async function expectSplitAndEqual(r: Run) {
  const one = await oneThread();
  expect([one.threads, r.threads, r.build]).toEqual([1, 2, one.build]);
  expect(Object.values(one.jobs).every((j) => j === 0)).toBe(true);
  for (const [name, jobs] of Object.entries(r.jobs)) {
    // 'matmul MxKxN' / 'linear MxKxN': only products of at least 2²⁰ multiply-adds split; the MLPs' do.
    const mkn = /(\d+)x(\d+)x(\d+)$/.exec(name)?.slice(1).map(Number);
    if (mkn && mkn[0] * mkn[1] * mkn[2] < 2 ** 20) expect(jobs, name).toBe(0);
    else expect(jobs, name).toBeGreaterThan(0);
  }
  expect(Object.keys(r.out)).toHaveLength(18);
  expect(r.out).toEqual(one.out);
}

/** wg.init({ threads: 2 }) from `entry`, then a product; the pool's notices (console.warn), wg.info().threads and its threadsNote (the notice). */
const fallback = (entry: string) =>
  `import('${entry}').then(async (wg) => { await wg.init({ threads: 2 }); await wg.init({ threads: 2 }); const a = wg.ones([300, 300]);` +
  ` return { threads: wg.info().threads, note: wg.info().threadsNote, sum: a.matmul(a).sum().item() }; })`;

const NOTICE = 'wasmgrad.init: running on one thread instead of 2: ';

describe.skipIf(!haveChromium)('threads in Chromium', () => {
  test('cross-origin-isolated page, ESM entry on the main thread: 2 threads, bits equal to 1 thread and run to run', async () => {
    const two = await esmRun(2);
    const again = await esmRun(2);
    expect([two.warnings, two.errors]).toEqual([[], []]);
    await expectSplitAndEqual(two.value);
    expect(again.value).toEqual(two.value); // the same jobs too
  });

  test('the engine inside a module Worker starts its pool there: 2 threads, bits equal to the page on 1 thread', async () => {
    const { value, errors } = await onPage<Run & { error?: string }>(
      isolated,
      `new Promise((ok) => { const w = new Worker('/test/browser/pages/threads-worker.js', { type: 'module' });` +
        ` w.onmessage = (e) => ok(e.data); w.onerror = (e) => ok({ error: e.message }); w.postMessage({ threads: 2 }); })`,
    );
    expect(value.error).toBeUndefined();
    expect(errors).toEqual([]);
    await expectSplitAndEqual(value);
  });

  test('script-tag build (global wasmgrad): 2 threads, bits equal to 1 thread', async () => {
    const { value, warnings, errors } = await onPage<Run>(
      isolated,
      `import('${LIB}').then((t) => { const jobs = t.watchJobs(); return t.run(window.wasmgrad, 2, jobs); })`,
      PAGE,
      '/dist/wasmgrad.iife.js',
    );
    expect([warnings, errors]).toEqual([[], []]);
    await expectSplitAndEqual(value);
  });

  test('a page that is not cross-origin isolated: one thread and one notice naming COOP and COEP', async () => {
    const { value, warnings, errors } = await onPage(plain, fallback('/dist/index.js'));
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([
      `${NOTICE}the page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp`,
    ]);
  });

  test('the inline entry has no threads builds: one thread and one notice saying so', async () => {
    const { value, warnings, errors } = await onPage(isolated, fallback('/dist/inline.js'));
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([`${NOTICE}this entry (wasmgrad/inline) does not include the threads builds`]);
  });

  test('a Content Security Policy refusing blob: workers: one thread and a notice naming worker-src blob:, not a timeout', async () => {
    const { value, warnings, errors } = await onPage(isolated, fallback('/dist/index.js'), '/test/browser/pages/csp.html');
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([
      `${NOTICE}worker 1 was blocked by the Content Security Policy (worker-src): allow them in the Content Security Policy, e.g. worker-src 'self' blob:`,
    ]);
    // Chromium's own report of the violation (the console error the notice explains).
    expect(errors).toEqual([
      expect.stringMatching(/^Creating a worker from 'blob:.*violates the following Content Security Policy directive: "worker-src 'self'"/),
    ]);
  });

  test('a context without Web Workers (a service worker, say): one thread and a notice saying so', async () => {
    const { value, warnings, errors } = await onPage(isolated, `(() => { delete window.Worker; return ${fallback('/dist/index.js')}; })()`);
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([`${NOTICE}this context cannot start Web Workers`]);
  });

  test('a Worker constructor that throws a SecurityError: one thread and the same advice', async () => {
    const refuse = `window.Worker = class { constructor() { throw new DOMException('blob: refused', 'SecurityError'); } };`;
    const { value, warnings, errors } = await onPage(isolated, `(() => { ${refuse} return ${fallback('/dist/index.js')}; })()`);
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([
      `${NOTICE}worker 1 could not be created (blob: refused): blob: workers are refused, allow them in the Content Security Policy, e.g. worker-src 'self' blob:`,
    ]);
  });

  test('a worker that never answers: one thread after the start timeout (10 s) and a notice, not a hang', { timeout: 60_000 }, async () => {
    // The workers never receive their module (the message is dropped), so none answers.
    const mute = `Worker.prototype.postMessage = function () {};`;
    const started = Date.now();
    const { value, warnings, errors } = await onPage(isolated, `(() => { ${mute} return ${fallback('/dist/index.js')}; })()`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([`${NOTICE}worker 1 did not answer within 10000 ms`]);
  });

  test('a worker that cannot instantiate the module: one thread and a notice naming why', async () => {
    // The workers are sent no module (the message patched on its way), so each fails in WebAssembly.Instance.
    const drop = `const post = Worker.prototype.postMessage; Worker.prototype.postMessage = function (m) { return post.call(this, { ...m, module: null }); };`;
    const { value, warnings, errors } = await onPage(isolated, `(() => { ${drop} return ${fallback('/dist/index.js')}; })()`);
    expect(errors).toEqual([]);
    expect(value).toEqual({ threads: 1, note: warnings[0], sum: 300 ** 3 });
    expect(warnings).toEqual([expect.stringMatching(/^wasmgrad\.init: running on one thread instead of 2: worker 1 failed to start: .*WebAssembly\.Instance/)]);
  });
});
