/**
 * The three WASM builds (asconfig.json: SIMD, relaxed SIMD with FMA, scalar): the feature probes
 * agree with what the engine says about the real modules, init reports the build it loaded, and
 * asking for a build the engine cannot run fails with a clear error. vitest.config.ts runs this file
 * once per build (env WASMGRAD_WASM, WASMGRAD_EXPECT_BUILD, WASMGRAD_WASM_FILES).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { WasmBackend, detectBuild, relaxedSimdSupported, simdSupported } from '../src/engine/backend/wasm.js';
import { defaultWasmUrl } from '../src/engine/backend/wasm-url.js';
import { initWasm } from './helpers/setup.js';

const files: Record<'simd' | 'relaxed' | 'scalar', string> = JSON.parse(process.env.WASMGRAD_WASM_FILES ?? 'null') ?? {
  simd: 'build/wasmgrad.wasm',
  relaxed: 'build/wasmgrad-relaxed.wasm',
  scalar: 'build/wasmgrad-scalar.wasm',
};
const bytes = (b: keyof typeof files) => new Uint8Array(readFileSync(files[b]));

test('the feature probes agree with WebAssembly.validate on the real builds', () => {
  expect(simdSupported()).toBe(WebAssembly.validate(bytes('simd')));
  expect(relaxedSimdSupported()).toBe(WebAssembly.validate(bytes('relaxed')));
  expect(WebAssembly.validate(bytes('scalar'))).toBe(true);
  expect(detectBuild()).toBe(relaxedSimdSupported() ? 'relaxed' : simdSupported() ? 'simd' : 'scalar');
  // The relaxed project runs with --experimental-wasm-relaxed-simd on Node 20 (vitest.config.ts).
  if (process.env.WASMGRAD_EXPECT_BUILD === 'relaxed-simd') expect(relaxedSimdSupported()).toBe(true);
});

test('each build says which it is', async () => {
  const want = { simd: 'simd', relaxed: 'relaxed-simd', scalar: 'scalar' } as const;
  for (const b of ['simd', 'relaxed', 'scalar'] as const) {
    if (!WebAssembly.validate(bytes(b))) continue;
    const be = await WasmBackend.create(bytes(b));
    expect(be.build).toBe(want[b]);
    expect(be.simd).toBe(b !== 'scalar');
  }
});

test('wg.info().build is the build that init loaded', async () => {
  expect(wg.info().build).toBe(null);
  await initWasm();
  const info = wg.info();
  expect(info.wasmLoaded).toBe(true);
  if (process.env.WASMGRAD_EXPECT_BUILD) expect(info.build).toBe(process.env.WASMGRAD_EXPECT_BUILD);
  expect(info.simd).toBe(info.build !== 'scalar');
  expect(Array.from(wg.tensor([1, -2, 3]).relu().mul(2).data())).toEqual([2, 0, 6]);
});

test('the default file of each build is the repo build (source mode)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [build, file] of [
    ['simd', 'wasmgrad.wasm'],
    ['relaxed', 'wasmgrad-relaxed.wasm'],
    ['scalar', 'wasmgrad-scalar.wasm'],
  ] as const)
    expect(fileURLToPath(defaultWasmUrl(build))).toBe(join(root, 'build', file));
});

test('clear errors: unknown build, a build the engine cannot run, a module that is another build', async () => {
  await expect(WasmBackend.create(undefined, 'avx512' as never)).rejects.toThrow(/unknown build "avx512".*'relaxed', 'simd' or 'scalar'/);
  if (!relaxedSimdSupported())
    await expect(WasmBackend.create(undefined, 'relaxed')).rejects.toThrow(/'relaxed' build needs relaxed SIMD.*--experimental-wasm-relaxed-simd/);
  await expect(WasmBackend.create(bytes('scalar'), 'simd')).rejects.toThrow(/asked for the 'simd' build, but the module given is the 'scalar' build/);
  expect((await WasmBackend.create(bytes('scalar'), 'scalar')).build).toBe('scalar');
});
