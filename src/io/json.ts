/**
 * A strict JSON (RFC 8259) parser for safetensors headers. Unlike JSON.parse it keeps the order of
 * object keys exactly as written (JS objects move integer-like keys such as "0" to the front) and
 * it rejects duplicate keys (JSON.parse silently keeps the last one), so a header that names a
 * tensor twice is an error instead of a silently dropped tensor. Objects are returned as Maps.
 * Strings and numbers are decoded by JSON.parse on the exact token, so escapes behave as usual.
 */
import { FileFormatError } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = Map<string, Json>;

/**
 * A syntax error or a duplicate key in the JSON of a file read by `fn` (a FileFormatError);
 * `path` is the chain of keys/indices of the enclosing value.
 */
export class JsonError extends FileFormatError {
  constructor(
    fn: string,
    readonly reason: string,
    readonly position: number,
    readonly path: readonly (string | number)[],
    readonly duplicateKey?: string,
  ) {
    super(fn, `${reason} at character ${position}`);
  }
}

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseJson(text: string, fn: string): Json {
  let i = 0;
  const path: (string | number)[] = [];
  const fail = (reason: string, at = i): never => {
    throw new JsonError(fn, reason, at, [...path]);
  };
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const describe = (at: number): string => (at >= text.length ? 'end of text' : `'${text[at]}'`);

  const str = (): string => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in a string (must be escaped)');
      i += c === 0x5c ? 2 : 1;
    }
    i++; // closing quote
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid escape sequence in a string', start);
    }
  };

  const value = (depth: number): Json => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: JsonObject = new Map();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a string key, found ${describe(i)}`);
        const keyAt = i;
        const key = str();
        if (obj.has(key)) throw new JsonError(fn, `duplicate key ${JSON.stringify(key)}`, keyAt, [...path], key);
        ws();
        if (text[i] !== ':') fail(`expected ':' after key ${JSON.stringify(key)}, found ${describe(i)}`);
        i++;
        path.push(key);
        obj.set(key, value(depth + 1));
        path.pop();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}' in an object, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: Json[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        path.push(arr.length);
        arr.push(value(depth + 1));
        path.pop();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']' in an array, found ${describe(i)}`);
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const)
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m !== null && m[0].length > 0) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail(`unexpected ${describe(i)}`);
  };

  const v = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
  return v;
}
