/**
 * The built package as users get it (dist/, made by `npm install` through `prepare`): the ESM and
 * CommonJS entry points load, find the .wasm builds beside them, and compute; the sizes; a browser
 * bundle without Node code; the types as @arethetypeswrong/cli sees them. test/entries.test.ts
 * covers each entry and the sources init accepts.
 */
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { detectBuild } from '../src/engine/backend/wasm.js';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/** Every file named by an export condition, recursively (strings are files). */
const targets = (e: unknown): string[] => (typeof e === 'string' ? [e] : Object.values(e as object).flatMap(targets));

test('package.json declares ESM, CJS and types (.d.ts for import, .d.cts for require) for every entry, and the files exist', () => {
  expect(pkg.name).toBe('wasmgrad');
  expect(pkg.type).toBe('module');
  for (const entry of ['.', './node', './inline']) {
    const e = pkg.exports[entry];
    expect(e.import.types, entry).toMatch(/\.d\.ts$/);
    expect(e.require.types, entry).toMatch(/\.d\.cts$/);
    expect(e.import.default, entry).toMatch(/\.js$/);
    expect(e.require.default, entry).toMatch(/\.cjs$/);
  }
  expect(pkg.exports['./node'].browser.import.default).toBe('./dist/node-browser.js');
  for (const f of [...targets(pkg.exports), pkg.main, pkg.module, pkg.types, pkg.unpkg]) expect(existsSync(new URL(f, root)), f).toBe(true);
  for (const f of ['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm', 'wasmgrad-threads.wasm', 'wasmgrad-relaxed-threads.wasm']) {
    expect(existsSync(new URL(`dist/${f}`, root)), f).toBe(true);
    expect(pkg.exports[`./${f}`], `exports['./${f}']`).toBe(`./dist/${f}`); // for bundlers that copy assets by subpath
  }
});

// Resolvers that ignore `exports` (Parcel 2 by default, older bundlers) find wasmgrad/node and
// wasmgrad/inline as folders with a package.json naming the same files as the exports map.
test('wasmgrad/node and wasmgrad/inline also resolve as folders, to the files the exports map names', () => {
  for (const entry of ['node', 'inline']) {
    const stub = JSON.parse(readFileSync(new URL(`${entry}/package.json`, root), 'utf8'));
    const e = pkg.exports[`./${entry}`];
    const at = (f: string) => new URL(f, new URL(`${entry}/`, root)).href;
    const exported = (f: string) => new URL(f, root).href;
    expect(at(stub.main), entry).toBe(exported(e.require.default));
    expect(at(stub.module), entry).toBe(exported(e.import.default));
    expect(at(stub.types), entry).toBe(exported(e.import.types));
    if (entry === 'node') expect(at(stub.browser)).toBe(exported(e.browser.import.default));
    expect(pkg.files).toContain(entry);
  }
});

test('the ESM bundle loads the build the engine runs best and trains a step', async () => {
  const wg = await import(new URL(pkg.exports['.'].import.default, root).href);
  await wg.init();
  expect(wg.info().build).toBe({ relaxed: 'relaxed-simd', simd: 'simd', scalar: 'scalar' }[detectBuild()]);
  const w = wg.tensor([1, 2], { requiresGrad: true });
  w.mul(w).backward(wg.ones([2]));
  expect(Array.from(w.grad.data())).toEqual([2, 4]);
});

