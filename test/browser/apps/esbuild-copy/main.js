// esbuild with the main entry: it does not rewrite new URL('./x.wasm', import.meta.url), so the
// app copies the package's .wasm files next to its bundle (README "Bundlers", esbuild).
import * as wg from 'wasmgrad';
import { run } from '../run.js';

run(wg);
