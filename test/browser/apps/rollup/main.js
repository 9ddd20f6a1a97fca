// rollup with @rollup/plugin-node-resolve and the main entry: rollup keeps
// new URL('./x.wasm', import.meta.url) as it is, so the app copies the package's .wasm files next
// to its bundle (README "Bundlers", Rollup).
import * as wg from 'wasmgrad';
import { run } from '../run.js';

run(wg);
