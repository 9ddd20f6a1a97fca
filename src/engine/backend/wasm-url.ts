// Where the .wasm builds sit relative to this module when running from source (tests, examples).
// The bundle replaces this module (rollup.config.js) with the same files next to dist/index.js,
// each a literal `new URL('./wasmgrad….wasm', import.meta.url)` so bundlers see them.
/** The three packaged builds (asconfig.json targets). */
export type BuildName = 'relaxed' | 'simd' | 'scalar';

export const defaultWasmUrl = (build: BuildName): URL =>
  build === 'relaxed'
    ? new URL('../../../build/wasmgrad-relaxed.wasm', import.meta.url)
    : build === 'scalar'
      ? new URL('../../../build/wasmgrad-scalar.wasm', import.meta.url)
      : new URL('../../../build/wasmgrad.wasm', import.meta.url);

/**
 * The threads variant of a SIMD build (asconfig.json: threads, relaxed-threads), for
 * wg.init({ threads }); null where the entry does not ship it (wasmgrad/inline).
 */
export const threadsWasmUrl = (build: 'relaxed' | 'simd'): URL | null =>
  build === 'relaxed'
    ? new URL('../../../build/wasmgrad-relaxed-threads.wasm', import.meta.url)
    : new URL('../../../build/wasmgrad-threads.wasm', import.meta.url);
