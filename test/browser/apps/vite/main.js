// Vite, no configuration: the .wasm builds are emitted as assets from the package's new URL(…, import.meta.url).
// The page is served cross-origin isolated: its threads build runs on 2 threads (the pool's workers from Blob URLs).
import * as wg from 'wasmgrad';
import { run } from '../run.js';

run(wg, { threads: 2 });
