// esbuild does not rewrite new URL('./x.wasm', import.meta.url), so no .wasm would be emitted: the
// inline entry carries the WebAssembly inside the bundle.
import * as wg from 'wasmgrad/inline';
import { run } from '../run.js';

run(wg);
