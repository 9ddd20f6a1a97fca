// Where the .wasm sits relative to this module when running from source (tests, examples).
// The bundle replaces this module (rollup.config.js) with './wasmgrad.wasm' next to dist/index.js.
export const defaultWasmUrl = (): URL => new URL('../../build/wasmgrad.wasm', import.meta.url);
