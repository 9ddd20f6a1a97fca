/**
 * examples/lstm-chars.mjs on the built package, short version (80 of its 300 steps): the LSTM's
 * loss falls well below the uniform guess, and the compiled step (fast replay) and the eager one
 * print the same losses and accuracy. (The full run reaches ≈ 0.15 nats and 99% next-character
 * accuracy on its text: README, "Examples".)
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

function run(mode: 'compiled' | 'eager'): string {
  const env = { ...process.env, STEPS: '80', MODE: mode };
  return execFileSync(process.execPath, ['examples/lstm-chars.mjs'], { cwd: new URL('..', import.meta.url), encoding: 'utf8', env });
}

/** The numbers captured by `re` in the output, failing with the whole output when it does not match. */
function read(out: string, re: RegExp): number[] {
  const m = re.exec(out);
  expect(m, out).not.toBeNull();
  return m!.slice(1).map(Number);
}

test('examples/lstm-chars.mjs (80 steps): the loss falls far below the uniform guess, compiled and eager alike', { timeout: 180_000 }, () => {
  const runs = (['compiled', 'eager'] as const).map((mode) => {
    const out = run(mode);
    const [uniform] = read(out, /uniform guess: ([\d.]+) nats/);
    const [first, last] = read(out, /loss: ([\d.]+) at step 1, ([\d.]+) over the last 20 of 80 steps/);
    const [accuracy] = read(out, /next-character accuracy: ([\d.]+)% on the (?:\d+) characters/);
    return { out, uniform, first, last, accuracy };
  });
  const [compiled, eager] = runs;
  expect(compiled.out).toMatch(/compiled, fast replay\)/);
  expect(compiled.first).toBeGreaterThan(0.95 * compiled.uniform);
  expect(compiled.last).toBeLessThan(0.55 * compiled.uniform);
  expect(compiled.accuracy).toBeGreaterThan(50);
  expect(eager.first).toBe(compiled.first);
  expect(eager.last).toBe(compiled.last);
  expect(eager.accuracy).toBe(compiled.accuracy);
  expect(compiled.out).toMatch(/sample: "It is a truth universally [^\n]{40,}"/);
});
