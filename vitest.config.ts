import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { relaxedSimdSupported } from './src/engine/backend/wasm.js';

// Three projects, one per WASM build (asconfig.json targets). Every test file runs on the SIMD
// build; the op-table suite (and the build checks) runs again on the relaxed-SIMD (FMA) build and
// on the scalar build. WASMGRAD_WASM=/tmp/wasmgrad-NAME.wasm (scripts/dev-build.sh) points at a
// private SIMD build; its -relaxed/-scalar siblings are used when present.
const simd = resolve(process.env.WASMGRAD_WASM ?? 'build/wasmgrad.wasm');
const sibling = (suffix: string) => simd.replace(/\.wasm$/, `-${suffix}.wasm`);
const files = { simd, relaxed: sibling('relaxed'), scalar: sibling('scalar') };

// Node 20 validates relaxed SIMD only behind a V8 flag (Node ≥ 21 ships it).
const relaxedFlag = relaxedSimdSupported() ? [] : ['--experimental-wasm-relaxed-simd'];

const OP_TABLE_SUITE = ['test/ops.test.ts', 'test/contract.test.ts', 'test/op-examples/**/*.test.ts', 'test/builds.test.ts'];
const shared = { testTimeout: 60_000, pool: 'forks' as const };
const env = (build: 'simd' | 'relaxed' | 'scalar', id: string) => ({
  WASMGRAD_WASM: files[build],
  WASMGRAD_EXPECT_BUILD: id,
  WASMGRAD_WASM_FILES: JSON.stringify(files),
  // The other builds skip what does not run WASM (the reference vs finite differences in ops.test.ts).
  WASMGRAD_WASM_ONLY: build === 'simd' ? '0' : '1',
});

// Files that need a process of their own (the projects named '<build>-own'): they load other builds or threads, read WebAssembly
// memory sizes, fail files on purpose (module mocks), stub globals, or run browsers and child
// processes. Every other file shares its worker's module graph with the files before it
// (isolate: false), which spares importing the library once per file (~1.2 s each, 176 files);
// fresh-state.ts resets the global settings before each file.
const OWN_PROCESS = [
  'test/builds.test.ts',
  'test/init.test.ts',
  'test/io-files.test.ts',
  'test/memory-flat.test.ts',
  'test/threads*.test.ts',
  'test/fit-yield.test.ts',
  'test/package.test.ts',
  'test/entries.test.ts',
  'test/examples-run*.test.ts',
  'test/mainjob.test.ts',
  'test/browser/**/*.test.ts',
];
const sharing = { isolate: false, setupFiles: ['test/helpers/fresh-state.ts'], restoreMocks: true, unstubGlobals: true };

const projects = [
  { test: { ...shared, name: 'simd-own', include: OWN_PROCESS, env: env('simd', 'simd') } },
  { test: { ...shared, ...sharing, name: 'simd', include: ['test/**/*.test.ts'], exclude: OWN_PROCESS, env: env('simd', 'simd') } },
];
for (const [build, id, execArgv] of [
  ['relaxed', 'relaxed-simd', relaxedFlag],
  ['scalar', 'scalar', []],
] as const) {
  if (existsSync(files[build])) {
    const own = { ...shared, env: env(build, id), execArgv: [...execArgv] };
    projects.push({ test: { ...own, name: `${build}-own`, include: ['test/builds.test.ts'] } } as never);
    projects.push({ test: { ...own, ...sharing, name: build, include: OP_TABLE_SUITE, exclude: OWN_PROCESS } } as never);
  } else if (process.env.WASMGRAD_WASM) console.warn(`vitest: ${files[build]} not found, the ${build} build is not tested (scripts/dev-build.sh builds it)`);
  else throw new Error(`vitest: ${files[build]} not found: run npm run build:wasm`);
}

// `vitest run --mode quick` (npm run test:quick), the inner loop: the SIMD build only, without the
// built-package, example and real-browser runs and the long training runs, and without the reference-vs-finite-
// differences half of ops.test.ts (~40 s of float64 differencing; for one op:
// `npx vitest run --project simd test/ops.test.ts -t "op <name> "`).
const SLOW = [
  'test/examples-run.test.ts',
  'test/examples-run-lstm.test.ts',
  'test/mainjob.test.ts',
  'test/package.test.ts',
  'test/convergence.test.ts',
  'test/fuzz.test.ts',
  'test/browser/**',
];
const quick = { test: { ...shared, name: 'quick', include: ['test/**/*.test.ts'], exclude: SLOW, env: { ...env('simd', 'simd'), WASMGRAD_WASM_ONLY: '1' } } };

// vitest's default is one worker per core but one (`cores − 1`), which on a 2-core machine (CI's, this
// one's) runs the files one after another. Two workers use both cores (a CI simulation's tests
// took 504 s instead of 710 s, with more tests); the threads tests then share them (they check
// bits, not timings): the whole suite also passed so with three other busy processes (load ~10).
const maxWorkers = Math.max(2, availableParallelism() - 1);

export default defineConfig(({ mode }) => ({ test: { maxWorkers, projects: mode === 'quick' ? [quick] : projects } }));
