/**
 * Bundler apps (issue 14 item 2): Vite, esbuild, rollup and webpack 5 apps (test/browser/apps/) import
 * the packed package as a user installs it, build with zero warnings, and train in Chromium.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { haveChromium, launch, openPage } from './chromium.js';
import { serve } from './server.js';
import { projectWithTarball, ROOT } from './tarball.js';

// The bundles are only clean once the main entry imports nothing from Node (issue 14 item 1: the
// Node-only code moves to the `wasmgrad/node` export), and the esbuild app needs `wasmgrad/inline`;
// each test skips until its entry exists.
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const nodeFreeMain = pkg.exports['./node'] !== undefined;
const inline = pkg.exports['./inline'] !== undefined;

let dir: string;
let browser: Browser;
beforeAll(async () => {
  if (!haveChromium || !(nodeFreeMain || inline)) return;
  dir = projectWithTarball('apps');
  for (const d of ['apps', 'pages']) cpSync(join(ROOT, 'test/browser', d), join(dir, d), { recursive: true });
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Serves the built app from `site` (its web root) and checks that its page trains on `threads`: the loss fell by 5x. */
async function expectTrains(site: string, build = 'relaxed-simd', threads = 1) {
  const server = await serve(site);
  try {
    await expectPageTrains(server.url + '/', build, threads);
  } finally {
    await server.close();
  }
}

async function expectPageTrains(url: string, build: string, threads: number) {
  const { page, errors } = await openPage(browser, url);
  const text = await page
    .waitForFunction(() => document.querySelector('#result')?.textContent || null, null, { timeout: 30_000 })
    .catch(() => {
      throw new Error(`${url}: no #result after 30 s; page errors: ${errors.join('; ') || 'none'}`);
    });
  const r = JSON.parse((await text.jsonValue()) as string) as { losses?: number[]; build?: string; threads?: number; error?: string };
  expect(r.error).toBeUndefined();
  expect(errors).toEqual([]);
  expect([r.build, r.threads]).toEqual([build, threads]);
  expect(r.losses!.at(-1)!).toBeLessThan(r.losses![0] / 5);
}

/** Copies the installed package's .wasm files into `out`, as README "Bundlers" tells esbuild and rollup users to. */
function copyPackageWasm(out: string) {
  const pkgDist = join(dir, 'node_modules/wasmgrad/dist');
  for (const f of readdirSync(pkgDist).filter((f) => f.endsWith('.wasm'))) cpSync(join(pkgDist, f), join(out, f));
}

const wasmFiles = (out: string) => readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wasm'));

