import * as wg from '../../src/index.js';

/** Loads the WASM module (WASMGRAD_WASM may point at a private build, see scripts/dev-build.sh). */
export function initWasm(): Promise<void> {
  return wg.init({ wasm: process.env.WASMGRAD_WASM });
}
