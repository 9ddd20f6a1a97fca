/**
 * The examples run on the built package and reach their advertised results:
 * - examples/regression.mjs (~1 s): test MSE near the noise floor of sin(3x) + 0.1·noise;
 * - examples/mnist-lenet.mjs (~15 s here): LeNet-5 reaches ≥ 97% test accuracy in at most 10 epochs.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

/** Runs an example with its default settings (an EPOCHS in the environment would override them). */
function run(script: string): string {
  const env = { ...process.env };
  delete env.EPOCHS;
  return execFileSync(process.execPath, [script], { cwd: new URL('..', import.meta.url), encoding: 'utf8', env });
}

/** The numbers captured by `re` in the output, failing with the whole output when it does not match. */
function read(out: string, re: RegExp): number[] {
  const m = re.exec(out);
  expect(m, out).not.toBeNull();
  return m!.slice(1).map(Number);
}

test('examples/regression.mjs fits sin(3x) + 0.1·noise to a test MSE near the noise floor', () => {
  const out = run('examples/regression.mjs');
  const [train] = read(out, /train MSE: ([\d.]+) on 512 points/);
  const [testMse, floor, truth] = read(out, /test MSE: ([\d.]+) on 1000 held-out points \(noise floor ([\d.]+); the true sin\(3x\) scores ([\d.]+) on them\)/);
  expect(floor).toBe(0.01);
  // The noise drawn for the test points scores close to its variance 0.01 under the true function.
  expect(truth).toBeGreaterThan(0.008);
  expect(truth).toBeLessThan(0.012);
  // The model is nearly as good as the true function on unseen points: far below the variance of
  // sin(3x) on [-1, 1] (≈ 0.43, what predicting a constant scores) and within 0.005 of the truth.
  expect(testMse).toBeLessThan(0.02);
  expect(testMse - truth).toBeLessThan(0.005);
  expect(train).toBeGreaterThan(0);
  expect(train).toBeLessThan(0.02);
});

test('examples/mnist-lenet.mjs trains LeNet-5 to at least 97% test accuracy in at most 10 epochs', { timeout: 180_000 }, () => {
  const out = run('examples/mnist-lenet.mjs');
  const epochs = [...out.matchAll(/^epoch (\d+)\/(\d+) /gm)].map((m) => [Number(m[1]), Number(m[2])]);
  expect(epochs.length, out).toBeGreaterThan(0);
  expect(epochs.length).toBeLessThanOrEqual(10);
  expect(epochs.every(([, total]) => total === epochs.length)).toBe(true);
  const [accuracy] = read(out, /test accuracy: ([\d.]+)% on 2000 held-out digits/);
  expect(accuracy).toBeGreaterThanOrEqual(97);
});

test(
  'examples/char-gpt.mjs: a two-layer causal transformer learns its paragraph and lowers the held-out loss (groups, warmup + cosine, clipping), in fast replay',
  { timeout: 180_000 },
  () => {
    const out = run('examples/char-gpt.mjs');
    const [uniform] = read(out, /uniform guess: ([\d.]+) nats/);
    const [first, last] = read(out, /loss: ([\d.]+) at step 1, ([\d.]+) over the last 20 of 400 steps/);
    expect(first).toBeGreaterThan(0.8 * uniform);
    expect(last).toBeLessThan(1.5);
    const [valBefore, valAfter] = read(out, /validation loss on the held-out tenth: ([\d.]+) before training, ([\d.]+) after/);
    expect(valBefore).toBeGreaterThan(0.9 * uniform);
    expect(valAfter).toBeLessThan(3.1);
    expect(out).toMatch(/fast replay\)/);
    expect(out).toMatch(/sample \(temperature 0\.8, top-5\): "Alice was beginning to get very [^\n]{40,}"/);
  },
);
