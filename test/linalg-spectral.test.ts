/**
 * wg.linalg's spectral family and norms (src/api/linalg-spectral.ts, linalg-norms.ts) on both
 * backends: values and gradients from torch 1.13 in float64 as literals (the gradients of Σ w·y with
 * w = 1, 2, 3, … over y's elements, as `run` in the script below), sign-free quantities only where
 * the decomposition's signs are implementation defined (eigenvalues, |V|, V∘V, singular values,
 * U∘U), invariants (A·V = V·Λ, U·diag(S)·Vh = A, orthonormal columns), gradcheck on the reference
 * backend, a wg.compile replay and every error path. The script:
 *
 *   D = torch.float64; LA = torch.linalg
 *   def run(f, *xs):
 *       ls = [torch.tensor(x, dtype=D, requires_grad=True) for x in xs]
 *       y = f(*ls); (y * torch.arange(1, y.numel() + 1, dtype=D).reshape(y.shape)).sum().backward()
 *       return y, [l.grad for l in ls]
 *   x = [[1., -2, 0], [3, 0.5, -4]]
 *   A = [[[2., -1, 0.5], [1, 3, -2], [0, 1, 1.5]], [[1, 2, 3], [-1, 0.5, 2], [4, -3, 1]]]
 *   S = [[4., 1, -2], [1, 2, 0.5], [-2, 0.5, 3]]; N = [[4., 7, -1], [1, 2, 9], [-2, 0.5, 3]]
 *   M32 = [[2., 1], [1, 3], [0, 1]]; M23 = [[1., -2, 0.5], [3, 1, 2]]; Hs = [[2., 1, 0], [1, 2, 0], [0, 0, 0]]
 *   def eighloss(t, uplo='L'): L, V = LA.eigh(t, UPLO=uplo); return torch.cat([L.reshape(-1), (V * V).reshape(-1)])
 *   def svdloss(t): U, s, Vh = LA.svd(t, full_matrices=False); return torch.cat([s.reshape(-1), (U * U).reshape(-1), (Vh * Vh).reshape(-1)])
 *   def qrloss(t, mode='reduced'): Q, R = LA.qr(t, mode=mode); return torch.cat([Q.reshape(-1), R.reshape(-1)])
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type Case = [y: number[], grads: (number[] | null)[]];
const flat = (t: wg.Tensor) => Array.from(t.data());
const cat = (...ts: wg.Tensor[]) => wg.cat(ts.map((t) => t.reshape([-1])));
const LA = wg.linalg;

/** torch's `run`: y = f(leaves) and the gradients of Σ w·y against torch's literals, within float32 rounding. */
function run(f: (...xs: wg.Tensor[]) => wg.Tensor, inputs: wg.NestedArray[], [y, grads]: Case, tol = 2e-5): void {
  const leaves = inputs.map((x) => wg.tensor(x, { requiresGrad: true }));
  const out = f(...leaves);
  if (grads.some((g) => g !== null))
    out
      .mul(wg.arange(1, out.size + 1).reshape(out.shape))
      .sum()
      .backward();
  expectClose(flat(out), y, tol);
  leaves.forEach((l, i) =>
    grads[i] === null ? expect(l.grad === null || flat(l.grad).every((g) => g === 0)).toBe(true) : expectClose(flat(l.grad!), grads[i]!, tol),
  );
}

/** max |a − b| over the elements of two tensors of one shape. */
function expectNear(a: wg.Tensor, b: wg.Tensor, tol = 2e-5): void {
  expect(a.shape).toEqual(b.shape);
  expectClose(flat(a), flat(b), tol);
}

const x = [
  [1, -2, 0],
  [3, 0.5, -4],
];
const A = [
  [
    [2, -1, 0.5],
    [1, 3, -2],
    [0, 1, 1.5],
  ],
  [
    [1, 2, 3],
    [-1, 0.5, 2],
    [4, -3, 1],
  ],
];
const S = [
  [4, 1, -2],
  [1, 2, 0.5],
  [-2, 0.5, 3],
];
const N = [
  [4, 7, -1],
  [1, 2, 9],
  [-2, 0.5, 3],
];
const M32 = [
  [2, 1],
  [1, 3],
  [0, 1],
];
const M23 = [
  [1, -2, 0.5],
  [3, 1, 2],
];
const Hs = [
  [2, 1, 0],
  [1, 2, 0],
  [0, 0, 0],
];
const eighLoss = (t: wg.Tensor, UPLO: 'L' | 'U' = 'L') => {
  const { eigenvalues, eigenvectors: V } = LA.eigh(t, { UPLO });
  return cat(eigenvalues, V.mul(V));
};
const svdLoss = (t: wg.Tensor) => {
  const { U, S: s, Vh } = LA.svd(t, { fullMatrices: false });
  return cat(s, U.mul(U), Vh.mul(Vh));
};
const qrLoss = (t: wg.Tensor, mode: 'reduced' | 'complete' = 'reduced') => {
  const { Q, R } = LA.qr(t, { mode });
  return cat(Q, R);
};

