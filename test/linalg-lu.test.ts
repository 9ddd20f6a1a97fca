/**
 * wg.linalg's LU family (src/api/linalg-lu.ts) on both backends: values and gradients against
 * torch 1.13 literals (gradients of Σ w·y with w = 1, 2, 3, … over y's elements, computed in
 * float64 by `run` in the script quoted below each literal), gradcheck on the reference backend,
 * singular matrices, odd and empty shapes, wg.compile and every error path.
 *
 * The script: torch.set_default_dtype(torch.float64); L = torch.linalg; T = torch.tensor;
 *   def run(f, *xs): ls = [x.clone().requires_grad_(True) for x in xs]; y = f(*ls)
 *     (y * torch.arange(1, y.numel() + 1).reshape(y.shape)).sum().backward(); return [y, [l.grad for l in ls]]
 * with the matrices A3, A5, B2, N3, W, TL of this file, LU, piv = L.lu_factor(A3), Bm below.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type Nested = number | Nested[];
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const L = wg.linalg;

const A3 = [
  [2, 1, -1],
  [0.5, 3, 1],
  [1, -2, 4],
];
const A5 = [
  [4, 1, 0, -1, 2],
  [1, 5, 2, 0, -1],
  [0, -2, 6, 1, 1],
  [2, 0, 1, 3, 0.5],
  [-1, 1, 0, 2, 4],
];
const B2 = [
  [
    [1, 2],
    [3, 4],
  ],
  [
    [0.5, -1],
    [2, 1.5],
  ],
];
const N3 = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 10],
];
const W = [
  [1, 2, 0, -1],
  [3, 1, 2, 2],
  [0, -1, 1, 4],
];
const TL = W[0].map((_, j) => W.map((r) => r[j]));
const Bm = [
  [1, 2],
  [0, -1],
  [3, 1],
];
const SPD = [
  [4, 2, -1],
  [2, 5, 1],
  [-1, 1, 3],
];
const SPDB = [
  [
    [2, 1],
    [1, 3],
  ],
  [
    [1, 0.5],
    [0.5, 1],
  ],
];
/** Lf = L.cholesky(SPD), exact in float32 but for its last entry. */
const Lf = [
  [2, 0, 0],
  [1, 2, 0],
  [-0.5, 0.75, Math.sqrt(2.1875)],
];
const LfT = Lf[0].map((_, j) => Lf.map((r) => r[j]));
const S2 = [
  [
    [0.1, 0.2],
    [-0.3, 0.05],
  ],
  [
    [1, 2],
    [-0.5, 1.5],
  ],
];
const H = [
  [1, 0.5],
  [0.25, -1],
  [2, 0.75],
  [-0.5, 1.5],
];
const A4 = [
  [4, 1, 0, -1],
  [1, 5, 2, 0],
  [0, -2, 6, 1],
  [2, 0, 1, 3],
];

