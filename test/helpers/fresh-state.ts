/**
 * Setup file of the vitest projects whose test files share one module graph per worker
 * (isolate: false, vitest.config.ts): before each file, the global settings a fresh process
 * starts with, so that no file depends on what the file before it left.
 */
import { beforeAll } from 'vitest';
import * as wg from '../../src/index.js';

beforeAll(() => {
  wg.setBackend('wasm');
  wg.setGradEnabled(true);
  wg.manualSeed(0); // the stream's state at module load
  wg.setDebug({ checkFinite: false });
});