for (const be of ['wasm', 'reference'] as const) {
  describe(`linalg spectral family and norms on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('vectorNorm: every ord over a dim, all elements, 0 at a zero vector, ties of ±inf split', () => {
      // run(lambda t: LA.vector_norm(t, o, dim=1), x) for o in 2, inf, -inf, 0, -1, 3, 0.5
      const cases: [number, Case][] = [
        [2, [[2.236067977, 5.024937811], [[0.447213595, -0.894427191, 0.0, 1.194044628, 0.199007438, -1.592059504]]]],
        [Infinity, [[2.0, 4.0], [[0.0, -1.0, 0.0, 0.0, 0.0, -2.0]]]],
        [-Infinity, [[0.0, 0.5], [[0.0, -0.0, 0.0, 0.0, 2.0, -0.0]]]],
        [0, [[2.0, 3.0], [null]]],
        [-1, [[0.0, 0.387096774], [[0.0, -0.0, 0.0, 0.033298647, 1.198751301, -0.018730489]]]],
        [3, [[2.080083823, 4.5], [[0.231120425, -0.924481699, 0.0, 0.888888889, 0.024691358, -1.580246914]]]],
        [0.5, [[5.828427125, 19.706120098], [[2.414213562, -1.707106781, 0.0, 5.125897658, 12.555833735, -4.439157589]]]],
      ];
      for (const [ord, c] of cases) run((t) => LA.vectorNorm(t, { ord, dim: 1 }), [x], c);
      run((t) => LA.vectorNorm(t), [x], [[5.5], [[0.181818182, -0.363636364, 0.0, 0.545454545, 0.090909091, -0.727272727]]]); // LA.vector_norm(t)
      run(
        (t) => LA.vectorNorm(t, { dim: [1] }),
        [
          [
            [0, 0],
            [3, 4],
          ],
        ],
        [[0.0, 5.0], [[0.0, 0.0, 1.2, 1.6]]],
      ); // LA.vector_norm(t, 2, dim=1) of [[0., 0], [3, 4]]
      run(
        (t) => LA.vectorNorm(t, { ord: Infinity }),
        [
          [
            [3, -3],
            [1, 2],
          ],
        ],
        [[3.0], [[0.5, -0.5, 0.0, 0.0]]],
      ); // LA.vector_norm(t, inf) of [[3., -3], [1, 2]]
      expect(LA.vectorNorm(wg.ones([2, 3]), { dim: 0, keepdim: true }).shape).toEqual([1, 3]);
    });

    test('matrixNorm: every ord of a batch, other dims, keepdim', () => {
      // run(lambda t: LA.matrix_norm(t, o), A)
      const cases: [wg.linalg.MatrixOrd, Case][] = [
        [
          'fro',
          [
            [4.74341649, 6.726812024],
            [
              [
                0.421637021, -0.210818511, 0.105409255, 0.210818511, 0.632455532, -0.421637021, 0.0, 0.210818511, 0.316227766, 0.297317658, 0.594635317,
                0.891952975, -0.297317658, 0.148658829, 0.594635317, 1.189270634, -0.891952975, 0.297317658,
              ],
            ],
          ],
        ],
        [
          'nuc',
          [
            [7.794456994, 10.572117331],
            [
              [
                0.935373299, -0.311885235, 0.166746491, 0.352138168, 0.777606534, -0.520890381, 0.032794858, 0.545944758, 0.837179084, 0.834417727, 1.383215986,
                1.179177931, -1.120259692, -0.630391306, 1.532196144, 1.431350858, -1.299738565, 0.511775717,
              ],
            ],
          ],
        ],
        [1, [[5.0, 6.0], [[0.0, -1.0, 0.0, 0.0, 1.0, -0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, -1.0, 0.0, 1.0, 1.0, -0.0, 1.0]]]],
        [-1, [[3.0, 5.5], [[1.0, -0.0, 0.0, 1.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, -0.0, 2.0, 0.0, 0.0, -2.0, 0.0]]]],
        [
          2,
          [
            [3.799437247, 5.155043982],
            [
              [
                -0.03088907, -0.176415537, 0.115045184, 0.14178293, 0.809759303, -0.528065211, 0.000690368, 0.003942873, -0.00257125, 0.002199702, -0.001626128,
                0.00035739, -0.257681702, 0.190491017, -0.041866106, 1.573750319, -1.163393814, 0.255690631,
              ],
            ],
          ],
        ],
        [
          -2,
          [
            [1.79234504, 1.293761125],
            [
              [
                0.026809165, 0.076339984, 0.124261347, 0.004970413, 0.014153416, 0.023038027, 0.17873131, 0.508943314, 0.828425398, 0.509916332, 0.601421779,
                -0.402011646, -1.0196101, -1.202581056, 0.803847826, -0.167660986, -0.197748066, 0.13218182,
              ],
            ],
          ],
        ],
        [Infinity, [[6.0, 8.0], [[0.0, -0.0, 0.0, 1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0, 2.0, -2.0, 2.0]]]],
        [-Infinity, [[2.5, 3.5], [[0.0, -0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, -2.0, 2.0, 2.0, 0.0, -0.0, 0.0]]]],
      ];
      for (const [ord, c] of cases) run((t) => LA.matrixNorm(t, { ord }), [A], c);
      // LA.matrix_norm(t, 1, dim=(0, 2), keepdim=True); LA.matrix_norm(t, 'nuc', dim=(2, 0))
      run(
        (t) => LA.matrixNorm(t, { ord: 1, dim: [0, 2], keepdim: true }),
        [A],
        [[3.5, 4.0, 4.0], [[0.0, -0.0, 1.0, 0.0, 0.0, -2.0, 0.0, 1.5, 0.0, 0.0, 0.0, 1.0, -0.0, 0.0, 2.0, 1.5, -1.5, 0.0]]],
      );
      run(
        (t) => LA.matrixNorm(t, { ord: 'nuc', dim: [2, 0] }),
        [A],
        [
          [6.010985195, 5.907831738, 6.883920187],
          [
            [
              0.855009434, -0.501413011, 0.132453236, 0.414232108, 1.772585344, -0.828464216, 0.288315988, 1.468930485, 2.59983021, 0.210707056, 0.569230699,
              0.794719414, -0.792724265, 0.926251152, 1.58544853, 2.367877424, -1.703829071, 0.700087851,
            ],
          ],
        ],
      );
      expect(LA.matrixNorm(wg.ones([2, 3, 4]), { ord: 1, dim: [0, 2], keepdim: true }).shape).toEqual([1, 3, 1]);
      expect(LA.matrixNorm(wg.ones([2, 3, 4]), { ord: 2, keepdim: true }).shape).toEqual([2, 1, 1]);
    });

    test("norm: torch's rule for vector or matrix, and wg.norm's values", () => {
      const t = wg.tensor(A);
      expectNear(LA.norm(t), wg.norm(t)); // no ord, no dim: 2-norm of all elements
      expectNear(LA.norm(t, { dim: 2, ord: 1 }), LA.vectorNorm(t, { dim: 2, ord: 1 }));
      expectNear(LA.norm(t, { dim: [1, 2], ord: 1 }), LA.matrixNorm(t, { ord: 1 }));
      expectNear(LA.norm(t, { dim: [1, 2] }), LA.matrixNorm(t));
      const m = wg.tensor(A[1]);
      expectNear(LA.norm(m, { ord: Infinity }), LA.matrixNorm(m, { ord: Infinity })); // 2-D with ord: matrix
      expectNear(LA.norm(wg.tensor(x[0]), { ord: Infinity }), wg.tensor(2)); // 1-D: vector
      expect(() => LA.norm(t, { ord: 2 })).toThrow('wasmgrad.linalg.norm: if dim is not given but ord is, the input must be 1-D or 2-D, got [2, 3, 3]');
      expect(() => LA.norm(t, { ord: 'fro', dim: 1 })).toThrow('wasmgrad.linalg.norm: ord "fro" is a matrix norm');
    });

    test('eigh: torch values, |V|, gradients of sign-free losses, UPLO reads one triangle, invariants', () => {
      // run(eighloss, S) and run(eighloss, N): the lower triangle of N is S's, so both are S's
      for (const m of [S, N])
        run(
          (t) => eighLoss(t),
          [m],
          [
            [
              0.653923768, 2.716348466, 5.629727766, 0.283369208, 0.075423797, 0.641206995, 0.375177059, 0.605111821, 0.019711119, 0.341453733, 0.319464382,
              0.339081885,
            ],
            [[2.357837787, 0.4384806, -0.777343608, 0.4384806, 1.64453406, 0.276164638, -0.777343608, 0.276164638, 1.997628153]],
          ],
        );
      run(
        (t) => eighLoss(t, 'U'),
        [N],
        [
          [
            -9.201754697, 4.591122728, 13.610631969, 0.176962774, 0.617959204, 0.205078022, 0.508772793, 0.000477884, 0.490749322, 0.314264433, 0.381562912,
            0.304172655,
          ],
          [[2.028115249, 0.617297479, 0.013933825, 0.617297479, 1.981976529, 0.786219494, 0.013933825, 0.786219494, 1.989908222]],
        ],
      ); // run(lambda t: eighloss(t, 'U'), N)
      const { eigenvalues: w, eigenvectors: V } = LA.eigh(wg.tensor(S));
      expectClose(flat(V.abs()), [0.532324345, 0.274633932, 0.800754017, 0.612516987, 0.777889337, 0.140396294, 0.584340425, 0.565211803, 0.58230738], 2e-5); // LA.eigh(S).eigenvectors.abs()
      expectNear(wg.matmul(wg.tensor(S), V), V.mul(w.unsqueeze(0)));
      expectNear(wg.matmul(V.mT, V), wg.eye(3));
      // deterministic signs: each eigenvector's largest entry is positive
      for (const col of V.mT.toArray() as number[][]) expect(col.reduce((a, b) => (Math.abs(b) > Math.abs(a) + 1e-6 ? b : a))).toBeGreaterThan(0);
      run(
        (t) => LA.eigvalsh(t),
        [
          [
            S,
            [
              [1, 0, 0],
              [0, -1, 0],
              [0, 0, 2],
            ],
          ],
        ],
        [
          [0.653923768, 2.716348466, 5.629727766, -1.0, 1.0, 2.0],
          [
            [
              2.357837787, 0.4384806, -0.777343608, 0.4384806, 1.64453406, 0.276164638, -0.777343608, 0.276164638, 1.997628153, 5.0, 0.0, 0.0, 0.0, 4.0, 0.0,
              0.0, 0.0, 6.0,
            ],
          ],
        ],
      ); // run(LA.eigvalsh, [S, diag(1, -1, 2)])
    });

    test('eigh with a repeated eigenvalue: a loss blind to the basis in its eigenspace gets a finite gradient (torch: 0/0 = NaN)', () => {
      // Σλ + Σ V∘V = tr(A) + n: the gradient is I (torch 1.13 gives NaN off the diagonal of the repeated pair)
      const a = wg.tensor(
        [
          [2, 0, 0],
          [0, 2, 0],
          [0, 0, 3],
        ],
        { requiresGrad: true },
      );
      const { eigenvalues, eigenvectors: V } = LA.eigh(a);
      eigenvalues.sum().add(V.mul(V).sum()).backward();
      expectClose(flat(a.grad!), flat(wg.eye(3)), 1e-6);
    });

    test('svd: values, U∘U and Vh∘Vh with gradients (tall, wide, square), reconstruction, full matrices, torch.svd', () => {
      run(
        svdLoss,
        [M32],
        [
          [
            3.718998776, 1.472768857, 0.248951934, 0.717714733, 0.696297831, 0.170368836, 0.054750236, 0.111916431, 0.242752122, 0.757247878, 0.757247878,
            0.242752122,
          ],
          [[1.533598533, -0.267289317, 0.066099961, 0.866197328, -1.400279722, 1.199936794]],
        ],
      ); // run(svdloss, M32)
      run(
        svdLoss,
        [M23],
        [
          [
            3.799403947, 2.194203648, 0.045262762, 0.954737238, 0.954737238, 0.045262762, 0.684783865, 0.021077856, 0.294138279, 0.023849228, 0.975325022,
            0.00082575,
          ],
          [[0.371641832, -1.910865514, 0.336749037, 0.503665351, 0.535499666, 0.889784074]],
        ],
      ); // run(svdloss, M23)
      run(
        svdLoss,
        [A[1]],
        [
          [
            5.155043982, 4.123312223, 1.293761125, 1.903e-6, 0.804164051, 0.195834046, 0.026109864, 0.190895816, 0.782994319, 0.973888233, 0.004940133,
            0.021171634, 0.635773691, 0.34744366, 0.016782649, 0.032293902, 0.190802928, 0.77690317, 0.331932407, 0.461753412, 0.206314181,
          ],
          [[1.088276042, 1.68473994, 0.977993412, -1.501223891, -1.326927342, 1.95505311, 0.560645206, -0.81691569, 0.450021312]],
        ],
      ); // run(svdloss, A[1])
      run(
        (t) => LA.svdvals(t),
        [A],
        [
          [3.799437247, 2.202674706, 1.79234504, 5.155043982, 4.123312223, 1.293761125],
          [
            [
              1.928444833, -0.371014949, 0.342709145, 0.567463819, 0.759607181, -0.490677525, 0.243630658, 1.596889956, 2.505354817, 2.339902632, 3.759563919,
              2.746760308, -3.181613429, -2.272514301, 4.253347325, 2.707671493, -2.766523537, 1.217684887,
            ],
          ],
        ],
      ); // run(LA.svdvals, A)
      for (const [m, full] of [
        [M32, true],
        [M23, true],
        [M23, false],
      ] as const) {
        const a = wg.tensor(m);
        const { U, S: s, Vh } = LA.svd(a, { fullMatrices: full });
        const [r, c] = a.shape;
        const k = Math.min(r, c);
        expect([U.shape, s.shape, Vh.shape]).toEqual(full ? [[r, r], [k], [c, c]] : [[r, k], [k], [k, c]]);
        expectNear(wg.matmul(U.narrow(1, 0, k).mul(s.unsqueeze(0)), Vh.narrow(0, 0, k)), a);
        expectNear(wg.matmul(U.mT, U), wg.eye(U.shape[1]));
        // deterministic signs: each of the k columns of U has its largest entry positive
        for (const col of (U.mT.toArray() as number[][]).slice(0, k))
          expect(col.reduce((a, b) => (Math.abs(b) > Math.abs(a) + 1e-6 ? b : a))).toBeGreaterThan(0);
        expectNear(wg.matmul(Vh, Vh.mT), wg.eye(Vh.shape[0]));
      }
      const { U, S: s, V } = wg.svd(wg.tensor(M23));
      expectNear(wg.matmul(U.mul(s.unsqueeze(0)), V.mT), wg.tensor(M23));
      expect(wg.tensor(M23).svd(false).V.shape).toEqual([3, 3]);
      const none = wg.svd(wg.tensor(M23), true, false);
      expect([none.U.shape, none.V.shape, flat(none.U).every((v) => v === 0)]).toEqual([[2, 2], [3, 3], true]);
      const [U2, S2, Vh2] = LA.svd(wg.tensor(M32));
      expect([U2.shape, S2.shape, Vh2.shape]).toEqual([[3, 3], [2], [2, 2]]);
    });

    test("qr: torch's Q and R (LAPACK's signs) and gradients, complete and 'r' modes, torch.qr", () => {
      run(
        (t) => qrLoss(t),
        [M32],
        [
          [-0.894427191, 0.40824829, -0.447213595, -0.816496581, -0.0, -0.40824829, -2.236067977, -2.236067977, 0.0, -2.449489743],
          [[-6.645149515, -3.399533256, -2.362176813, -11.089477309, 0.55489659, -5.715476066]],
        ],
      ); // run(qrloss, M32)
      run(
        (t) => qrLoss(t),
        [M23],
        [
          [-0.316227766, -0.948683298, -0.948683298, 0.316227766, -3.16227766, -0.316227766, -2.055480479, 0.0, 2.213594362, 0.158113883],
          [[11.083783199, -10.435516279, -11.700427343, -8.965057167, -2.846049894, -3.478505426]],
        ],
      ); // run(qrloss, M23)
      run(
        (t) => qrLoss(t),
        [A[1]],
        [
          [
            -0.23570226, -0.967805339, 0.088302157, 0.23570226, 0.031219527, 0.971323729, -0.942809042, 0.249756216, 0.220755393, -4.242640687, 2.474873734,
            -1.178511302, 0.0, -2.669269563, -2.591220745, 0.0, 0.0, 2.428309321,
          ],
          [[-21.321419953, -19.130346074, -15.756068376, -30.877640737, -29.842012911, 20.780547144, -12.995656914, -14.345178599, -3.593768181]],
        ],
      ); // run(qrloss, A[1])
      run(
        (t) => qrLoss(t, 'complete'),
        [M23],
        [
          [-0.316227766, -0.948683298, -0.948683298, 0.316227766, -3.16227766, -0.316227766, -2.055480479, 0.0, 2.213594362, 0.158113883],
          [[11.083783199, -10.435516279, -11.700427343, -8.965057167, -2.846049894, -3.478505426]],
        ],
      ); // run(lambda t: qrloss(t, 'complete'), M23)
      const { Q, R } = LA.qr(wg.tensor(M32), { mode: 'complete' });
      expectClose(
        flat(cat(Q, R)),
        [
          [
            -0.894427191, 0.40824829, 0.182574186, -0.447213595, -0.816496581, -0.365148372, -0.0, -0.40824829, 0.912870929, -2.236067977, -2.236067977, 0.0,
            -2.449489743, 0.0, 0.0,
          ],
        ][0],
        2e-5,
      ); // LA.qr(M32, mode='complete')
      const r = LA.qr(wg.tensor(M32), { mode: 'r' });
      expect([r.Q.shape, r.R.shape]).toEqual([[0], [2, 2]]);
      expectNear(wg.qr(wg.tensor(M32), false).Q, Q);
      expectNear(wg.tensor(M32).qr().R, r.R);
    });

    test('pinv, pinverse, matrixRank, cond: values and gradients', () => {
      run(
        (t) => LA.pinv(t),
        [M32],
        [
          [0.566666667, -0.133333333, -0.166666667, -0.166666667, 0.333333333, 0.166666667],
          [[0.226666667, -0.166666667, -0.253333333, -0.666666667, -0.066666667, 0.166666667]],
        ],
      ); // run(LA.pinv, M32)
      run(
        (t) => LA.pinv(t),
        [M23],
        [
          [0.115107914, 0.197841727, -0.431654676, 0.133093525, 0.043165468, 0.136690647],
          [[0.03529838, -0.287045184, 0.709280058, -0.590859686, 0.309249004, -0.142435692]],
        ],
      ); // run(LA.pinv, M23)
      run(
        (t) => LA.pinv(t, { hermitian: true }),
        [Hs],
        [
          [0.666666667, -0.333333333, 0.0, -0.333333333, 0.666666667, 0.0, 0.0, 0.0, 0.0],
          [[0.333333333, 0.0, 0.333333333, -0.666666667, -1.0, 1.333333333, -1.0, 2.0, 0.0]],
        ],
      ); // run(lambda t: LA.pinv(t, hermitian=True), Hs)
      run(
        (t) => wg.pinverse(t),
        [
          [
            [1, 2],
            [2, 4],
          ],
        ],
        [[0.04, 0.08, 0.08, 0.16], [[-0.0336, -0.0592, -0.0992, -0.1824]]],
      ); // run(torch.pinverse, [[1., 2], [2, 4]])
      expectNear(wg.tensor(M32).pinverse(), LA.pinv(wg.tensor(M32)));
      // LA.matrix_rank([Hs, S, [[1., 2, 3], [2, 4, 6], [1, 1, 1]]]), (Hs, atol=2.5), (Hs, hermitian=True), (S, rtol=0.3)
      const rank = LA.matrixRank(
        wg.tensor([
          Hs,
          S,
          [
            [1, 2, 3],
            [2, 4, 6],
            [1, 1, 1],
          ],
        ]),
      );
      expect([rank.dtype, rank.toArray()]).toEqual(['int32', [2, 3, 2]]);
      expect(LA.matrixRank(wg.tensor(Hs), { atol: 2.5 }).toArray()).toBe(1);
      expect(LA.matrixRank(wg.tensor(Hs), { hermitian: true }).toArray()).toBe(2);
      expect(LA.matrixRank(wg.tensor(S), { rtol: 0.3 }).toArray()).toBe(2);
      // tensor tolerances broadcast with the batch, as torch's: B = torch.stack([Hs, S, R]) for R = [[1., 2, 3], [2, 4, 6], [1, 1, 1]]
      // (σ: [3, 1, 0], [5.63, 2.72, 0.654], [8.52, 0.643, 0]); LA.matrix_rank(B, atol=torch.tensor([2.5, 0., 1.])),
      // (B, atol=torch.tensor([[0.], [1.2]]), rtol=torch.tensor([0.3, 0., 0.5])), (Hs, atol=torch.tensor([[0], [2]], dtype=torch.int32))
      const B = wg.tensor([
        Hs,
        S,
        [
          [1, 2, 3],
          [2, 4, 6],
          [1, 1, 1],
        ],
      ]);
      expect(LA.matrixRank(B, { atol: wg.tensor([2.5, 0, 1]) }).toArray()).toEqual([1, 3, 1]);
      expect(LA.matrixRank(B, { atol: wg.tensor([[0], [1.2]]), rtol: wg.tensor([0.3, 0, 0.5]) }).toArray()).toEqual([
        [2, 3, 1],
        [1, 2, 1],
      ]);
      expect(LA.matrixRank(wg.tensor(Hs), { atol: wg.tensor([[0], [2]], { dtype: 'int32' }) }).toArray()).toEqual([[2], [1]]);
      // the default rtol is eps·3 where atol is 0 and 0 where it is > 0 (σ₃ = 1e-7):
      // LA.matrix_rank(torch.tensor(Hs) + 1e-7 * torch.eye(3), atol=torch.tensor([0, 1e-30])) is [2, 3]
      expect(LA.matrixRank(wg.tensor(Hs).add(wg.eye(3).mul(1e-7)), { atol: wg.tensor([0, 1e-30]) }).toArray()).toEqual([2, 3]);
      run(
        (t) => LA.pinv(t, { atol: wg.tensor([[0], [2]]) }),
        [Hs],
        [
          [0.666666667, -0.333333333, 0, -0.333333333, 0.666666667, 0, 0, 0, 0, 0.166666667, 0.166666667, 0, 0.166666667, 0.166666667, 0, 0, 0, 0],
          [[-1.222222222, -1.222222222, 2.166666667, -2.111111111, -2.111111111, 3.166666667, 0.5, 3.5, 0]],
        ],
      ); // run(lambda t: LA.pinv(t, atol=torch.tensor([[0.], [2.]], dtype=D)), Hs): shape [2, 1, 3, 3]
      expect(LA.pinv(wg.tensor(Hs), { hermitian: true, rtol: wg.tensor([0.5, 0]) }).shape).toEqual([2, 3, 3]);
      // run(lambda t: LA.cond(t, p), A) for p None, -2; torch 1.13's backward of the others fails
      // (an in-place write on inv's output), so their gradients are those of norm(A, p)·norm(inv(A), p)
      const cases: [wg.linalg.MatrixOrd | undefined, Case][] = [
        [
          undefined,
          [
            [2.119813519, 3.984540795],
            [
              [
                -0.048941191, -0.188714818, -0.082777421, 0.07322618, 0.435048321, -0.321869683, -0.211001047, -0.599729416, -0.981216546, -1.568746103,
                -1.853522799, 1.238396457, 2.941034679, 3.850961506, -2.508060025, 1.732779191, -0.290207034, -0.20946156,
              ],
            ],
          ],
        ],
        [
          -2,
          [
            [0.471739609, 0.250969949],
            [
              [
                0.010891287, 0.041996267, 0.018421143, -0.016295627, -0.096814896, 0.071628319, 0.046955805, 0.13346274, 0.218358221, 0.098808909, 0.11674583,
                -0.078001534, -0.185243761, -0.242556335, 0.157972456, -0.109140683, 0.018278956, 0.013193128,
              ],
            ],
          ],
        ],
        [
          'fro',
          [
            [3.633180425, 5.603415428],
            [
              [
                -0.246799377, -0.100921678, -0.023854215, 0.021101805, 0.404604184, -0.27891082, -0.107343967, -0.405521653, -0.65507344, -1.691118424,
                -1.837578417, 2.060011715, 3.551659116, 4.553173442, -2.588551118, 1.52020356, 0.055933472, -0.274599078,
              ],
            ],
          ],
        ],
        [
          'nuc',
          [
            [9.938857563, 12.78643094],
            [
              [
                -0.364903418, -0.14738368, -0.034421315, 0.030449625, 0.594368696, -0.409484765, -0.156650958, -0.593937554, -0.959302585, -2.41282376,
                -2.61225844, 2.982182423, 5.090000558, 6.520146514, -3.6864114, 2.148327347, 0.101693918, -0.39468416,
              ],
            ],
          ],
        ],
        [
          1,
          [
            [4.0, 7.2],
            [
              [
                -0.066666667, -1.4, -0.933333333, -0.033333333, 0.5, -0.466666667, -0.133333333, -0.4, -1.866666667, -1.330909091, -2.530909091, 3.730909091,
                4.56, 5.76, -4.56, 2.072727273, 0.872727273, 0.327272727,
              ],
            ],
          ],
        ],
        [
          -1,
          [
            [1.4, 2.0],
            [
              [
                0.36, -0.16, 0.106666667, 0.28, -0.28, 0.186666667, 0.053333333, 0.08, -0.053333333, 0.054545455, 0.618181818, 0.054545455, -0.4, 1.527272727,
                -0.4, -0.363636364, 0.0, -0.363636364,
              ],
            ],
          ],
        ],
        [
          Infinity,
          [
            [4.0, 7.272727273],
            [
              [
                -0.133333333, 0.0, -0.266666667, 0.933333333, 0.666666667, -0.133333333, -0.933333333, 0.0, -1.866666667, -2.856198347, -4.760330579,
                2.380165289, 3.490909091, 5.818181818, -2.909090909, 3.404958678, 0.826446281, 0.495867769,
              ],
            ],
          ],
        ],
      ];
      for (const [p, c] of cases) run((t) => LA.cond(t, { p }), [A], c, 1e-4);
      run((t) => LA.cond(t), [M32], [[2.525174782], [[-1.097095219, 1.010482439, 0.894998731, 0.144354634, 0.577418536, -0.144354634]]]); // run(LA.cond, M32)
      expect(
        LA.cond(
          wg.tensor([
            [1, 2],
            [2, 4],
          ]),
          { p: 'fro' },
        ).toArray(),
      ).toBe(Infinity);
    });

    test('lstsq: solution and gradients, which fields each driver fills, the vector case', () => {
      run(
        (a, b) => LA.lstsq(a, b).solution,
        [
          M32,
          [
            [1, 0],
            [2, 1],
            [0, -1],
          ],
        ],
        [
          [0.3, 0.033333333, 0.5, 0.166666667],
          [
            [-0.037777778, -0.222222222, -0.291111111, -0.388888889, -0.122222222, -0.777777778],
            [0.066666667, 0.466666667, 0.866666667, 1.066666667, 0.333333333, 0.333333333],
          ],
        ],
      ); // run(lambda a, b: LA.lstsq(a, b).solution, M32, B)
      run(
        (a, b) => LA.lstsq(a, b, { driver: 'gelsd' }).solution,
        [M23, [[1], [2]]],
        [
          [0.510791367, -0.165467626, 0.316546763],
          [
            [0.171626727, -0.118420372, 0.420475131, -0.569225195, 0.13099736, -0.085761607],
            [-0.618705036, 0.874100719],
          ],
        ],
      );
      // r = LA.lstsq(M32, B, driver=d): [shapes of the four fields], residuals, rank, singular_values
      const drivers = {
        gelsy: [[[2, 2], [0], [], [0]], [], 2, []],
        gelsd: [[[2, 2], [2], [], [2]], [0.300000012, 1.633333325], 2, [3.718998671, 1.472768903]],
        gelss: [[[2, 2], [2], [], [2]], [0.300000012, 1.633333325], 2, [3.718998671, 1.472768903]],
        gels: [[[2, 2], [2], [0], [0]], [0.300000012, 1.633333325], [], []],
      } as const;
      for (const [driver, [shapes, residuals, rank, sv]] of Object.entries(drivers)) {
        const r = LA.lstsq(
          wg.tensor(M32),
          wg.tensor([
            [1, 0],
            [2, 1],
            [0, -1],
          ]),
          { driver: driver as keyof typeof drivers },
        );
        const [solution, res, rk, s] = r;
        expect([solution.shape, res.shape, rk.shape, s.shape], driver).toEqual(shapes);
        expectClose(flat(res), residuals, 2e-5);
        if (driver !== 'gels') expect(rk.toArray()).toEqual(rank);
        expectClose(flat(s), sv, 2e-5);
      }
      // LA.lstsq([M32, M32], [[1., 2, 3], [0, 1, -1]], driver='gelsd'): B one dim fewer is a batch of vectors
      const [shapes, solution, residuals] = [
        [[2, 2], [2, 1], [2], [2, 2]],
        [-0.199999973, 1.000000119, 0.033333339, 0.166666672],
        [4.800000191, 1.633333325],
      ];
      const r = LA.lstsq(
        wg.tensor([M32, M32]),
        wg.tensor([
          [1, 2, 3],
          [0, 1, -1],
        ]),
        { driver: 'gelsd' },
      );
      expect([r.solution.shape, r.residuals.shape, r.rank.shape, r.singularValues.shape]).toEqual(shapes);
      expectClose(flat(r.solution), solution, 2e-5);
      expectClose(flat(r.residuals), residuals, 2e-5);
    });

    test('odd shapes: 1×1, 5×5, batches, empty batches and 0×0 matrices', () => {
      const one = wg.tensor([[-3]]);
      expect(LA.eigh(one).eigenvalues.toArray()).toEqual([-3]);
      expect(LA.svd(one).S.toArray()).toEqual([3]);
      expect(LA.qr(one).R.toArray()).toEqual([[-3]]);
      const five = wg.arange(25).reshape([5, 5]).sin();
      const { U, S: s, Vh } = LA.svd(five);
      expectNear(wg.matmul(U.mul(s.unsqueeze(0)), Vh), five);
      const sym5 = five.add(five.mT);
      const e = LA.eigh(sym5);
      expectNear(wg.matmul(sym5, e.eigenvectors), e.eigenvectors.mul(e.eigenvalues.unsqueeze(0)));
      const q = LA.qr(five);
      expectNear(wg.matmul(q.Q, q.R), five);
      // a tall full U: 38 columns completing the 2 of the values, orthonormal
      const tall = LA.svd(wg.arange(80).reshape([40, 2]).cos()).U;
      expectNear(wg.matmul(tall.mT, tall), wg.eye(40), 1e-5);
      const empty = wg.zeros([0, 3, 3]);
      expect([LA.eigh(empty).eigenvectors.shape, LA.svd(empty).U.shape, LA.qr(empty).R.shape, LA.matrixNorm(empty).shape]).toEqual([
        [0, 3, 3],
        [0, 3, 3],
        [0, 3, 3],
        [0],
      ]);
      const zero = wg.zeros([2, 0, 0]);
      expect([LA.eigvalsh(zero).shape, LA.svdvals(zero).shape, LA.pinv(zero).shape, LA.matrixRank(zero).toArray()]).toEqual([
        [2, 0],
        [2, 0],
        [2, 0, 0],
        [0, 0],
      ]);
      expect(LA.svd(wg.zeros([2, 0])).U.toArray()).toEqual([
        [1, 0],
        [0, 1],
      ]);
    });

    test('errors', () => {
      const i = wg.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'int32' },
      );
      expect(() => LA.eigh(wg.ones([2, 3]))).toThrow('wasmgrad.linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices');
      expect(() => LA.eigvalsh(wg.ones([3]))).toThrow('wasmgrad.linalg.eigvalsh: A must have at least 2 dims [..., m, n], got [3]');
      expect(() => LA.svd(i)).toThrow(wg.DTypeError);
      expect(() => LA.svdvals(i)).toThrow('wasmgrad.linalg.svdvals: A must be a float32 tensor, got int32');
      expect(() => LA.eigh(wg.eye(2), { UPLO: 'X' as never })).toThrow("wasmgrad.linalg.eigh: UPLO must be 'L' or 'U', got \"X\"");
      expect(() => LA.svd(wg.eye(2), { full: true } as never)).toThrow("wasmgrad.linalg.svd: unknown option 'full'");
      expect(() => LA.qr(wg.eye(2), { mode: 'full' as never })).toThrow("wasmgrad.linalg.qr: mode must be 'reduced', 'complete' or 'r', got \"full\"");
      const g = wg.tensor(M32, { requiresGrad: true });
      expect(() => LA.qr(g, { mode: 'r' })).toThrow("wasmgrad.linalg.qr: the derivative of linalg.qr depends on Q, which is not computed when mode='r'");
      expect(() => LA.qr(g, { mode: 'complete' })).toThrow(
        "wasmgrad.linalg.qr: the QR decomposition is not differentiable when mode='complete' and nrows > ncols",
      );
      expect(() =>
        LA.qr(
          wg.tensor(
            [
              [1, 2],
              [0, 0],
              [0, 0],
            ],
            { requiresGrad: true },
          ),
        ),
      ).toThrow("wasmgrad.linalg.qr: the gradient needs R's inverse, but R has a zero on its diagonal");
      expect(() => LA.vectorNorm(wg.ones([2]), { ord: 'fro' as never })).toThrow('wasmgrad.linalg.vectorNorm: ord must be a number, got "fro"');
      expect(() => LA.vectorNorm(i)).toThrow('wasmgrad.linalg.vectorNorm: expected a float32 tensor as input, got int32');
      expect(() => LA.matrixNorm(wg.ones([3]))).toThrow('wasmgrad.linalg.matrixNorm: A must have at least 2 dims [..., m, n], got [3]');
      expect(() => LA.matrixNorm(wg.eye(3), { ord: 3 })).toThrow("wasmgrad.linalg.matrixNorm: ord must be 'fro', 'nuc', ±1, ±2 or ±Infinity, got 3");
      expect(() => LA.matrixNorm(wg.eye(3), { dim: [1, -1] })).toThrow('wasmgrad.linalg.matrixNorm: dim must be two different dims of A [3, 3], got [1, -1]');
      expect(() => LA.pinv(wg.eye(3), { rtol: '1' as never })).toThrow('wasmgrad.linalg.pinv: rtol must be a number or a tensor, got "1"');
      expect(() => LA.matrixRank(wg.ones([3, 2, 2]), { atol: wg.ones([4]) })).toThrow(
        'wasmgrad.linalg.matrixRank: shapes [3] and [4] cannot be broadcast together (dim 0: 3 vs 4)',
      );
      expect(() => LA.matrixRank(wg.ones([2, 3]), { hermitian: true })).toThrow('wasmgrad.linalg.matrixRank: hermitian A must be square matrices, got [2, 3]');
      expect(() => LA.cond(wg.ones([2, 3]), { p: 1 })).toThrow('wasmgrad.linalg.cond: p 1 needs square matrices, got [2, 3]');
      expect(() => LA.cond(wg.eye(2), { p: 3 })).toThrow("wasmgrad.linalg.cond: p must be 'fro', 'nuc', ±1, ±2, ±Infinity or null, got 3");
      expect(() => LA.lstsq(wg.ones([3, 2]), wg.ones([4, 2]))).toThrow("wasmgrad.linalg.lstsq: B's rows must match A's 3, got [4, 2]");
      expect(() => LA.lstsq(wg.ones([3, 2]), wg.ones([2, 3, 2]))).toThrow("wasmgrad.linalg.lstsq: B must have A's dims [3, 2] or one fewer, got [2, 3, 2]");
      expect(() => LA.lstsq(wg.ones([3, 2]), wg.ones([3, 2]), { driver: 'gelsx' as never })).toThrow(
        "wasmgrad.linalg.lstsq: driver must be 'gelsy', 'gelsd', 'gelss' or 'gels', got \"gelsx\"",
      );
      // torch: linalg.svd: (Batch element 1): The algorithm failed to converge because the input matrix contained non-finite values.
      const nan = wg.tensor([
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, NaN],
          [NaN, 1],
        ],
      ]);
      expect(() => LA.svdvals(nan)).toThrow(
        'wasmgrad.linalg.svdvals: (Batch element 1): The algorithm failed to converge because the input matrix contained non-finite values',
      );
      // a batch of one is named too, a single matrix not: torch's "(Batch element 0): The algorithm…" and "linalg.svd: The algorithm…"
      expect(() => LA.svd(nan.slice(0, 1, 2))).toThrow('wasmgrad.linalg.svd: (Batch element 0): The algorithm failed to converge');
      expect(() => LA.svd(nan.select(0, 1))).toThrow(
        'wasmgrad.linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values',
      );
      expect(() => LA.pinv(nan)).toThrow(wg.ValueError);
      // torch's eigh gives NaN for that matrix and keeps the others
      expect(LA.eigvalsh(nan).toArray()).toEqual([
        [1, 1],
        [NaN, NaN],
      ]);
      expect(() => wg.svd(wg.eye(2), 1 as never)).toThrow('wasmgrad.svd: some must be a boolean, got 1');
      expect(() => wg.qr(wg.eye(2), 'no' as never)).toThrow('wasmgrad.qr: some must be a boolean, got "no"');
    });

    test('under wg.compile a decomposition re-runs its JavaScript every call', () => {
      // (the decomposed tensors must be arguments: a value computed inside cannot be read inside)
      const f = wg.compile((a: wg.Tensor) => LA.svdvals(a).add(LA.eigvalsh(a)).add(LA.qr(a).R.sum()), { warn: false });
      for (const m of [
        M32.slice(0, 2),
        [
          [4, -1],
          [2, 5],
        ],
      ]) {
        const a = wg.tensor(m);
        expectNear(f(a), LA.svdvals(a).add(LA.eigvalsh(a)).add(LA.qr(a).R.sum()));
      }
    });
  });
}

describe('gradcheck on the reference backend', () => {
  beforeAll(() => wg.setBackend('reference'));
  // symmetric inputs for eigh (it reads one triangle; torch's gradient is the symmetric one)
  const sym = (t: wg.Tensor) => t.add(t.mT);
  const cases: [string, (t: wg.Tensor) => wg.Tensor, number[]][] = [
    ['eigh', (t) => eighLoss(sym(t)), [2, 3, 3]],
    ['eigvalsh', (t) => LA.eigvalsh(sym(t)), [3, 3]],
    ['svd tall', svdLoss, [4, 3]],
    [
      'svd wide full',
      (t) =>
        LA.svd(t)
          .U.abs()
          .sum()
          .add(LA.svd(t).Vh.narrow(-2, 0, 2).abs().sum()),
      [2, 3],
    ],
    ['svdvals', (t) => LA.svdvals(t), [2, 2, 3]],
    ['qr tall', (t) => qrLoss(t), [4, 3]],
    ['qr wide', (t) => qrLoss(t, 'complete'), [2, 4]],
    ['vectorNorm', (t) => LA.vectorNorm(t, { ord: 3, dim: -1 }), [3, 4]],
    ['matrixNorm nuc', (t) => LA.matrixNorm(t, { ord: 'nuc' }), [2, 3, 3]],
    ['pinv', (t) => LA.pinv(t), [3, 2]],
    ['cond fro', (t) => LA.cond(t, { p: 'fro' }), [3, 3]],
    ['lstsq', (t) => LA.lstsq(t, wg.tensor([[1], [2], [3]])).solution, [3, 2]],
  ];
  for (const [name, f, shape] of cases)
    test(name, () => {
      wg.manualSeed(7);
      const r = wg.gradcheck(f, [wg.randn(shape).requiresGrad_(true)]);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });
});
