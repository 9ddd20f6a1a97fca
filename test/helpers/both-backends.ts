import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from './setup.js';

/**
 * Loads the WebAssembly backend for the whole file, runs `body` inside one describe per backend
 * ('on wasm', 'on reference') with that backend selected, and selects wasm again after the file.
 * Call it at the top level of a test file.
 */
export function onBothBackends(body: (backend: 'wasm' | 'reference') => void): void {
  beforeAll(initWasm);
  afterAll(() => wg.setBackend('wasm'));
  for (const backend of ['wasm', 'reference'] as const)
    describe(`on ${backend}`, () => {
      beforeAll(() => wg.setBackend(backend));
      body(backend);
    });
}

/** A JSON fixture of test/fixtures/ (written by the .py generator beside it). */
export const readFixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
