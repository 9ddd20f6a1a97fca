/**
 * The user's call site for compile's warnings: the first stack frame outside wasmgrad's own
 * sources (src/ or dist/ of the package this file belongs to), e.g. `forward (model.ts:12:18)`.
 */
import { CompileError } from '../errors.js';

/** `at fn (file:line:col)` (V8) or `fn@file:line:col` (SpiderMonkey, JavaScriptCore) -> the file part. */
const FILE = /(?:\(|@|at )((?:[a-z]+:\/\/)?[^()@\s]*?):\d+:\d+\)?$/;

/** The directory holding wasmgrad's src/ and dist/, found from the frame of this very function. */
let root: string | null | undefined;

function fileOf(frame: string): string | null {
  return FILE.exec(frame.trim())?.[1] ?? null;
}

export function callSite(): string | null {
  // A typed error made only for its stack (never thrown): its first frames are wasmgrad's.
  const frames = (new CompileError('compile', 'call site').stack ?? '').split('\n').filter((f) => fileOf(f) !== null);
  if (root === undefined) {
    const own = frames.length > 0 ? fileOf(frames[0])! : '';
    const m = /^(.*)[\\/](?:src|dist)[\\/]/.exec(own);
    root = m === null ? null : m[1];
  }
  if (root === null) return null;
  const lib = [`${root}/src/`, `${root}/dist/`, `${root}\\src\\`, `${root}\\dist\\`];
  const user = frames.find((f) => !lib.some((d) => fileOf(f)!.startsWith(d)));
  return user === undefined ? null : user.trim().replace(/^at /, '');
}
