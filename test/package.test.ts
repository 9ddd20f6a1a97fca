/**
 * The built package as users get it (dist/, made by `npm install` through `prepare`): the ESM and
 * CommonJS entry points load, find the .wasm builds beside them, and compute.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { detectBuild } from '../src/engine/backend/wasm.js';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

test('package.json declares ESM, CJS and types entry points that exist', () => {
  expect(pkg.name).toBe('wasmgrad');
  expect(pkg.type).toBe('module');
  const e = pkg.exports['.'];
  for (const f of [e.import, e.require, e.types]) expect(existsSync(new URL(f, root)), f).toBe(true);
  for (const f of ['wasmgrad.wasm', 'wasmgrad-relaxed.wasm', 'wasmgrad-scalar.wasm']) {
    expect(existsSync(new URL(`dist/${f}`, root)), f).toBe(true);
    expect(pkg.exports[`./${f}`], `exports['./${f}']`).toBe(`./dist/${f}`); // for bundlers that copy assets by subpath
  }
});

test('the ESM bundle loads the build the engine runs best and trains a step', async () => {
  const wg = await import(new URL(pkg.exports['.'].import, root).href);
  await wg.init();
  expect(wg.info().build).toBe({ relaxed: 'relaxed-simd', simd: 'simd', scalar: 'scalar' }[detectBuild()]);
  const w = wg.tensor([1, 2], { requiresGrad: true });
  w.mul(w).backward(wg.ones([2]));
  expect(Array.from(w.grad.data())).toEqual([2, 4]);
});

test('the CommonJS bundle loads the build asked for and computes', async () => {
  const wg = createRequire(import.meta.url)(new URL(pkg.exports['.'].require, root).pathname);
  await wg.init({ build: 'scalar' });
  expect(wg.info().build).toBe('scalar');
  expect(Array.from(wg.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
});

test('a bundler honouring package.json sideEffects keeps the Tensor methods (installed by src/api/methods.ts)', async () => {
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: [new URL('src/index.ts', root).pathname], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent' });
  const file = new URL(`../node_modules/.cache/wasmgrad-sideeffects-${process.pid}.mjs`, import.meta.url);
  const { mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  mkdirSync(new URL('.', file), { recursive: true });
  writeFileSync(file, out.outputFiles[0].text);
  try {
    const wg = await import(file.href);
    await wg.init({ wasm: readFileSync(new URL('build/wasmgrad.wasm', root)) });
    expect(wg.ones([2]).add(1).sum().item()).toBe(4);
  } finally {
    rmSync(file);
  }
});
