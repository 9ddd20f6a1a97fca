// Vite, an app that passes the namespace object around (run(wg)): the bundler cannot tell which
// names are used, so it keeps the whole library, over Vite's 500 kB chunk advisory; built with the
// README's `build.chunkSizeWarningLimit`.
import * as wg from 'wasmgrad';
import { run } from '../run.js';

run(wg);