test('the CommonJS bundle loads the build asked for and computes', async () => {
  const wg = createRequire(import.meta.url)(new URL(pkg.exports['.'].require.default, root).pathname);
  await wg.init({ build: 'scalar' });
  expect(wg.info().build).toBe('scalar');
  expect(Array.from(wg.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
});

// The ESM entry is a tree of modules (rollup preserveModules), so a bundler drops what an app does
// not use; package.json sideEffects names the modules that must run for their effect (the Tensor
// methods' and the entry importing it).
test('a bundler tree-shakes the ESM entry by package.json sideEffects: unused nn and optim go, the Tensor methods stay', async () => {
  // each source module listed (rollup.config.js reads these) with its file in dist/
  const listed = (prefix: string, ext: string) =>
    pkg.sideEffects.filter((p: string) => p.startsWith(prefix)).map((p: string) => p.slice(prefix.length, -ext.length));
  expect(listed('./dist/', '.js')).toEqual(listed('./src/', '.ts'));
  // rollup, whose port rolldown tree-shakes Vite's production builds
  const { rollup } = await import('rollup');
  const app = [
    "import { init, ones, nn } from 'wasmgrad';",
    'export async function run(bytes) {',
    '  await init({ wasm: bytes });',
    '  return new nn.Linear(2, 3).forward(ones([1, 2])).add(1).sum().item();',
    '}',
  ].join('\n');
  const bundle = await rollup({
    input: 'app',
    external: ['wasmgrad/node'],
    onwarn: (w, warn) => void (w.code !== 'CIRCULAR_DEPENDENCY' && warn(w)),
    plugins: [
      {
        name: 'app',
        resolveId: (id) => (id === 'app' ? id : id === 'wasmgrad' ? fileURLToPath(new URL('dist/index.js', root)) : null),
        load: (id) => (id === 'app' ? app : null),
      },
    ],
  });
  const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
  const text = output[0].code;
  expect(text).toContain('nn.Linear');
  // esbuild does not tree-shake a nested namespace (nn.Linear), but it drops what an app never
  // names, and keeps src/api/methods.ts only because package.json sideEffects lists it
  const { build } = await import('esbuild');
  const flat = await build({
    stdin: {
      contents: app.replace(', nn }', ' }').replace('new nn.Linear(2, 3).forward(ones([1, 2]))', 'ones([1, 2]).mul(2)'),
      resolveDir: fileURLToPath(root),
      loader: 'js',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    external: ['wasmgrad/node'],
    logLevel: 'silent',
  });
  const results = [
    ['rollup', text, (y: number) => Number.isFinite(y)], // a random Linear's outputs + 1, summed
    ['esbuild', flat.outputFiles[0].text, (y: number) => y === 6], // (1·2 + 1) · 2
  ] as const;
  for (const [bundler, code, ok] of results) {
    for (const unused of ['TransformerEncoderLayer', 'LBFGS', 'CosineAnnealingWarmRestarts']) expect(code, bundler).not.toContain(unused);
    const file = new URL(`../node_modules/.cache/wasmgrad-treeshake-${bundler}-${process.pid}.mjs`, import.meta.url);
    mkdirSync(new URL('.', file), { recursive: true });
    writeFileSync(file, code);
    try {
      const { run } = await import(file.href);
      const y = await run(readFileSync(new URL('build/wasmgrad.wasm', root)));
      expect(ok(y), `${bundler}: ${y}`).toBe(true);
    } finally {
      rmSync(file);
    }
  }
});

/** What README "esbuild" gives for an ES module bundle for Node: cli-progress (wasmgrad/node's progress bar) calls require(). */
const ESM_REQUIRE_BANNER = "import { createRequire as wgCreateRequire } from 'node:module'; const require = wgCreateRequire(import.meta.url);";

test('wasmgrad/node bundles with esbuild for Node: an ES module app with the banner README gives, a CommonJS one as is', async () => {
  expect(readFileSync(new URL('README.md', root), 'utf8')).toContain(ESM_REQUIRE_BANNER);
  const { build } = await import('esbuild');
  const body = [
    'async function run(bytes) {',
    '  await wg.init({ wasm: bytes });',
    '  return [typeof terminalBar, wg.tensor([1, 2]).mul(3).sum().item()];',
    '}',
  ];
  const apps = {
    esm: ["import * as wg from 'wasmgrad';", "import { terminalBar } from 'wasmgrad/node';", 'export ' + body[0], ...body.slice(1)],
    cjs: ["const wg = require('wasmgrad');", "const { terminalBar } = require('wasmgrad/node');", ...body, 'module.exports = { run };'],
  };
  const bytes = readFileSync(new URL('build/wasmgrad.wasm', root));
  for (const format of ['esm', 'cjs'] as const) {
    const out = await build({
      stdin: { contents: apps[format].join('\n'), resolveDir: fileURLToPath(root), loader: 'js' },
      bundle: true,
      write: false,
      format,
      platform: 'node',
      banner: { js: format === 'esm' ? ESM_REQUIRE_BANNER : '' },
      logLevel: 'silent',
    });
    expect(out.warnings, format).toEqual([]);
    const file = new URL(`../node_modules/.cache/wasmgrad-node-bundle-${process.pid}.${format === 'esm' ? 'mjs' : 'cjs'}`, import.meta.url);
    mkdirSync(new URL('.', file), { recursive: true });
    writeFileSync(file, out.outputFiles[0].text);
    try {
      const { run } = format === 'esm' ? await import(file.href) : createRequire(import.meta.url)(fileURLToPath(file));
      expect(await run(bytes), format).toEqual(['function', 9]);
    } finally {
      rmSync(file);
    }
  }
});

const KB = 1024;
const gzipKB = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length / KB;

test('sizes (issue 14 item 6): each .wasm ≤ 100 KB gzipped', () => {
  for (const f of ['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm', 'wasmgrad-threads.wasm', 'wasmgrad-relaxed-threads.wasm']) {
    const kb = gzipKB(readFileSync(new URL(`dist/${f}`, root)));
    console.log(`size: dist/${f} ${kb.toFixed(1)} KB gzipped`);
    expect(kb, f).toBeLessThanOrEqual(100);
  }
});

/** `code` bundled by esbuild for a browser from the repository root, resolving 'wasmgrad' to the package itself (its exports). */
async function browserBundle(code: string) {
  const { build } = await import('esbuild');
  return build({
    stdin: { contents: code, resolveDir: fileURLToPath(root), loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    metafile: true,
    outdir: 'out',
    logLevel: 'silent',
  });
}

test('the main entry bundles for a browser with no warning, no node: import, nothing of wasmgrad/node but its stub', async () => {
  const out = await browserBundle("import * as wg from 'wasmgrad'; import * as n from 'wasmgrad/node'; globalThis.wg = [wg, n];");
  expect(out.errors).toEqual([]);
  expect(out.warnings).toEqual([]);
  const inputs = Object.keys(out.metafile.inputs);
  expect(inputs).toContain('dist/node-browser.js');
  expect(inputs.filter((f) => f.startsWith('node:') || f === 'dist/node.js' || f.includes('cli-progress'))).toEqual([]);
  expect(out.outputFiles[0].text).not.toMatch(/["']node:/);
});

test("the published bundles leave out the op table's test cases and docs (rollup.config.js stripOpCases)", async () => {
  const out = await browserBundle("export * from 'wasmgrad';");
  const { TABLE } = await import('../src/ops/index.js');
  const { text } = out.outputFiles[0];
  // a kernel op, a composite, a unary map made by a factory: their names stay, their docs go
  for (const name of ['matmul', 'quantile', 'tanh']) {
    const { doc } = TABLE.find((o) => o.name === name)!;
    expect(text).toContain(`"${name}"`);
    expect(text).not.toContain(JSON.stringify(doc).slice(1, -1));
  }
  expect(text).not.toContain('skipGradcheck');
});

// The budget is the issue's; the library is not there (README "Install and entries": the contract
// exports the whole op library, nn, the optimizers and compile from the main entry synchronously),
// so this records the shortfall: the test fails once the bundle fits, and should then become a
// plain test. All parts count here, the lazy chunks (the WebAssembly backend, fit's loop) included.
test.fails('sizes (issue 14 item 6): the main entry for a browser ≤ 40 KB gzipped minified (not met yet)', async () => {
  const out = await browserBundle("export * from 'wasmgrad';");
  const kb = gzipKB(out.outputFiles[0].contents);
  console.log(
    `size: the main entry for a browser, minified ${(out.outputFiles[0].contents.length / KB).toFixed(1)} KB, ${kb.toFixed(1)} KB gzipped (budget 40)`,
  );
  expect(kb).toBeLessThanOrEqual(40);
});

test('@arethetypeswrong/cli finds no problem in the packed package (node10, node16 CJS and ESM, bundler)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-attw-'));
  try {
    const npm = (args: string[]) => execFileSync('npm', args, { cwd: fileURLToPath(root), encoding: 'utf8' });
    const [{ filename }] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir]));
    const attw = fileURLToPath(new URL('node_modules/.bin/attw', root));
    const res = spawnSync(attw, [join(dir, filename), '--entrypoints', '.', './node', './inline', '--format', 'json'], { encoding: 'utf8' });
    const { problems, analysis } = JSON.parse(res.stdout);
    expect(problems).toEqual({});
    for (const entry of ['.', './node', './inline'])
      expect(Object.keys(analysis.entrypoints[entry].resolutions), entry).toEqual(['node10', 'node16-cjs', 'node16-esm', 'bundler']);
    expect(res.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
