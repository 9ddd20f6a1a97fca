// The text W7 and W8 train on: the public-domain passage shipped in examples/char-gpt.mjs (the
// opening of "Alice's Adventures in Wonderland"), read from that file so there is one copy.
import fs from 'node:fs';

/** { text: Int32Array of character ids, vocab: number of distinct characters, chars }. */
export function loadText() {
  const url = new URL('../examples/char-gpt.mjs', import.meta.url);
  const m = /const TEXT = `([^`]*)`/.exec(fs.readFileSync(url, 'utf8'));
  if (!m) throw new Error(`bench: no TEXT template literal in ${url.pathname}`);
  // As the example: every run of white space becomes one space.
  const text = m[1].replace(/\s+/g, ' ');
  const chars = [...new Set(text)].sort();
  return { text: Int32Array.from(text, (c) => chars.indexOf(c)), vocab: chars.length, chars };
}
