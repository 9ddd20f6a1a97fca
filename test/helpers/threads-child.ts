/**
 * What the threads test files share: one process of a threads runner (test/helpers/threads-*run.ts,
 * argv `<threads> <build> [more]`), whose one JSON line is returned parsed. The relaxed build gets
 * Node 20's flag (vitest.config.ts). A timeout fails the test: a process whose workers kept Node
 * alive, or that hung in a join, never prints.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { relaxedSimdSupported } from '../../src/engine/backend/wasm.js';

export async function runChild<T>(runner: string, threads: number, build: 'simd' | 'relaxed', more: string[] = [], timeout = 240_000): Promise<T> {
  const flags = build === 'relaxed' && !relaxedSimdSupported() ? ['--experimental-wasm-relaxed-simd'] : [];
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--import', 'tsx', `test/helpers/${runner}`, String(threads), build, ...more], {
    timeout,
  });
  return JSON.parse(stdout) as T;
}

/** What the threads runners print: the thread count, the build, the jobs posted (per case, J) and the digests per case. */
export interface ThreadsRun<J> {
  threads: number;
  build: string;
  jobs: J;
  out: Record<string, string>;
}

/** `run(threads, build)` for one runner file: its ThreadsRun at that thread count and build. */
export const threadsRunner =
  <J>(runner: string) =>
  (threads: number, build: 'simd' | 'relaxed') =>
    runChild<ThreadsRun<J>>(runner, threads, build);
