/**
 * The Node-only primitives the main entry needs (file bytes in and out, the MNIST digit files, the
 * terminal progress bar). They handle bytes and plain arrays, never tensors, so a second copy of
 * the engine (wasmgrad/inline) can use them too. The main entry reaches them only through
 * src/engine/host.ts, whose dynamic import the build points at 'wasmgrad/node' (rollup.config.js).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { availableParallelism as cores } from 'node:os';
export { readFileAt, writeFileAtomic } from './files.js';
export { readFileBytes } from './read.js';
export { readMnistDigits } from './mnist.js';
export { terminalBar } from './progress.js';

/** A local path (relative to the working directory) as a file: URL. */
export const fileUrl = (path: string): URL => pathToFileURL(path);
// The declarations of this entry name no Node type (its .d.ts must type-check without @types/node
// in a browser project): the worker is `unknown` to its one user, which types what it calls.
/** A worker_threads Worker running the CommonJS script `source` with `workerData` (the pool of wg.init({ threads }): src/engine/backend/pool.ts). */
export const startWorker = (source: string, workerData: unknown): unknown => new Worker(source, { eval: true, workerData });
/** The CPU cores Node may use (os.availableParallelism). */
export const availableParallelism = (): number => cores();
