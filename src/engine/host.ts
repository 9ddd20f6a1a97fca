/**
 * The Node-only primitives (src/node/host.ts), loaded on first use so that nothing reachable from
 * the main entry imports a Node built-in. In dist/ this dynamic import is the package's own
 * 'wasmgrad/node' entry (rollup.config.js): Node resolves it to dist/node.js (or .cjs), bundlers
 * targeting browsers to a stub (the `browser` condition), so browser bundles never contain node:fs.
 */
import { BackendError } from '../errors.js';

/** What to use instead, in the messages of the wg.node functions where there is no Node. */
export const HINT = {
  save: 'in a browser use wg.save(model) and a Blob',
  load: 'in a browser use wg.load(bytes) on the bytes of a fetch Response or a File',
  mnist: 'it reads the `mnist` package files; in a browser, build tensors from the digits yourself',
};

export type Host = typeof import('../node/host.js');

export const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** The primitives, or a BackendError naming `fn` and what to use instead (`hint`) where there is no Node. */
export async function nodeHost(fn: string, hint: string): Promise<Host> {
  if (!isNode) throw new BackendError(fn, `needs Node.js: ${hint}`);
  try {
    return await import('../node/host.js');
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new BackendError(fn, `needs Node.js: its Node entry 'wasmgrad/node' could not be loaded (${detail}); ${hint}`, { cause: e });
  }
}
