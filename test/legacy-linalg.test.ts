/**
 * torch 1.13's legacy linear-algebra names (src/api/legacy-linalg.ts) on both backends: symeig as
 * torch 1.13 computes it (values and gradients from torch as literals; `run` weights the output by
 * 1, 2, … before backward, see test/helpers/torch-run.ts), and the removed names' errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { flat, run } from './helpers/torch-run.js';

beforeAll(async () => {
  await initWasm();
});

// A2 = torch.tensor([[2., 1, -5], [1, 3, 1], [9, 1, 4]]): not symmetric, so the triangle read matters
const A2 = [
  [2, 1, -5],
  [1, 3, 1],
  [9, 1, 4],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`legacy linalg on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('symeig: eigh of the upper (default) or lower triangle; eigenvectors empty unless asked', () => {
      // torch.symeig(A2, True, True).eigenvalues
      run(
        (a) => wg.symeig(a, true, true).eigenvalues,
        [wg.tensor(A2)],
        [
          [-2.461767, 3.358792, 8.102975],
          [
            [
              [1.840114, 0.1684951, -0.9494743],
              [0.1684951, 1.938507, 0.1758743],
              [-0.9494743, 0.1758743, 2.22138],
            ],
          ],
        ],
        1e-5,
      );
      // torch.symeig(A2, True, False).eigenvalues
      run(
        (a) => wg.symeig(a, true, false).eigenvalues,
        [wg.tensor(A2)],
        [
          [-6.056069, 2.785597, 12.27047],
          [
            [
              [1.879479, 0.1058729, 0.9825711],
              [0.1058729, 2.022599, 0.1050359],
              [0.9825711, 0.1050359, 2.097921],
            ],
          ],
        ],
        1e-5,
      );
      // torch.symeig(A2, True, False).eigenvectors.abs() (eigenvectors' signs are a convention)
      const { eigenvalues, eigenvectors } = wg.symeig(wg.tensor(A2), true, false);
      expectClose(
        flat(eigenvectors.abs().toArray() as number[][]),
        [0.7455539, 0.09391265, 0.6597953, 0.008741728, 0.9885582, 0.1505854, 0.666388, 0.1180373, 0.7362025],
        1e-5,
      );
      expect(eigenvalues.shape).toEqual([3]);
      // torch.symeig(A): eigenvectors tensor([]) of shape [0]; the result unpacks as torch's named tuple
      const [vals, vecs] = wg.symeig(wg.tensor(A2));
      expect([vals.shape, vecs.shape]).toEqual([[3], [0]]);
      expect(() => wg.symeig(wg.tensor(A2), 1 as never)).toThrow(/symeig: eigenvectors must be a boolean/);
      expect(() => wg.symeig(wg.zeros([2, 3]))).toThrow(wg.ShapeError);
    });

    test("lstsq, matrixRank, solve, eig: removed in torch 1.9, raising torch's pointer to the replacement", () => {
      const A = wg.eye(2);
      // torch: "This function was deprecated since version 1.9 and is now removed. Please use the `torch.linalg.lstsq` function instead."
      expect(() => wg.lstsq(A, A)).toThrow(
        new wg.ValueError('lstsq', 'this function was deprecated since version 1.9 and is now removed. Please use the `wg.linalg.lstsq` function instead.'),
      );
      expect(() => wg.matrixRank(A)).toThrow(/^wasmgrad\.matrixRank: .*Please use the `wg\.linalg\.matrixRank` function instead\.$/);
      expect(() => wg.solve(A, A)).toThrow(/^wasmgrad\.solve: .*Please use the `wg\.linalg\.solve` function instead\.$/);
      expect(() => wg.eig(A)).toThrow(/^wasmgrad\.eig: .*`wg\.linalg\.eigh` .*complex/);
    });
  });
}