describe.skipIf(!haveChromium)('bundler apps build without warnings and train in Chromium', () => {
  /** A Vite logger that collects every warning and error it would print. */
  async function viteLogger() {
    const { createLogger } = await import('vite');
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = logger.warnOnce = logger.error = (msg) => void warnings.push(msg);
    return { logger, warnings };
  }

  /** `vite build` of test/browser/apps/<name> (with no configuration but `build`): the warnings, and the size of the JS a page loads first. */
  async function viteBuild(name: string, buildOptions: Record<string, unknown> = {}) {
    const { build } = await import('vite');
    const { logger, warnings } = await viteLogger();
    const app = join(dir, 'apps', name);
    // Vite takes production mode from NODE_ENV, which vitest sets to 'test': build as `vite build` does.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    let out;
    try {
      out = await build({ root: app, configFile: false, customLogger: logger, build: { outDir: 'dist', emptyOutDir: true, ...buildOptions } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    // the entry chunk and the chunks it imports statically (not the lazy ones: init's backend, fit)
    type Chunk = { type: 'chunk'; fileName: string; isEntry: boolean; imports: string[]; code: string };
    const { output } = (Array.isArray(out) ? out[0] : out) as { output: (Chunk | { type: 'asset' })[] };
    const chunks = output.filter((c): c is Chunk => c.type === 'chunk');
    const byName = new Map(chunks.map((c) => [c.fileName, c]));
    const eager = new Set<string>();
    const take = (f: string) => {
      if (eager.has(f)) return;
      eager.add(f);
      for (const i of byName.get(f)!.imports) take(i);
    };
    for (const c of chunks) if (c.isEntry) take(c.fileName);
    const eagerBytes = [...eager].reduce((t, f) => t + byName.get(f)!.code.length, 0);
    console.log(`size: Vite app ${name}, the JS a page loads first: ${(eagerBytes / 1000).toFixed(1)} kB minified`);
    return { app, warnings, eagerBytes };
  }
  let wholeBytes = 0;

  test.skipIf(!nodeFreeMain)(
    'Vite with no configuration, `import * as wg` and names read from it: the five .wasm builds emitted, no warning; 2 threads',
    async () => {
      const { app, warnings, eagerBytes } = await viteBuild('vite');
      expect(warnings).toEqual([]);
      expect(eagerBytes).toBeLessThan(500_000); // Vite's chunk advisory line
      expect(wasmFiles(join(app, 'dist'))).toHaveLength(5); // three builds and the two threads builds
      await expectTrains(join(app, 'dist'), 'relaxed-simd', 2);
    },
  );

  test.skipIf(!nodeFreeMain)(
    "Vite, an app that keeps the whole library (passes the namespace around): with the README's chunkSizeWarningLimit, no warning",
    async () => {
      // The whole library is over Vite's 500 kB advisory (README "Install and entries"): such an app
      // raises the limit, as README "Bundlers" says, or names what it uses.
      const { app, warnings, eagerBytes } = await viteBuild('vite-whole', { chunkSizeWarningLimit: 1000 });
      expect(warnings).toEqual([]);
      expect(eagerBytes).toBeLessThan(1_000_000);
      await expectTrains(join(app, 'dist'));
      wholeBytes = eagerBytes;
    },
  );

  test.skipIf(!nodeFreeMain)('Vite tree-shakes an app that names what it uses, and keeps the Tensor methods (package.json sideEffects)', async () => {
    const { app, warnings, eagerBytes } = await viteBuild('vite-named');
    expect(warnings).toEqual([]);
    await expectTrains(join(app, 'dist'));
    // the whole-library app keeps everything; this one keeps the op library and what it names
    // (nn.Linear, Adam, …), not the other layers, optimizers or IO
    if (wholeBytes > 0) expect(eagerBytes).toBeLessThan(0.75 * wholeBytes);
    const js = readdirSync(join(app, 'dist/assets')).filter((f) => f.endsWith('.js'));
    const code = js.map((f) => readFileSync(join(app, 'dist/assets', f), 'utf8')).join('\n');
    for (const unused of ['TransformerEncoderLayer', 'LBFGS', 'CosineAnnealingWarmRestarts']) expect(code).not.toContain(unused);
  });

  test.skipIf(!nodeFreeMain)('the Vite dev server, no configuration: its dependency pre-bundling keeps the .wasm URLs right; 2 threads', async () => {
    const { createServer } = await import('vite');
    const { logger, warnings } = await viteLogger();
    const app = join(dir, 'apps/vite');
    // the headers of a cross-origin isolated page, for the threads build (README "Threads")
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const server = await createServer({ root: app, configFile: false, customLogger: logger, server: { port: 0, headers }, cacheDir: join(dir, '.vite-dev') });
    try {
      await server.listen();
      await expectPageTrains(server.resolvedUrls!.local[0], 'relaxed-simd', 2);
    } finally {
      await server.close();
    }
    expect(warnings).toEqual([]);
  });

  test.skipIf(!inline)('esbuild with the inline entry (wasmgrad/inline): one file, no .wasm to serve', async () => {
    const { build } = await import('esbuild');
    const app = join(dir, 'apps/esbuild');
    const r = await build({ entryPoints: [join(app, 'main.js')], bundle: true, format: 'esm', outdir: join(app, 'dist'), logLevel: 'silent' });
    expect(r.warnings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(wasmFiles(join(app, 'dist'))).toEqual([]);
    await expectTrains(app, 'simd'); // the inline entry embeds the SIMD and scalar builds
  });

  test.skipIf(!nodeFreeMain)('esbuild with the main entry, code splitting, and the .wasm files copied next to the bundle', async () => {
    const { build } = await import('esbuild');
    const app = join(dir, 'apps/esbuild-copy');
    const out = join(app, 'dist');
    const r = await build({ entryPoints: [join(app, 'main.js')], bundle: true, format: 'esm', splitting: true, outdir: out, logLevel: 'silent' });
    expect(r.warnings).toEqual([]);
    expect(r.errors).toEqual([]);
    copyPackageWasm(out);
    await expectTrains(app);
  });

  test.skipIf(!nodeFreeMain)('rollup with @rollup/plugin-node-resolve and the main entry, the .wasm files copied next to the bundle', async () => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const app = join(dir, 'apps/rollup');
    const warnings: string[] = [];
    const bundle = await rollup({ input: join(app, 'main.js'), plugins: [nodeResolve({ browser: true })], onwarn: (w) => void warnings.push(w.message) });
    await bundle.write({ dir: join(app, 'dist'), format: 'es' });
    expect(warnings).toEqual([]);
    copyPackageWasm(join(app, 'dist'));
    await expectTrains(app);
  });

  /** The README's webpack config: the .wasm builds and the library's JS are over webpack's 244 KiB hint (about 100 KB gzipped each). */
  const WEBPACK_PERFORMANCE = { maxAssetSize: 1024 * 1024, maxEntrypointSize: 1024 * 1024 };
  test.skipIf(!nodeFreeMain)(
    'webpack 5, production mode, no loaders: the .wasm builds are emitted as asset modules',
    async () => {
      const { default: webpack } = await import('webpack');
      const app = join(dir, 'apps/webpack');
      const stats = await new Promise<import('webpack').Stats>((ok, fail) =>
        webpack(
          { mode: 'production', context: app, entry: './main.js', output: { path: join(app, 'dist'), filename: 'main.js' }, performance: WEBPACK_PERFORMANCE },
          (e, s) => (e ? fail(e) : ok(s!)),
        ),
      );
      const { warnings, errors } = stats.toJson({ all: false, warnings: true, errors: true });
      expect(errors).toEqual([]);
      expect(warnings?.map((w) => w.message)).toEqual([]);
      expect(wasmFiles(join(app, 'dist'))).toHaveLength(5); // three builds and the two threads builds
      await expectTrains(app);
    },
    180_000,
  ); // webpack's production build alone takes ~25 s here, and minutes on a loaded machine
});
