/** The main job (`npm start`, examples/mnist-mlp.mjs) on the built package reaches ≥ 95% test accuracy. */
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

test('npm start trains the MLP on the bundled MNIST digits to at least 95% test accuracy', () => {
  const out = execFileSync(process.execPath, ['examples/mnist-mlp.mjs'], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  const m = /test accuracy: ([\d.]+)% on 2000 held-out digits/.exec(out);
  expect(m, out).not.toBeNull();
  expect(Number(m![1])).toBeGreaterThanOrEqual(95);
});
