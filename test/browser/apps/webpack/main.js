// webpack 5: the .wasm builds are emitted as asset modules from the package's new URL(…, import.meta.url).
import * as wg from 'wasmgrad';
import { run } from '../run.js';

run(wg);