const TORCH = {
  // run(L.inv,A3)
  inv3: [
    [
      [0.451612903, -0.064516129, 0.129032258],
      [-0.0322580645, 0.290322581, -0.0806451613],
      [-0.129032258, 0.161290323, 0.177419355],
    ],
    [
      [
        [0.243496358, 0.0655567118, -0.0280957336],
        [-1.22372529, -0.444849116, -0.666493236],
        [-0.584807492, -0.215140479, -0.336368366],
      ],
    ],
  ],
  // run(L.inv,B2)
  invB: [
    [
      [
        [-2, 1],
        [1.5, -0.5],
      ],
      [
        [0.545454545, 0.363636364],
        [-0.727272727, 0.181818182],
      ],
    ],
    [
      [
        [
          [3, -2.75],
          [-1, 0.75],
        ],
        [
          [2.21487603, -1.25619835],
          [-3.00826446, 1.58677686],
        ],
      ],
    ],
  ],
  // run(L.inv,T([[4.]]))
  inv1: [[[0.25]], [[[-0.0625]]]],
  // run(L.det,A3)
  det3: [
    31,
    [
      [
        [14, -1, -4],
        [-2, 9, 5],
        [4, -2.5, 5.5],
      ],
    ],
  ],
  // run(L.det,A5)
  det5: [
    2298,
    [
      [
        [382, -26, -1, -296, 250],
        [-44, 388, 147.5, -2, -107],
        [-34, -118, 349, -106, 74],
        [292, -68, -91, 640, -230],
        [-230, 148, -38.5, 94, 433],
      ],
    ],
  ],
  // run(L.det,B2)
  detB: [
    [-2, 2.75],
    [
      [
        [
          [4, -3],
          [-2, 1],
        ],
        [
          [3, -4],
          [2, 1],
        ],
      ],
    ],
  ],
  // run(lambda a: L.slogdet(a)[1], B2)
  slog: [
    [0.693147181, 1.01160091],
    [
      [
        [
          [-2, 1.5],
          [1, -0.5],
        ],
        [
          [1.09090909, -1.45454545],
          [0.727272727, 0.363636364],
        ],
      ],
    ],
  ],
  // L.slogdet(T([[[1.,2],[3,4]],[[2,0],[0,3]],[[1,2],[2,4]]]))[0].tolist()
  slogsign: [-1, 1, -0],
  // run(torch.logdet, A3)
  logdet: [
    3.4339872,
    [
      [
        [0.451612903, -0.0322580645, -0.129032258],
        [-0.064516129, 0.290322581, 0.161290323],
        [0.129032258, -0.0806451613, 0.177419355],
      ],
    ],
  ],
  // run(lambda a,b: L.solve(a,b), torch.stack([A3,N3]), T([1.,-2,0.5]))
  solveVecB: [
    [
      [0.64516129, -0.653225806, -0.362903226],
      [2.5, -9, 5.5],
    ],
    [
      [
        [
          [-0, -0, -0],
          [-0.64516129, 0.653225806, 0.362903226],
          [-0.322580645, 0.326612903, 0.181451613],
        ],
        [
          [-0, -0, -0],
          [-2.5, 9, -5.5],
          [-0, -0, -0],
        ],
      ],
      [0, 2, 0.5],
    ],
  ],
  // run(lambda a,b: L.solve(a,b), A3, T([[[1.,2],[0,-1],[3,1]],[[0.5,0],[1,1],[-2,2]]]))
  solveMat: [
    [
      [
        [0.838709677, 1.09677419],
        [-0.274193548, -0.435483871],
        [0.403225806, -0.241935484],
      ],
      [
        [-0.0967741935, 0.193548387],
        [0.435483871, 0.129032258],
        [-0.258064516, 0.516129032],
      ],
    ],
    [
      [
        [0.0468262227, -0.936524454, -0.407388137],
        [-4.00208117, -0.958376691, -1.38189386],
        [-1.99583767, -0.583246618, -0.736212279],
      ],
      [
        [
          [-0.290322581, 0],
          [1.61290323, 2],
          [0.774193548, 1],
        ],
        [
          [1.4516129, 1.74193548],
          [3.93548387, 4.32258065],
          [2.12903226, 2.35483871],
        ],
      ],
    ],
  ],
  // run(lambda a,b: L.solve(a,b,left=False), A3, T([[1.,2,0],[-1,3,1]]))
  solveRight: [
    [
      [0.387096774, 0.516129032, -0.0322580645],
      [-0.677419355, 1.09677419, -0.193548387],
    ],
    [
      [
        [1.25494277, 0.449531738, 0.636836629],
        [-2.84287201, -1.0780437, -1.86056191],
        [0.459937565, 0.172216441, 0.285639958],
      ],
      [
        [0.709677419, 0.306451613, 0.725806452],
        [2.25806452, 0.838709677, 1.35483871],
      ],
    ],
  ],
  // run(lambda a: L.lu_factor(a)[0], N3)
  luf3: [
    [
      [7, 8, 10],
      [0.142857143, 0.857142857, 1.57142857],
      [0.571428571, 0.5, -0.5],
    ],
    [
      [
        [-11.3809524, 8.58333333, 1.5],
        [-3.66666667, -7.16666667, 9],
        [4.72108844, 4.86904762, -2.35714286],
      ],
    ],
  ],
  // L.lu_factor(N3)[1].tolist()
  piv3: [3, 3, 3],
  // run(lambda a: L.lu_factor(a)[0], W)
  lufW: [
    [
      [3, 1, 2, 2],
      [0.333333333, 1.66666667, -0.666666667, -1.66666667],
      [0, -0.6, 0.6, 3],
    ],
    [
      [
        [-24.0133333, 19.44, 13.6, 15.2],
        [9.00444444, -4.48, -1.53333333, -1.06666667],
        [-19.8, 22.4, 11, 12],
      ],
    ],
  ],
  // L.lu_factor(W)[1].tolist()
  pivW: [2, 2, 3],
  // run(lambda a: L.lu_factor(a)[0], TL)
  lufT: [
    [
      [2, 1, -1],
      [0.5, 2.5, 0.5],
      [-0.5, 1, 3],
      [0, 0.8, 0.2],
    ],
    [
      [
        [-0.98, 0.56, -5.4],
        [4.9, 2.5, 9.8],
        [5.2, 3.6, 4],
        [6.82, 1.56, 8.2],
      ],
    ],
  ],
  // L.lu_factor(TL)[1].tolist()
  pivT: [2, 2, 4],
  // run(lambda a: torch.cat([x.flatten() for x in L.lu(a)]), W)
  luW: [
    [0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0.333333333, 1, 0, 0, -0.6, 1, 3, 1, 2, 2, 0, 1.66666667, -0.666666667, -1.66666667, 0, 0, 0.6, 3],
    [
      [
        [-71.6266667, 55.08, 42.4, 44],
        [42.8755556, 1.64, 6.86666667, 7.33333333],
        [-51.2666667, 51.8, 29, 30],
      ],
    ],
  ],
  // run(lambda a: torch.cat([x.flatten() for x in L.lu(a)]), TL)
  luT: [
    [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0.5, 1, 0, -0.5, 1, 1, 0, 0.8, 0.2, 2, 1, -1, 0, 2.5, 0.5, 0, 0, 3],
    [
      [
        [-5.94, 23.28, -8.6],
        [45.86, 19.6466667, 52.8666667],
        [13.2, 8.93333333, 9.33333333],
        [27.78, 2.57333333, 35.1333333],
      ],
    ],
  ],
  // LU.tolist()
  LUA3: [
    [2, 1, -1],
    [0.25, 2.75, 1.25],
    [0.5, -0.909090909, 5.63636364],
  ],
  // piv.tolist()
  pivA3: [1, 2, 3],
  // run(lambda lu,b: L.lu_solve(lu,piv,b), LU, Bm)
  lusolve: [
    [
      [0.838709677, 1.09677419],
      [-0.274193548, -0.435483871],
      [0.403225806, -0.241935484],
    ],
    [
      [
        [-1.51612903, 0.572580645, 0.0403225806],
        [-5.61290323, 0.724340176, -0.102639296],
        [-2.77419355, 1.69354839, -0.070239334],
      ],
      [
        [-0.290322581, 0],
        [1.61290323, 2],
        [0.774193548, 1],
      ],
    ],
  ],
  // run(lambda lu,b: L.lu_solve(lu,piv,b,adjoint=True), LU, Bm)
  lusolveAdj: [
    [
      [0.064516129, 0.806451613],
      [0.419354839, -0.258064516],
      [0.661290323, 0.516129032],
    ],
    [
      [
        [-1.87096774, -0.830645161, -2.07258065],
        [0.0967741935, 0.524926686, 1.28152493],
        [-1.69354839, -3.625, -1.57049948],
      ],
      [
        [0.903225806, 1.41935484],
        [0.435483871, 0.612903226],
        [1.24193548, 1.4516129],
      ],
    ],
  ],
  // run(lambda lu,b: L.lu_solve(lu,piv,b,left=False), LU, Bm.T.clone())
  lusolveRight: [
    [
      [0.064516129, 0.419354839, 0.661290323],
      [0.806451613, -0.258064516, 0.516129032],
    ],
    [
      [
        [-2.61290323, -0.991935484, -1.71774194],
        [0.612903226, 0.66568915, 1.11730205],
        [-2.72580645, -3.22177419, -1.17924037],
      ],
      [
        [0.709677419, 0.306451613, 0.725806452],
        [2.25806452, 0.838709677, 1.35483871],
      ],
    ],
  ],
  // run(lambda lu: torch.cat([x.flatten() for x in torch.lu_unpack(lu,piv)]), LU)
  unpack: [
    [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0.25, 1, 0, 0.5, -0.909090909, 1, 2, 1, -1, 0, 2.75, 1.25, 0, 0, 5.63636364],
    [
      [
        [19, 20, 21],
        [13, 23, 24],
        [16, 17, 27],
      ],
    ],
  ],
  // run(lambda a,b: L.solve_triangular(a,b,upper=True), A3, Bm)
  triU: [
    [
      [1, 1.33333333],
      [-0.25, -0.416666667],
      [0.75, 0.25],
    ],
    [
      [
        [-1.83333333, 0.541666667, -0.625],
        [0, 0.625, -0.875],
        [0, 0, -1.25],
      ],
      [
        [0.5, 1],
        [0.833333333, 1],
        [1.16666667, 1.5],
      ],
    ],
  ],
  // run(lambda a,b: L.solve_triangular(a,b,upper=False,unitriangular=True), A3, Bm)
  triLunit: [
    [
      [1, 2],
      [-0.5, -2],
      [1, -5],
    ],
    [
      [
        [0, 0, 0],
        [-45, 0, 0],
        [-17, 14.5, 0],
      ],
      [
        [-10.5, -12],
        [13, 16],
        [5, 6],
      ],
    ],
  ],
  // run(lambda a,b: L.solve_triangular(a,b,upper=True,left=False), A3, Bm.T.clone())
  triRight: [
    [
      [0.5, -0.166666667, 0.916666667],
      [1, -0.666666667, 0.666666667],
    ],
    [
      [
        [-2.5, -1.375, -1.875],
        [0, 0.847222222, 1.125],
        [0, 0, -1.6875],
      ],
      [
        [0.666666667, 0.416666667, 0.75],
        [2.16666667, 1.16666667, 1.5],
      ],
    ],
  ],
  // run(L.cholesky,SPD)
  chol: [
    [
      [2, 0, 0],
      [1, 2, 0],
      [-0.5, 0.75, 1.47901995],
    ],
    [
      [
        [0.394864104, 0.750830768, 2.08111795],
        [0.750830768, 0.927859341, 0.859041756],
        [2.08111795, 0.859041756, 3.04255532],
      ],
    ],
  ],
  // run(lambda a: L.cholesky(a,upper=True),SPDB)
  cholU: [
    [
      [
        [1.41421356, 0.707106781],
        [0, 1.58113883],
      ],
      [
        [1, 0.5],
        [0, 0.866025404],
      ],
    ],
    [
      [
        [
          [0.316227766, 0.0746512492],
          [0.0746512492, 1.26491106],
        ],
        [
          [2.15470054, 0.690598923],
          [0.690598923, 4.61880215],
        ],
      ],
    ],
  ],
  // run(lambda a: torch.cholesky(a),SPDB)
  cholT: [
    [
      [
        [1.41421356, 0],
        [0.707106781, 1.58113883],
      ],
      [
        [1, 0],
        [0.5, 0.866025404],
      ],
    ],
    [
      [
        [
          [0.139451071, 0.42820464],
          [0.42820464, 1.26491106],
        ],
        [
          [1.90470054, 1.19059892],
          [1.19059892, 4.61880215],
        ],
      ],
    ],
  ],
  // run(lambda b,l: torch.cholesky_solve(b,l),Bm,Lf)
  cholS: [
    [
      [1, 1.2],
      [-0.714285714, -0.885714286],
      [1.57142857, 1.02857143],
    ],
    [
      [
        [0.8, 1.2],
        [-0.114285714, -0.171428571],
        [1.97142857, 2.45714286],
      ],
      [
        [-3.3, -1.65, -10.9616507],
        [1.47142857, 2.02142857, 5.82794227],
        [-5.25714286, -0.557142857, -16.6398799],
      ],
    ],
  ],
  // run(lambda b,u: torch.cholesky_solve(b,u,upper=True),Bm,Lf.T.clone())
  cholSU: [
    [
      [1, 1.2],
      [-0.714285714, -0.885714286],
      [1.57142857, 1.02857143],
    ],
    [
      [
        [0.8, 1.2],
        [-0.114285714, -0.171428571],
        [1.97142857, 2.45714286],
      ],
      [
        [-3.3, 1.47142857, -5.25714286],
        [-1.65, 2.02142857, -0.557142857],
        [-10.9616507, 5.82794227, -16.6398799],
      ],
    ],
  ],
  // run(lambda l: torch.cholesky_inverse(l),Lf)
  cholI: [
    [
      [0.4, -0.2, 0.2],
      [-0.2, 0.314285714, -0.171428571],
      [0.2, -0.171428571, 0.457142857],
    ],
    [
      [
        [-0.8, -1.2, -2.90733064],
        [0.114285714, 0.171428571, 0.415332948],
        [-1.97142857, -1.95714286, -4.96709229],
      ],
    ],
  ],
  // run(lambda u: torch.cholesky_inverse(u,True),Lf.T.clone())
  cholIU: [
    [
      [0.4, -0.2, 0.2],
      [-0.2, 0.314285714, -0.171428571],
      [0.2, -0.171428571, 0.457142857],
    ],
    [
      [
        [-0.8, 0.114285714, -1.97142857],
        [-1.2, 0.171428571, -1.95714286],
        [-2.90733064, 0.415332948, -4.96709229],
      ],
    ],
  ],
  // run(lambda b,a: torch.triangular_solve(b,a,upper=False,transpose=True)[0],Bm,SPD)
  trisT: [
    [
      [0.6, 0.716666667],
      [-0.2, -0.266666667],
      [1, 0.333333333],
    ],
    [
      [
        [0.25, 0.5],
        [0.5, 0.6],
        [1.58333333, 1.96666667],
      ],
      [
        [-0.508333333, 0, 0],
        [0.183333333, 0.26, 0],
        [-0.416666667, -0.7, -2.23888889],
      ],
    ],
  ],
  // run(lambda a: L.matrix_power(a,3),A3)
  pow3: [
    [
      [5.5, 34.5, -16.5],
      [17.25, 13, 30],
      [16.5, -60, 34],
    ],
    [
      [
        [73.5, 169.5, 148.5],
        [-39, 43.5, -9],
        [205.5, 429, 306],
      ],
    ],
  ],
  // run(lambda a: L.matrix_power(a,-2),A3)
  powm2: [
    [
      [0.189386056, -0.0270551509, 0.0863683663],
      [-0.0135275754, 0.0733610822, -0.0418834547],
      [-0.0863683663, 0.0837669095, 0.00182101977],
    ],
    [
      [
        [0.327011514, 0.0851599476, 0.0263838072],
        [-1.07525763, -0.204004565, -0.278036991],
        [-0.267278708, -0.0103051257, -0.0284733644],
      ],
    ],
  ],
  // run(lambda a: L.matrix_power(a,0),S2)
  pow0: [
    [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ],
    [
      [
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
    ],
  ],
  // run(L.matrix_exp,A3)
  exp3: [
    [
      [7.87459863, 23.8210288, -6.27951041],
      [11.9105144, 5.38334986, 19.4356492],
      [6.27951041, -38.8712984, 16.0482399],
    ],
    [
      [
        [68.1637464, 155.03392, 71.375017],
        [-58.3040458, -75.6374927, -73.9562696],
        [175.60603, 342.863247, 112.744918],
      ],
    ],
  ],
  // run(L.matrix_exp,S2)
  expB: [
    [
      [
        [1.07272371, 0.213449842],
        [-0.320174763, 1.01936125],
      ],
      [
        [1.23564226, 5.93995529],
        [-1.48498882, 2.72063108],
      ],
    ],
    [
      [
        [
          [0.771534191, 1.36486707],
          [3.7148352, 3.84500993],
        ],
        [
          [16.0895843, 5.72089745],
          [69.1857172, 37.0984857],
        ],
      ],
    ],
  ],
  // run(lambda a,b,c,d: L.multi_dot([a,b,c,d]),T([1.,2,-1]),A3,H[:3].clone(),T([0.5,-1]))
  mdot: [
    9.375,
    [
      [0.875, 3.625, -1.25],
      [
        [0, 1.125, 0.25],
        [0, 2.25, 0.5],
        [0, -1.125, -0.25],
      ],
      [
        [1, -2],
        [4.5, -9],
        [-1.5, 3],
      ],
      [-1.75, -10.25],
    ],
  ],
  // run(lambda x,y: L.vecdot(x,y,dim=0),T([[1.,2],[3,-1],[0.5,2]]),T([[2.],[1],[-1]]))
  vecdot: [
    [4.5, 1],
    [
      [
        [2, 4],
        [1, 2],
        [-1, -2],
      ],
      [[5], [1], [4.5]],
    ],
  ],
  // run(lambda x: L.vander(x,N=4),T([[2.,-1],[0.5,3]]))
  vander: [
    [
      [
        [1, 2, 4, 8],
        [1, -1, 1, -1],
      ],
      [
        [1, 0.5, 0.25, 0.125],
        [1, 3, 9, 27],
      ],
    ],
    [
      [
        [62, 16],
        [30, 536],
      ],
    ],
  ],
  // run(lambda a,t: L.householder_product(a,t),H,tau)
  hh: [
    [
      [-0.2, 0.18],
      [-0.3, 0.645],
      [-2.4, 0.06],
      [0.6, -0.69],
    ],
    [
      [
        [0, 0],
        [-10.8, 0],
        [-0.96, 8.16],
        [0.96, -5.84],
      ],
      [-6.6, -7.3],
    ],
  ],
  // run(lambda a: L.tensorinv(a.reshape(2,2,4),ind=2),A4)
  tinv2: [
    [
      [
        [0.224018476, -0.0438799076],
        [0.00230946882, 0.0739030023],
      ],
      [
        [-0.0484988453, 0.184757506],
        [-0.0623556582, 0.00461893764],
      ],
      [
        [0.00923787529, 0.0600461894],
        [0.154734411, -0.0484988453],
      ],
      [
        [-0.152424942, 0.00923787529],
        [-0.0531177829, 0.300230947],
      ],
    ],
    [
      [
        [0.485489815, 0.148126023, 0.329203313, 0.173226163],
        [-0.43323075, -0.136488007, -0.317453291, -0.328995301],
        [-0.10823035, -0.0339006555, -0.0782232558, -0.0742123538],
        [-0.973763794, -0.304220514, -0.699449034, -0.635765298],
      ],
    ],
  ],
  // run(lambda a,b: L.tensorsolve(a.reshape(2,2,2,2),b,dims=(0,)),A4,T([[1.,2],[-1,0.5]]))
  tsolve: [
    [
      [0.28358209, 0.291044776],
      [-0.373134328, -0.119402985],
    ],
    [
      [
        [0.126977055, -0.167075072, 0.0193488846, -0.0254590587],
        [-0.191674888, 0.2522038, -0.299907711, 0.394615409],
        [0.130318556, -0.0534640232, 0.0198580657, -0.00814689877],
        [-0.196718964, 0.0807052159, -0.307800019, 0.126276931],
      ],
      [
        [-0.447761194, -0.0682302772],
        [0.675906183, 1.0575693],
      ],
    ],
  ],
};

/** y = f(leaves) and the gradients of Σ w·y (w = 1, 2, …) against torch's [y, [grads]]. */
function run(f: (...xs: wg.Tensor[]) => wg.Tensor, inputs: Nested[], torchResult: readonly unknown[], tol = 2e-5): void {
  const want = torchResult as [Nested, (Nested | null)[]];
  const leaves = inputs.map((v) => wg.tensor(v as wg.NestedArray, { requiresGrad: true }));
  const y = f(...leaves);
  y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();
  expectClose(flat(y.toArray() as Nested), flat(want[0]), tol);
  leaves.forEach((l, i) => want[1][i] !== null && expectClose(flat(l.grad!.toArray() as Nested), flat(want[1][i]!), tol));
}
const t = (v: Nested) => wg.tensor(v as wg.NestedArray);
const flatAll = (...xs: wg.Tensor[]) => wg.cat(xs.map((x) => x.flatten()));

for (const be of ['wasm', 'reference'] as const) {
  describe(`linalg LU family on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('inv, inverse and invEx: values and gradients (3×3, a batch, 1×1, 0×0 and an empty batch)', () => {
      run(L.inv, [A3], TORCH.inv3);
      run(L.inv, [B2], TORCH.invB);
      run(wg.inverse, [[[4]]], TORCH.inv1);
      run((a) => a.inverse(), [A3], TORCH.inv3);
      expect(L.inv(wg.zeros([0, 0])).shape).toEqual([0, 0]);
      expect(L.inv(wg.zeros([0, 3, 3])).shape).toEqual([0, 3, 3]);
      const { inverse, info } = L.invEx(
        t([
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 2],
            [2, 4],
          ],
        ]),
      );
      expect(info.dtype).toBe('int32');
      expect(info.toArray()).toEqual([0, 2]);
      expect(flat(inverse.toArray() as Nested).slice(0, 4)).toEqual([1, 0, 0, 1]);
      const [inv2] = L.invEx(t(B2));
      expectClose(flat(inv2.toArray() as Nested), flat(TORCH.invB[0]), 1e-6);
    });

    test('det, slogdet and logdet: values and gradients', () => {
      run(L.det, [A3], TORCH.det3);
      run(L.det, [A5], TORCH.det5);
      run(wg.det, [B2], TORCH.detB);
      run((a) => a.det(), [A3], TORCH.det3);
      run((a) => L.slogdet(a).logabsdet, [B2], TORCH.slog);
      run((a) => [...wg.slogdet(a)][1], [B2], TORCH.slog);
      run(wg.logdet, [A3], TORCH.logdet);
      const [sign, logabsdet] = L.slogdet(
        t([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [2, 0],
            [0, 3],
          ],
          [
            [1, 2],
            [2, 4],
          ],
        ]),
      );
      expect(sign.toArray()).toEqual(TORCH.slogsign);
      expect((logabsdet.toArray() as number[])[2]).toBe(-Infinity);
      // det(A) < 0 → NaN, singular → −∞ (torch.logdet(T([[1., 2], [3, 4]])) is nan)
      expect(
        wg
          .logdet(
            t([
              [
                [1, 2],
                [3, 4],
              ],
              [
                [1, 2],
                [2, 4],
              ],
            ]),
          )
          .toArray(),
      ).toEqual([NaN, -Infinity]);
      expect(L.det(wg.zeros([0, 0])).item()).toBe(1);
      expect(L.det(wg.zeros([0, 2, 2])).shape).toEqual([0]);
    });

    test("det's gradient at singular matrices is the cofactor matrix (torch 1.13 gives 0 there)", () => {
      // rank n − 1: d det/dA = adj(A)ᵀ, [[4, −2], [−2, 1]] for [[1, 2], [2, 4]]; [[0, 0], [−1, 0]] for [[0, 1], [0, 0]]
      const cases: [Nested, Nested][] = [
        [
          [
            [1, 2],
            [2, 4],
          ],
          [
            [4, -2],
            [-2, 1],
          ],
        ],
        [
          [
            [0, 1],
            [0, 0],
          ],
          [
            [0, 0],
            [-1, 0],
          ],
        ],
        // N3 with its last row the sum of the others: adj's cofactors by hand
        [
          [
            [1, 2, 3],
            [4, 5, 6],
            [5, 7, 9],
          ],
          [
            [3, -6, 3],
            [3, -6, 3],
            [-3, 6, -3],
          ],
        ],
        [
          [
            [0, 0, 0],
            [0, 1, 0],
            [0, 0, 0],
          ],
          [
            [0, 0, 0],
            [0, 0, 0],
            [0, 0, 0],
          ],
        ],
      ];
      for (const [a, g] of cases) {
        const x = wg.tensor(a as wg.NestedArray, { requiresGrad: true });
        const d = L.det(x);
        expect(Math.abs(d.item())).toBeLessThan(1e-5);
        d.backward();
        expectClose(flat(x.grad!.toArray() as Nested), flat(g), 1e-5);
      }
    });

    test('solve and solveEx: vector and matrix right-hand sides, batches broadcasting, left false', () => {
      run(
        (a, b) => L.solve(a, b),
        [
          [A3, N3],
          [1, -2, 0.5],
        ],
        TORCH.solveVecB,
      );
      run(
        (a, b) => L.solve(a, b),
        [
          A3,
          [
            [
              [1, 2],
              [0, -1],
              [3, 1],
            ],
            [
              [0.5, 0],
              [1, 1],
              [-2, 2],
            ],
          ],
        ],
        TORCH.solveMat,
      );
      run(
        (a, b) => L.solve(a, b, { left: false }),
        [
          A3,
          [
            [1, 2, 0],
            [-1, 3, 1],
          ],
        ],
        TORCH.solveRight,
      );
      const { result, info } = L.solveEx(
        t([
          [
            [1, 2],
            [2, 4],
          ],
          [
            [2, 0],
            [0, 4],
          ],
        ]),
        t([2, 4]),
      );
      expect(info.toArray()).toEqual([2, 0]);
      expect((result.toArray() as number[][])[1]).toEqual([1, 1]);
      expect(L.solve(wg.zeros([0, 2, 2]), wg.zeros([2, 1])).shape).toEqual([0, 2, 1]);
    });

    test('luFactor, luFactorEx and lu: square, wide and tall, with their gradients', () => {
      run((a) => L.luFactor(a).LU, [N3], TORCH.luf3);
      run((a) => L.luFactor(a).LU, [W], TORCH.lufW);
      run((a) => L.luFactor(a).LU, [TL], TORCH.lufT);
      expect(L.luFactor(t(N3)).pivots.toArray()).toEqual(TORCH.piv3);
      expect(L.luFactor(t(W)).pivots.toArray()).toEqual(TORCH.pivW);
      expect(L.luFactor(t(TL)).pivots.toArray()).toEqual(TORCH.pivT);
      run((a) => flatAll(...L.lu(a)), [W], TORCH.luW);
      run((a) => flatAll(...L.lu(a)), [TL], TORCH.luT);
      // torch.linalg.lu_factor_ex(T([[[1., 2], [2, 4]], [[0, 0], [0, 0]]])): pivots [[2, 2], [1, 2]], info [2, 1]
      const [LU, pivots, info] = L.luFactorEx(
        t([
          [
            [1, 2],
            [2, 4],
          ],
          [
            [0, 0],
            [0, 0],
          ],
        ]),
      );
      expect(LU.toArray()).toEqual([
        [
          [2, 4],
          [0.5, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ]);
      expect(pivots.toArray()).toEqual([
        [2, 2],
        [1, 2],
      ]);
      expect(info.toArray()).toEqual([2, 1]);
      // with a gradient, a singular U keeps its values finite (its linearization is dropped)
      const sing = wg.tensor(
        [
          [
            [1, 2],
            [2, 4],
          ],
          [
            [2, 1],
            [1, 3],
          ],
        ],
        { requiresGrad: true },
      );
      const { LU: LUs } = L.luFactorEx(sing);
      expect(flat(LUs.toArray() as Nested).every(Number.isFinite)).toBe(true);
      LUs.sum().backward();
      expect(flat(sing.grad!.toArray() as Nested).every(Number.isFinite)).toBe(true);
      const spd = wg.tensor(
        [
          [
            [-1, 0],
            [0, 1],
          ],
          [
            [2, 1],
            [1, 3],
          ],
        ],
        { requiresGrad: true },
      );
      const chol = L.choleskyEx(spd).L;
      expect(flat((chol.toArray() as Nested[])[1] as Nested).every(Number.isFinite)).toBe(true);
      chol.sum().backward();
      expect(flat(spd.grad!.toArray() as Nested).every(Number.isFinite)).toBe(true);
    });

    test('luSolve (left, right, adjoint), torch.luSolve and luUnpack, gradients in LU and B', () => {
      const piv = wg.tensor(TORCH.pivA3, { dtype: 'int32' });
      expectClose(flat(L.luFactor(t(A3)).LU.toArray() as Nested), flat(TORCH.LUA3), 1e-6);
      run((lu, b) => L.luSolve(lu, piv, b), [TORCH.LUA3, Bm], TORCH.lusolve);
      run((lu, b) => L.luSolve(lu, piv, b, { adjoint: true }), [TORCH.LUA3, Bm], TORCH.lusolveAdj);
      run(
        (lu, b) => L.luSolve(lu, piv, b, { left: false }),
        [
          TORCH.LUA3,
          [
            [1, 0, 3],
            [2, -1, 1],
          ],
        ],
        TORCH.lusolveRight,
      );
      run((lu, b) => wg.luSolve(b, lu, piv), [TORCH.LUA3, Bm], TORCH.lusolve);
      run((lu) => flatAll(...wg.luUnpack(lu, piv)), [TORCH.LUA3], TORCH.unpack);
    });

    test('solveTriangular and triangularSolve: upper, unit lower, right side; only the triangle read', () => {
      run((a, b) => L.solveTriangular(a, b, { upper: true }), [A3, Bm], TORCH.triU);
      run((a, b) => L.solveTriangular(a, b, { upper: false, unitriangular: true }), [A3, Bm], TORCH.triLunit);
      run(
        (a, b) => L.solveTriangular(a, b, { upper: true, left: false }),
        [
          A3,
          [
            [1, 0, 3],
            [2, -1, 1],
          ],
        ],
        TORCH.triRight,
      );
      run((a, b) => wg.triangularSolve(b, a).solution, [A3, Bm], TORCH.triU);
    });

    test('cholesky, choleskyEx and torch.cholesky: values and gradients; info and the error at the failing minor', () => {
      run((a) => L.cholesky(a), [SPD], TORCH.chol);
      run((a) => L.cholesky(a, { upper: true }), [SPDB], TORCH.cholU);
      run((a) => wg.cholesky(a), [SPDB], TORCH.cholT);
      run((a) => a.cholesky(), [SPDB], TORCH.cholT);
      // torch.linalg.cholesky_ex(T([[[1., 0], [0, 1]], [[1, 2], [2, 1]]])).info is [0, 2]
      const { L: l, info } = L.choleskyEx(
        t([
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 2],
            [2, 1],
          ],
        ]),
      );
      expect(info.toArray()).toEqual([0, 2]);
      expect((l.toArray() as Nested[])[0]).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(L.cholesky(wg.zeros([0, 0])).shape).toEqual([0, 0]);
      expect(L.cholesky(wg.zeros([0, 2, 2])).shape).toEqual([0, 2, 2]);
    });

    test("choleskySolve, choleskyInverse and triangularSolve: values, and gradients in B and in L's triangle", () => {
      // torch's cholesky_solve gradient also gives L's unread triangle a gradient; wasmgrad's is the triangle's only
      const mask = (g: Nested, upper: boolean) => (g as number[][]).map((r, i) => r.map((v, j) => ((upper ? j >= i : j <= i) ? v : 0)));
      const triangleOnly = (want: readonly unknown[], upper: boolean, at: number) => {
        const [y, grads] = want as [Nested, Nested[]];
        return [y, grads.map((g, i) => (i === at ? mask(g, upper) : g))];
      };
      run((b, l) => wg.choleskySolve(b, l), [Bm, Lf], triangleOnly(TORCH.cholS, false, 1));
      run((b, u) => b.choleskySolve(u, true), [Bm, LfT], triangleOnly(TORCH.cholSU, true, 1));
      run((l) => wg.choleskyInverse(l), [Lf], triangleOnly(TORCH.cholI, false, 0));
      run((u) => u.choleskyInverse(true), [LfT], triangleOnly(TORCH.cholIU, true, 0));
      run((b, a) => b.triangularSolve(a, false, true).solution, [Bm, SPD], TORCH.trisT);
      const { solution, clonedCoefficient } = wg.triangularSolve(t(Bm), t(SPD));
      expect(clonedCoefficient.toArray()).toEqual(SPD);
      expectClose(flat(solution.toArray() as Nested), flat(L.solveTriangular(t(SPD), t(Bm), { upper: true }).toArray() as Nested), 1e-6);
    });
  });
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`linalg composed functions on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('matrixPower (n > 0, n < 0, n = 0) and matrixExp, also as torch names and methods', () => {
      run((a) => L.matrixPower(a, 3), [A3], TORCH.pow3);
      run((a) => wg.matrixPower(a, -2), [A3], TORCH.powm2);
      run((a) => a.matrixPower(0), [S2], TORCH.pow0);
      run((a) => L.matrixExp(a), [A3], TORCH.exp3, 1e-4);
      run((a) => a.matrixExp(), [S2], TORCH.expB);
      expect(wg.matrixExp(wg.zeros([0, 2, 2])).shape).toEqual([0, 2, 2]);
      expect(L.matrixExp(wg.zeros([1, 1])).toArray()).toEqual([[1]]);
    });

    test('multiDot, vecdot, vander, householderProduct (orgqr), tensorinv and tensorsolve', () => {
      run((a, b, c, d) => L.multiDot([a, b, c, d]), [[1, 2, -1], A3, H.slice(0, 3), [0.5, -1]], TORCH.mdot);
      run(
        (x, y) => L.vecdot(x, y, { dim: 0 }),
        [
          [
            [1, 2],
            [3, -1],
            [0.5, 2],
          ],
          [[2], [1], [-1]],
        ],
        TORCH.vecdot,
      );
      run(
        (x) => L.vander(x, { N: 4 }),
        [
          [
            [2, -1],
            [0.5, 3],
          ],
        ],
        TORCH.vander,
      );
      run((a, t) => L.householderProduct(a, t), [H, [1.2, 0.4]], TORCH.hh);
      run((a, t) => wg.orgqr(a, t), [H, [1.2, 0.4]], TORCH.hh);
      // torch.linalg.tensorinv(A3, ind=1) is inv(A3), values and gradient
      run((a) => L.tensorinv(a, { ind: 1 }), [A3], TORCH.inv3);
      run((a) => L.tensorinv(a.reshape([2, 2, 4])), [A4], TORCH.tinv2);
      run(
        (a, b) => L.tensorsolve(a.reshape([2, 2, 2, 2]), b, { dims: [0] }),
        [
          A4,
          [
            [1, 2],
            [-1, 0.5],
          ],
        ],
        TORCH.tsolve,
      );
    });

    test('cross (dim −1 by default) and diagonal (the last two dims) are wg.cross and wg.diagonal', () => {
      const x = t([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      const y = t([
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
      ]);
      // torch.linalg.cross(x, y) of these rows: e1×e2 = e3, e2×e3 = e1, e3×e1 = e2
      expect(L.cross(x, y).toArray()).toEqual([
        [0, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
      ]);
      expect(L.cross(x, y, { dim: 0 }).toArray()).toEqual(wg.cross(x, y, 0).toArray());
      const b = wg.arange(18).reshape([2, 3, 3]);
      expect(L.diagonal(b).toArray()).toEqual([
        [0, 4, 8],
        [9, 13, 17],
      ]);
      expect(L.diagonal(b, { offset: 1 }).toArray()).toEqual([
        [1, 5],
        [10, 14],
      ]);
    });
  });
}

describe('linalg LU family: errors, as torch', () => {
  const m = (v: Nested) => wg.tensor(v as wg.NestedArray);
  const sing = [
    [
      [1, 0],
      [0, 1],
    ],
    [
      [1, 2],
      [2, 4],
    ],
  ];
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    [
      'inv non-square',
      () => L.inv(wg.ones([2, 3])),
      wg.ShapeError,
      /^wasmgrad\.linalg\.inv: A must be batches of square matrices, but they are 2 by 3 matrices$/,
    ],
    ['det 1-D', () => L.det(wg.ones([3])), wg.ShapeError, /linalg\.det: A must have at least 2 dims \[\.\.\., m, n\], got \[3\]/],
    ['slogdet int32', () => L.slogdet(wg.ones([2, 2], { dtype: 'int32' })), wg.DTypeError, /linalg\.slogdet: A must be a float32 tensor, got int32/],
    [
      'inverse singular in a batch',
      () => wg.inverse(m(sing)),
      wg.ValueError,
      /linalg\.inv: \(Batch element 1\): The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular/,
    ],
    [
      'inv singular',
      () =>
        m([
          [0, 0],
          [0, 1],
        ]).inverse(),
      wg.ValueError,
      /linalg\.inv: The diagonal element 1 is zero/,
    ],
    ['invEx checkErrors', () => L.invEx(m(sing), { checkErrors: true }), wg.ValueError, /linalg\.invEx: \(Batch element 1\)/],
    ['invEx bad option', () => L.invEx(m([[1]]), { checkErors: true } as never), wg.ValueError, /linalg\.invEx: .*checkErors/],
    [
      'solve singular',
      () => L.solve(m(sing), m([1, 1])),
      wg.ValueError,
      /linalg\.solve: \(Batch element 1\): The solver failed because the input matrix is singular/,
    ],
    [
      'solve shapes',
      () => L.solve(wg.eye(3), wg.ones([2, 2])),
      wg.ShapeError,
      /linalg\.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 2x2\)/,
    ],
    ['solve batches', () => L.solve(wg.eye(3).expand([2, 3, 3]), wg.ones([4, 3, 1])), wg.ShapeError, /linalg\.solve: .*broadcast/],
    ['solve left not boolean', () => L.solve(wg.eye(2), wg.ones([2]), { left: 1 } as never), wg.ValueError, /linalg\.solve: left must be/],
    ['luFactor singular', () => L.luFactor(m(sing)), wg.ValueError, /linalg\.luFactor: \(Batch element 1\): U\[2,2\] is zero/],
    ['luFactor without pivoting', () => L.luFactor(wg.eye(2), { pivot: false }), wg.ValueError, /linalg\.luFactor: LU without pivoting is not implemented/],
    [
      'luSolve B 1-D',
      () => L.luSolve(wg.eye(2), wg.tensor([1, 2], { dtype: 'int32' }), wg.ones([2])),
      wg.ShapeError,
      /linalg\.luSolve: The input tensor B must have at least 2 dimensions/,
    ],
    [
      'luSolve pivots dtype',
      () => L.luSolve(wg.eye(2), wg.tensor([1, 2]), wg.ones([2, 1])),
      wg.ShapeError,
      /linalg\.luSolve: pivots must be an int32 tensor of shape \[2\]/,
    ],
    [
      'luSolve pivot range',
      () => L.luSolve(wg.eye(2), wg.tensor([3, 2], { dtype: 'int32' }), wg.ones([2, 1])),
      wg.ValueError,
      /linalg\.luSolve: pivots\[0\] must be in \[1, 2\].*got 3/,
    ],
    [
      'luSolve shapes',
      () => L.luSolve(wg.eye(2), wg.tensor([1, 2], { dtype: 'int32' }), wg.ones([3, 1])),
      wg.ShapeError,
      /Incompatible shapes of A and B for the equation AX = B \(2x2 and 3x1\)/,
    ],
    [
      'solveTriangular without upper',
      () => L.solveTriangular(wg.eye(2), wg.ones([2, 1]), {} as never),
      wg.ValueError,
      /linalg\.solveTriangular: upper is required/,
    ],
    [
      'cholesky not positive-definite',
      () =>
        L.cholesky(
          m([
            [
              [1, 0],
              [0, 1],
            ],
            [
              [1, 2],
              [2, 1],
            ],
          ]),
        ),
      wg.ValueError,
      /^wasmgrad\.linalg\.cholesky: \(Batch element 1\): The factorization could not be completed because the input is not positive-definite \(the leading minor of order 2 is not positive-definite\)\.?$/,
    ],
    ['torch.cholesky negative', () => wg.cholesky(m([[-1]])), wg.ValueError, /^wasmgrad\.cholesky: The factorization .*order 1/],
    ['cholesky non-square', () => L.cholesky(wg.ones([2, 3])), wg.ShapeError, /linalg\.cholesky: A must be batches of square matrices/],
    ['choleskyEx checkErrors', () => L.choleskyEx(m([[-1]]), { checkErrors: true }), wg.ValueError, /linalg\.choleskyEx: The factorization/],
    [
      'choleskySolve 1-D',
      () => wg.choleskySolve(wg.ones([2]), wg.eye(2)),
      wg.ShapeError,
      /^wasmgrad\.choleskySolve: B must have at least 2 dims \[\.\.\., n, k\], got \[2\]$/,
    ],
  ];
  test.each(cases)('%s', (_, f, cls, re) => {
    expect(f).toThrow(cls);
    expect(f).toThrow(re);
  });
});

describe('linalg LU family: gradcheck on the reference backend and wg.compile', () => {
  const leaf = (v: Nested) => wg.tensor(v as wg.NestedArray, { requiresGrad: true });
  test('gradcheck', () => {
    const a = leaf(A3);
    const b = leaf(Bm);
    const w = leaf(W);
    const spd = leaf(SPD);
    const checks: [string, (...xs: wg.Tensor[]) => wg.Tensor, wg.Tensor[]][] = [
      ['inv', (x) => L.inv(x), [a]],
      ['det', (x) => L.det(x), [leaf(A5)]],
      ['slogdet', (x) => L.slogdet(x).logabsdet, [a]],
      ['solve', (x, y) => L.solve(x, y), [a, b]],
      ['luFactor wide', (x) => L.luFactor(x).LU, [w]],
      // TL has a pivoting tie (L[2][1] = 1), where LU is not differentiable: a tall matrix without one
      [
        'lu tall',
        (x) => flatAll(...L.lu(x)),
        [
          leaf([
            [1, 3, 0],
            [2, 1, -1],
            [0, 2, 1],
            [-1, 2.25, 4],
          ]),
        ],
      ],
      ['luSolve', (x, y) => L.luSolve(x, wg.tensor(TORCH.pivA3, { dtype: 'int32' }), y, { adjoint: true }), [leaf(TORCH.LUA3), b]],
      ['solveTriangular', (x, y) => L.solveTriangular(x, y, { upper: false, left: false }), [a, leaf([[1, 2, 3]])]],
      // only A's lower triangle is read and the gradient is symmetrized (as torch): checked on sym(A)
      ['cholesky', (x) => L.cholesky(x.add(x.mT).mul(0.5)), [spd]],
      ['choleskyInverse', (x) => wg.choleskyInverse(x), [leaf(Lf)]],
      ['matrixExp', (x) => L.matrixExp(x), [leaf(S2)]],
      ['householderProduct', (x, y) => L.householderProduct(x, y), [leaf(H), leaf([1.2, 0.4])]],
    ];
    for (const [name, f, xs] of checks) expect(wg.gradcheck(f, xs).ok, name).toBe(true);
  });

  test('under wg.compile the host factorizations re-run on every call and match eager', () => {
    // inside wg.compile a function reads its inputs in JavaScript: they are the step's arguments
    const step = (x: wg.Tensor, y: wg.Tensor, s: wg.Tensor, b: wg.Tensor) =>
      wg.cat([
        L.solve(x, y, { left: false }).flatten(),
        L.det(x).reshape([1]),
        L.cholesky(s).flatten(),
        L.solveTriangular(x, y, { upper: true, left: false }).flatten(),
        wg.choleskySolve(b, s).flatten(),
        wg.triangularSolve(b, x, false, true).solution.flatten(),
        L.luSolve(x, wg.tensor(TORCH.pivA3, { dtype: 'int32' }), b, { adjoint: true }).flatten(),
        L.inv(x).flatten(),
      ]);
    for (const be of ['wasm', 'reference'] as const) {
      wg.setBackend(be);
      const f = wg.compile(step, { warn: false });
      for (const scale of [1, 2]) {
        const args = [wg.tensor(A3).mul(scale), wg.tensor(Bm).mT.contiguous(), wg.tensor(SPD).mul(scale), wg.tensor(Bm)];
        const [x, y, s, b] = args;
        expectClose(flat(f(x, y, s, b).toArray() as Nested), flat(step(x, y, s, b).toArray() as Nested), 1e-5);
      }
    }
  });
});
