import { readFile } from 'node:fs/promises';

/** Reads a local file given as a file: URL (Node only). */
export async function readFileBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  return readFile(url);
}
