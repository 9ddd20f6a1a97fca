/**
 * The PyTorch names added late (src/api/torch-names.ts, scatters.ts, windows.ts, sampling.ts,
 * torch-nn.ts) on both backends: values and gradients from torch 1.13 as literals (gradients of
 * Σ w·y with w = 1, 2, 3, … over y's elements, as `run` in the script quoted by each test), the
 * random ones by their distribution, gradcheck on the reference backend, wg.compile replays and
 * every error path.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { flat, run, type Nested } from './helpers/torch-run.js';

beforeAll(async () => {
  await initWasm();
});

const ints = (data: wg.NestedArray) => wg.tensor(data, { dtype: 'int32' });
const leaf = (data: wg.NestedArray) => wg.tensor(data, { requiresGrad: true });
const range = (n: number, shape: number[], scale = 1, shift = 0) => wg.arange(n).mul(scale).add(shift).reshape(shape);

for (const be of ['wasm', 'reference'] as const) {
  describe(`missing PyTorch names on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('aliases are the wg functions themselves, as functions and methods', () => {
      const pairs: [unknown, unknown][] = [
        [wg.arccos, wg.acos],
        [wg.arcsin, wg.asin],
        [wg.arctan, wg.atan],
        [wg.arctan2, wg.atan2],
        [wg.arccosh, wg.acosh],
        [wg.arcsinh, wg.asinh],
        [wg.arctanh, wg.atanh],
        [wg.concat, wg.cat],
        [wg.concatenate, wg.cat],
        [wg.fix, wg.trunc],
        [wg.ger, wg.outer],
        [wg.vdot, wg.dot],
        [wg.trapz, wg.trapezoid],
        [wg.nn.functional.pdist, wg.pdist],
        [wg.nn.functional.gumbelSoftmax, wg.gumbelSoftmax],
      ];
      pairs.forEach(([a, b], i) => expect(a, `pair ${i}`).toBe(b));
      const x = wg.tensor([0.25, -0.5]);
      expect(x.arccos().toArray()).toEqual(x.acos().toArray());
      expect(x.arcsinh().toArray()).toEqual(x.asinh().toArray());
      expect(x.arctan2(wg.tensor([1, -1])).toArray()).toEqual(wg.atan2(x, wg.tensor([1, -1])).toArray());
      expect(wg.tensor([-1.5, 2.7]).fix().toArray()).toEqual([-1, 2]);
      expect(x.ger(wg.tensor([2, 4])).toArray()).toEqual([
        [0.5, 1],
        [-1, -2],
      ]);
      expect(x.vdot(wg.tensor([4, 2])).item()).toBe(0);
      expect(wg.concat([x, x]).toArray()).toEqual([0.25, -0.5, 0.25, -0.5]);
      expect(wg.trapz(wg.tensor([1, 2, 3]), { dx: 2 }).item()).toBe(8);
      // torch.positive(x) shares x's data; here it is x itself
      expect(x.positive()).toBe(x);
      expect(() => wg.positive(2 as never)).toThrow('wasmgrad.positive: input must be a Tensor, got 2');
    });

    test('frexp: mantissa in [0.5, 1) and int32 exponent as torch.frexp, gradient 2^-e', () => {
      // torch.frexp(torch.tensor([0., 1., -3., .3, inf, -inf, nan, 1.5*2**-140, 8., -0., 0.99999994, 3.4e38, 2**-126, -1e-3]))
      const x = wg.tensor([0, 1, -3, 0.3, Infinity, -Infinity, NaN, 1.5 * 2 ** -140, 8, -0, 0.99999994, 3.4e38, 2 ** -126, -1e-3]);
      const [m, e] = wg.frexp(x);
      expect(e.dtype).toBe('int32');
      expect(e.toArray()).toEqual([0, 1, 2, -1, 0, 0, 0, -139, 4, 0, 0, 128, -125, -9]);
      expect(Array.from(m.data())).toEqual(
        [0, 0.5, -0.75, 0.6000000238418579, Infinity, -Infinity, NaN, 0.75, 0.5, -0, 0.9999999403953552, 0.999170184135437, 0.5, -0.5120000243186951].map(
          Math.fround,
        ),
      );
      expect(Object.is((m.toArray() as number[])[9], -0)).toBe(true);
      // run('frexpgrad', lambda a: torch.frexp(a)[0], torch.tensor([0.3, -5., 1024., 0.]))
      run((a) => a.frexp()[0], [wg.tensor([0.3, -5, 1024, 0])], [[0.6000000238418579, -0.625, 0.5, 0], [[2, 0.25, 0.00146484375, 4]]]);
      expect(() => wg.frexp(ints([1]))).toThrow('wasmgrad.frexp: input must be a float32 tensor, got an int32 tensor of shape [1]');
    });

    test('rsub, chainMatmul, sumToSize', () => {
      // torch.rsub(torch.tensor([1., 2.]), 5, alpha=2); torch.rsub(torch.tensor([1, 2]), torch.tensor([5, 5]))
      expect(wg.rsub(wg.tensor([1, 2]), 5, { alpha: 2 }).toArray()).toEqual([3, 1]);
      const r = wg.rsub(ints([1, 2]), ints([5, 5]));
      expect([r.dtype, r.toArray()]).toEqual(['int32', [4, 3]]);
      expect(() => wg.rsub(1 as never, 2)).toThrow('wasmgrad.rsub: needs a Tensor operand, got 1 and 2');
      expect(() => wg.rsub(wg.tensor([1]), 2, { beta: 1 } as never)).toThrow("wasmgrad.rsub: unknown option 'beta'");
      const a = range(6, [2, 3]);
      expect(wg.chainMatmul(a)).toBe(a);
      expect(wg.chainMatmul(a, wg.ones(3, 4), wg.ones(4, 1)).toArray()).toEqual([[12], [48]]);
      const b = range(9, [3, 3], 0.5);
      run((p, q) => wg.chainMatmul(p, q, p.t()), [a, b], [wg.matmul(wg.matmul(a, b), a.t()).toArray() as Nested, autogradOf(a, b)]);
      expect(() => wg.chainMatmul()).toThrow('wasmgrad.chainMatmul: expects at least one matrix, got none');
      expect(() => wg.chainMatmul(wg.zeros(3))).toThrow('wasmgrad.chainMatmul: matrix 0 must be 2-D, got shape [3]');
      expect(() => wg.chainMatmul(wg.zeros(2, 3), wg.zeros(2, 3))).toThrow('wasmgrad.matmul');
      // torch.ones(2,3,4).sum_to_size(3,1); torch.arange(6.).reshape(2,3).sum_to_size(1,3)
      expect(wg.ones(2, 3, 4).sumToSize(3, 1).toArray()).toEqual([[8], [8], [8]]);
      expect(range(6, [2, 3]).sumToSize([1, 3]).toArray()).toEqual([[3, 5, 7]]);
      const same = range(6, [2, 3]);
      expect(same.sumToSize(2, 3)).toBe(same);
      run(
        (p) => p.sumToSize(2, 1),
        [range(6, [2, 3])],
        [
          [[3], [12]],
          [
            [
              [1, 1, 1],
              [2, 2, 2],
            ],
          ],
        ],
      );
      expect(() => wg.ones(2, 3).sumToSize(3, 3)).toThrow("wasmgrad.sumToSize: size [3, 3] is not expandable to the input's shape [2, 3]");
      expect(() => wg.ones(3).sumToSize(1, 3)).toThrow("wasmgrad.sumToSize: size [1, 3] is not expandable to the input's shape [3]");
    });

    test('dtype queries: isSigned isComplex isNonzero isSameSize promoteTypes canCast resultType', () => {
      const f = wg.tensor([1.5]),
        i = ints([2]);
      expect([f.isSigned(), i.isSigned(), wg.isComplex(f), i.isComplex()]).toEqual([true, true, false, false]);
      // torch.tensor([0.]).is_nonzero(), torch.tensor([nan]).is_nonzero(), torch.tensor(2).is_nonzero()
      expect([wg.tensor([0]).isNonzero(), wg.tensor([NaN]).isNonzero(), wg.tensor(2, { dtype: 'int32' }).isNonzero()]).toEqual([false, true, true]);
      expect(() => wg.tensor([]).isNonzero()).toThrow('wasmgrad.isNonzero: Boolean value of a Tensor with no values is ambiguous (shape [0])');
      expect(() => wg.zeros(2).isNonzero()).toThrow('wasmgrad.isNonzero: Boolean value of a Tensor with more than one value is ambiguous (shape [2])');
      expect([wg.zeros(2, 3).isSameSize(wg.ones(2, 3)), wg.isSameSize(wg.zeros(2, 3), wg.zeros(3, 2)), wg.zeros(1).isSameSize(wg.zeros(1, 1))]).toEqual([
        true,
        false,
        false,
      ]);
      // torch.promote_types(torch.int32, torch.float32); torch.can_cast(float32, int32), (int32, float32)
      expect([wg.promoteTypes('int32', 'float32'), wg.promoteTypes('int32', 'int32'), wg.canCast('float32', 'int32'), wg.canCast('int32', 'float32')]).toEqual([
        'float32',
        'int32',
        false,
        true,
      ]);
      // torch.result_type(int tensor, 2.5) float32, (int tensor, 2) int64 (int32 here), (int tensor, tensor(2.)) float32
      expect([wg.resultType(i, 2.5), wg.resultType(i, 2), wg.resultType(i, wg.tensor(2)), wg.resultType(3, f)]).toEqual([
        'float32',
        'int32',
        'float32',
        'float32',
      ]);
      expect(() => wg.promoteTypes('float64' as never, 'int32')).toThrow(`wasmgrad.promoteTypes: type1 must be 'float32' or 'int32', got "float64"`);
      expect(() => wg.canCast('int32', 'bool' as never)).toThrow(`wasmgrad.canCast: to must be 'float32' or 'int32', got "bool"`);
      expect(() => wg.resultType(1, 2)).toThrow('wasmgrad.resultType: needs a Tensor operand, got 1 and 2');
      expect(() => wg.resultType(f, 'a' as never)).toThrow(`wasmgrad.resultType: argument 2 must be a Tensor or a number, got "a"`);
      expect(() => wg.isSameSize(f, [1] as never)).toThrow('wasmgrad.isSameSize: other must be a Tensor');
    });

    test('scalarTensor, asTensor, asarray', () => {
      const s = wg.scalarTensor(3);
      expect([s.shape, s.dtype, s.item()]).toEqual([[], 'float32', 3]);
      const si = wg.scalarTensor(-2, { dtype: 'int32', requiresGrad: false });
      expect([si.dtype, si.item()]).toEqual(['int32', -2]);
      expect(wg.scalarTensor(1, { requiresGrad: true }).requiresGrad).toBe(true);
      expect(() => wg.scalarTensor('1' as never)).toThrow(`wasmgrad.scalarTensor: s must be a number, got "1"`);
      expect(() => wg.scalarTensor(1, { device: 'cpu' } as never)).toThrow("wasmgrad.scalarTensor: unknown option 'device'");
      const t = wg.tensor([1.5, 2]);
      expect(wg.asTensor(t)).toBe(t);
      expect(wg.asTensor(t, { dtype: 'float32' })).toBe(t);
      expect(wg.asTensor(t, { dtype: 'int32' }).toArray()).toEqual([1, 2]);
      expect(wg.asTensor([[1, 2]], { dtype: 'int32' }).dtype).toBe('int32');
      expect(() => wg.asTensor(t, { dtype: 'float16' as never })).toThrow(`wasmgrad.asTensor: dtype must be 'float32' or 'int32', got "float16"`);
      expect(wg.asarray(t)).toBe(t);
      const c = wg.asarray(t, { copy: true });
      expect([c === t, c.toArray()]).toEqual([false, [1.5, 2]]);
      expect(wg.asarray([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
      expect(() => wg.asarray(t, { copy: 1 } as never)).toThrow('wasmgrad.asarray: copy must be a boolean');
    });

    test('sliceScatter, selectScatter, diagonalScatter: values and gradients as torch', () => {
      const a = range(12, [3, 4]);
      // run('slice', lambda a,s: torch.slice_scatter(a, s, dim=1, start=-3, step=2), torch.arange(12.).reshape(3,4), -torch.arange(6.).reshape(3,2))
      run(
        (x, s) => wg.sliceScatter(x, s, 1, -3, null, 2),
        [a, range(6, [3, 2], -1)],
        [
          [
            [0, -0, 2, -1],
            [4, -2, 6, -3],
            [8, -4, 10, -5],
          ],
          [
            [
              [1, 0, 3, 0],
              [5, 0, 7, 0],
              [9, 0, 11, 0],
            ],
            [
              [2, 4],
              [6, 8],
              [10, 12],
            ],
          ],
        ],
      );
      // run('slice0', lambda a,s: torch.slice_scatter(a, s, dim=0, start=1, end=100, step=1), arange(12).reshape(3,4), -arange(8).reshape(2,4))
      run(
        (x, s) => x.sliceScatter(s, { start: 1, end: 100 }),
        [a, range(8, [2, 4], -1)],
        [
          [
            [0, 1, 2, 3],
            [-0, -1, -2, -3],
            [-4, -5, -6, -7],
          ],
          [
            [
              [1, 2, 3, 4],
              [0, 0, 0, 0],
              [0, 0, 0, 0],
            ],
            [
              [5, 6, 7, 8],
              [9, 10, 11, 12],
            ],
          ],
        ],
      );
      expect(wg.sliceScatter(a, wg.zeros(3, 0), 1, 5).toArray()).toEqual(a.toArray());
      // run('select', lambda a,s: torch.select_scatter(a, s, 1, -1), arange(12).reshape(3,4), -arange(3))
      run(
        (x, s) => x.selectScatter(s, 1, -1),
        [a, range(3, [3], -1)],
        [
          [
            [0, 1, 2, -0],
            [4, 5, 6, -1],
            [8, 9, 10, -2],
          ],
          [
            [
              [1, 2, 3, 0],
              [5, 6, 7, 0],
              [9, 10, 11, 0],
            ],
            [4, 8, 12],
          ],
        ],
      );
      // run('diag', lambda a,s: torch.diagonal_scatter(a, s, -1, 2, 0), arange(24).reshape(3,2,4), -arange(6).reshape(2,3)-1)
      run(
        (x, s) => wg.diagonalScatter(x, s, -1, 2, 0),
        [range(24, [3, 2, 4]), range(6, [2, 3], -1, -1)],
        [
          [
            [
              [0, -1, 2, 3],
              [4, -4, 6, 7],
            ],
            [
              [8, 9, -2, 11],
              [12, 13, -5, 15],
            ],
            [
              [16, 17, 18, -3],
              [20, 21, 22, -6],
            ],
          ],
          [
            [
              [
                [1, 0, 3, 4],
                [5, 0, 7, 8],
              ],
              [
                [9, 10, 0, 12],
                [13, 14, 0, 16],
              ],
              [
                [17, 18, 19, 0],
                [21, 22, 23, 0],
              ],
            ],
            [
              [2, 11, 20],
              [6, 15, 24],
            ],
          ],
        ],
      );
      // run('diag1', lambda a,s: torch.diagonal_scatter(a, s, 1), arange(12).reshape(3,4), -arange(3)-1)
      run(
        (x, s) => x.diagonalScatter(s, 1),
        [a, range(3, [3], -1, -1)],
        [
          [
            [0, -1, 2, 3],
            [4, 5, -2, 7],
            [8, 9, 10, -3],
          ],
          [
            [
              [1, 0, 3, 4],
              [5, 6, 0, 8],
              [9, 10, 11, 0],
            ],
            [2, 7, 12],
          ],
        ],
      );
      expect(wg.diagonalScatter(wg.zeros(2, 2), wg.zeros(0), 5).toArray()).toEqual([
        [0, 0],
        [0, 0],
      ]);
      // int32 stays int32
      expect(wg.selectScatter(ints([[1, 2]]), ints([7, 8]), 0, 0).toArray()).toEqual([[7, 8]]);
    });

    test('sliceScatter, selectScatter, diagonalScatter errors', () => {
      const a = wg.zeros(3, 4);
      expect(() => wg.sliceScatter(a, wg.zeros(3, 3), 1, null, null, 2)).toThrow(
        'wasmgrad.sliceScatter: src must have the shape of the slice 0:4:2 of dim 1 of an input of shape [3, 4], [3, 2], got [3, 3]',
      );
      expect(() => wg.sliceScatter(a, wg.zeros(3, 4), 0, 0, null, 0)).toThrow('wasmgrad.sliceScatter: step must be positive, got 0');
      expect(() => wg.sliceScatter(a, wg.zeros(3, 4), 2)).toThrow('wasmgrad.sliceScatter: dim 2 is out of range');
      expect(() => wg.sliceScatter(a, wg.zeros(3, 4), 0, 0.5)).toThrow('wasmgrad.sliceScatter: start must be an integer, got 0.5');
      expect(() => wg.sliceScatter(a, wg.zeros(3, 4), { stop: 1 } as never)).toThrow("wasmgrad.sliceScatter: unknown option 'stop'");
      expect(() => wg.sliceScatter(a, ints([[1]]))).toThrow("wasmgrad.sliceScatter: src must have the input's dtype float32, got int32");
      expect(() => wg.selectScatter(wg.zeros(3, 2), wg.zeros(2), 0, 3)).toThrow(
        'wasmgrad.selectScatter: index 3 is out of range for dim 0 of size 3 (valid: -3..2)',
      );
      expect(() => wg.selectScatter(wg.zeros(3, 2), wg.zeros(3), 0, 0)).toThrow(
        'wasmgrad.selectScatter: src must have the shape of x.select(0, 0), [2], got [3]',
      );
      expect(() => wg.diagonalScatter(a, wg.zeros(2))).toThrow('wasmgrad.diagonalScatter: src must have the shape of x.diagonal(0, 0, 1), [3], got [2]');
      expect(() => wg.diagonalScatter(a, wg.zeros(3), 0, 1, -1)).toThrow('wasmgrad.diagonalScatter: dim1 and dim2 must differ, got 1 and -1');
      expect(() => wg.diagonalScatter(a, wg.zeros(3), 0.5)).toThrow('wasmgrad.diagonalScatter: offset must be an integer, got 0.5');
    });

    test('indexPut and put: advanced-index writes and accumulation as torch', () => {
      // i0 = tensor([0, 2, -3]); i1 = tensor([[1], [3]])
      // run('indexput', lambda a,v: torch.index_put(a, (i0, i1), v), arange(24).reshape(3,4,2), -arange(12).reshape(2,3,2)-1)
      run(
        (x, v) => wg.indexPut(x, [ints([0, 2, -3]), ints([[1], [3]])], v),
        [range(24, [3, 4, 2]), range(12, [2, 3, 2], -1, -1)],
        [
          [
            [
              [0, 1],
              [-5, -6],
              [4, 5],
              [-11, -12],
            ],
            [
              [8, 9],
              [10, 11],
              [12, 13],
              [14, 15],
            ],
            [
              [16, 17],
              [-3, -4],
              [20, 21],
              [-9, -10],
            ],
          ],
          [
            [
              [
                [1, 2],
                [0, 0],
                [5, 6],
                [0, 0],
              ],
              [
                [9, 10],
                [11, 12],
                [13, 14],
                [15, 16],
              ],
              [
                [17, 18],
                [0, 0],
                [21, 22],
                [0, 0],
              ],
            ],
            [
              [
                [3, 4],
                [19, 20],
                [3, 4],
              ],
              [
                [7, 8],
                [23, 24],
                [7, 8],
              ],
            ],
          ],
        ],
      );
      // run('indexputacc', lambda a,v: torch.index_put(a, (tensor([0,2,0,0]),), v, accumulate=True), arange(6).reshape(3,2), -arange(2)-1)
      run(
        (x, v) => x.indexPut([ints([0, 2, 0, 0])], v, true),
        [range(6, [3, 2]), range(2, [2], -1, -1)],
        [
          [
            [-3, -5],
            [2, 3],
            [3, 3],
          ],
          [
            [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            [8, 12],
          ],
        ],
      );
      // boolean masks are float32 (an int32 tensor is always indices): x[mask] += v, and a mask leading an int32 index
      // run('maskacc', lambda a,v: a.index_put((tensor([[True,False,True],[False,True,False]]),), v, accumulate=True), arange(6).reshape(2,3), tensor([10.,20.,30.]))
      run((x, v) => wg.indexPut(x, [wg.tensor([[1, 0, 1], [0, 1, 0]])], v, true), [range(6, [2, 3]), wg.tensor([10, 20, 30])], [
        [[10, 1, 22], [3, 34, 5]],
        [[[1, 2, 3], [4, 5, 6]], [1, 3, 5]],
      ]); // prettier-ignore
      // run('maskidx', lambda a,v: a.index_put((tensor([True,False,True]), tensor([1])), v), arange(12).reshape(3,2,2), tensor([5.,6.]))
      run((x, v) => x.indexPut([wg.tensor([1, 0, 1]), ints([1])], v), [range(12, [3, 2, 2]), wg.tensor([5, 6])], [
        [[[0, 1], [5, 6]], [[4, 5], [6, 7]], [[8, 9], [5, 6]]],
        [[[[1, 2], [0, 0]], [[5, 6], [7, 8]], [[9, 10], [0, 0]]], [14, 16]],
      ]); // prettier-ignore
      // a 0-d mask indexes no dim: an index [1] when true, [0] when false (torch's setitem; its index_put fails an internal assert
      // for most of these): b = a.clone(); b[torch.tensor(True)] = w; for a = arange(6.).reshape(2, 3), w = tensor([7., 8, 9]),
      // Σ (1, 2, …)·b gives a.grad zeros and w.grad [5, 7, 9]; b[True, tensor([1])] = v (v 0-d 7.) gives a.grad [[1, 2, 3], [0, 0, 0]], v.grad 15
      run((x, v) => x.indexPut([wg.tensor(1)], v), [range(6, [2, 3]), wg.tensor([7, 8, 9])], [
        [[7, 8, 9], [7, 8, 9]],
        [[[0, 0, 0], [0, 0, 0]], [5, 7, 9]],
      ]); // prettier-ignore
      run((x, v) => x.indexPut([wg.tensor(1), ints([1])], v), [range(6, [2, 3]), wg.tensor(7)], [
        [[0, 1, 2], [7, 7, 7]],
        [[[1, 2, 3], [0, 0, 0]], 15],
      ]); // prettier-ignore
      // b[False] = w and b[False, tensor([1]), tensor([0])] = 9 change nothing; b[True, tensor([1]), tensor([0])] = 9 is b[1, 0] = 9; b[True] += 1 adds once
      expect(wg.indexPut(range(6, [2, 3]), [wg.tensor(0)], wg.tensor([7, 8, 9])).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]); // prettier-ignore
      expect(wg.indexPut(range(6, [2, 3]), [wg.tensor(0), ints([1]), ints([0])], 9).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]); // prettier-ignore
      expect(wg.indexPut(range(6, [2, 3]), [wg.tensor(1), ints([1]), ints([0])], 9).toArray()).toEqual([[0, 1, 2], [9, 4, 5]]); // prettier-ignore
      expect(wg.indexPut(range(6, [2, 3]), [wg.tensor(1)], 1, true).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]); // prettier-ignore
      // a 0-d input: s = tensor(3.); s[torch.tensor(True)] = 9 makes s 9
      expect(wg.indexPut(wg.tensor(3), [wg.tensor(1)], 9).toArray()).toBe(9);
      // b[False, tensor([0, 1])] = … : "shape mismatch: indexing tensors could not be broadcast together with shapes [0], [2]"
      expect(() => wg.indexPut(range(6, [2, 3]), [wg.tensor(0), ints([0, 1])], 9)).toThrow(
        'wasmgrad.indexPut: shapes [2] and [0] cannot be broadcast together',
      );
      // a comparison's mask; nonzero (also NaN) is true; an all-false mask writes nothing
      const m = ints([
        [1, 2],
        [3, 4],
      ]);
      expect(m.indexPut_([m.gt(2)], ints(0)).toArray()).toEqual([[1, 2], [0, 0]]); // prettier-ignore
      expect(wg.indexPut(wg.zeros(3), [wg.tensor([0.5, NaN, 0])], 1).toArray()).toEqual([1, 1, 0]);
      expect(wg.indexPut(wg.ones(3), [wg.zeros(3)], 7, true).toArray()).toEqual([1, 1, 1]);
      expect(wg.indexPut(wg.zeros(2, 2), [ints([1])], 5).toArray()).toEqual([
        [0, 0],
        [5, 5],
      ]);
      expect(wg.indexPut(ints([1, 2, 3]), [ints([0, 0])], ints([4, 5]), true).toArray()).toEqual([10, 2, 3]);
      // run('put', lambda a,s: torch.put(a, tensor([[0,-1],[5,0]]), s, accumulate=True), arange(6).reshape(2,3), tensor([10.,20.,30.,40.]))
      run(
        (x, s) =>
          wg.put(
            x,
            ints([
              [0, -1],
              [5, 0],
            ]),
            s,
            true,
          ),
        [range(6, [2, 3]), wg.tensor([10, 20, 30, 40])],
        [
          [
            [50, 1, 2],
            [3, 4, 55],
          ],
          [
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [1, 6, 6, 1],
          ],
        ],
      );
      // run('put2', lambda a,s: a.put(tensor([1,-2]), s), arange(6).reshape(2,3), tensor([10.,20.]))
      run(
        (x, s) => x.put(ints([1, -2]), s),
        [range(6, [2, 3]), wg.tensor([10, 20])],
        [
          [
            [0, 10, 2],
            [3, 20, 5],
          ],
          [
            [
              [1, 0, 3],
              [4, 0, 6],
            ],
            [2, 5],
          ],
        ],
      );
      const x = wg.zeros(3);
      expect(() => wg.indexPut(x, [ints([3])], wg.zeros(1))).toThrow(
        'wasmgrad.indexPut: index 3 at position [0] of indices [1] is out of range for dim 0 of size 3 of an input of shape [3] (valid: -3..2)',
      );
      expect(() => wg.indexPut(x, [wg.tensor([1])], wg.zeros(1))).toThrow(
        "wasmgrad.indexPut: the mask indices[0] must have the shape [3] of the input's dims from 0 (input [3]), got [1]",
      );
      expect(() => wg.indexPut(x, [], wg.zeros(1))).toThrow(
        'wasmgrad.indexPut: indices must be a non-empty array of int32 index or float32 mask tensors, got []',
      );
      expect(() => wg.indexPut(x, [ints([0]), ints([0])], wg.zeros(1))).toThrow(
        'wasmgrad.indexPut: too many indices for an input of shape [3]: indices[1] int32 [1] starts at dim 1',
      );
      expect(() => wg.indexPut(wg.zeros(2, 2), [ints([0]), wg.tensor([[1]])], 1)).toThrow(
        'wasmgrad.indexPut: too many indices for an input of shape [2, 2]: indices[1] float32 [1, 1] starts at dim 1',
      );
      expect(() => wg.indexPut(wg.zeros(2, 2), [wg.tensor([1, 1])], wg.zeros(3))).toThrow('wasmgrad.indexPut');
      expect(() => wg.indexPut(wg.zeros(3, 3), [ints([0, 1]), ints([0, 1, 2])], wg.zeros(1))).toThrow('wasmgrad.indexPut');
      expect(() => wg.indexPut(x, [ints([0, 1])], wg.zeros(3))).toThrow('wasmgrad.indexPut');
      expect(() => wg.indexPut(x, [ints([0])], wg.zeros(1), 1 as never)).toThrow('wasmgrad.indexPut: accumulate must be a boolean');
      expect(() => wg.indexPut(x, [ints([0])], ints([1]))).toThrow("wasmgrad.indexPut: values must have the input's dtype float32, got int32");
      expect(() => wg.put(x, ints([0, 1]), wg.zeros(3))).toThrow('wasmgrad.put: index and source must have as many elements, got [2] (2) and [3] (3)');
      expect(() => wg.put(x, ints([3]), wg.zeros(1))).toThrow('wasmgrad.indexPut: index 3');
    });

    test('maskedScatter: source in order where the mask is true, broadcasting', () => {
      // run('masked', lambda a,s: torch.masked_scatter(a, tensor([True,False,True]), s), arange(6).reshape(2,3), -arange(7)-1)
      run(
        (x, s) => wg.maskedScatter(x, wg.tensor([1, 0, 1]), s),
        [range(6, [2, 3]), range(7, [7], -1, -1)],
        [
          [
            [-1, 1, -2],
            [-3, 4, -4],
          ],
          [
            [
              [0, 2, 0],
              [0, 5, 0],
            ],
            [1, 3, 4, 6, 0, 0, 0],
          ],
        ],
      );
      // run('masked2', lambda a,s: torch.masked_scatter(a, tensor([[True],[False]]), s), arange(3), -arange(4).reshape(2,2)-1)
      run(
        (x, s) => x.maskedScatter(ints([[1], [0]]), s),
        [range(3, [3]), range(4, [2, 2], -1, -1)],
        [
          [
            [-1, -2, -3],
            [0, 1, 2],
          ],
          [
            [4, 5, 6],
            [
              [1, 2],
              [3, 0],
            ],
          ],
        ],
      );
      expect(wg.maskedScatter(wg.ones(2), wg.zeros(2), wg.zeros(0)).toArray()).toEqual([1, 1]);
      expect(() => wg.maskedScatter(wg.zeros(3), wg.ones(3), wg.zeros(2))).toThrow(
        "wasmgrad.maskedScatter: source has 2 elements (shape [2]), fewer than the mask's 3 true elements",
      );
      expect(() => wg.maskedScatter(wg.zeros(3), wg.ones(2), wg.zeros(3))).toThrow('wasmgrad.maskedScatter');
      expect(() => wg.maskedScatter(wg.zeros(3), wg.ones(3), ints([1, 2, 3]))).toThrow(
        "wasmgrad.maskedScatter: source must have the input's dtype float32, got int32",
      );
    });

    test('indexReduce on int32: exact, mean rounded down, as torch', () => {
      // a = tensor([[5,-7],[3,4],[10,-3]]); a.index_reduce(0, tensor([0,2,0,0]), tensor([[2,3],[-4,5],[6,-8],[1,1]]), r, include_self=inc)
      const want: Record<string, number[][]> = {
        prod_true: [[60, 168], [3, 4], [-40, -15]],
        prod_false: [[12, -24], [3, 4], [-4, 5]],
        mean_true: [[3, -3], [3, 4], [3, 1]],
        mean_false: [[3, -2], [3, 4], [-4, 5]],
        amax_true: [[6, 3], [3, 4], [10, 5]],
        amax_false: [[6, 3], [3, 4], [-4, 5]],
        amin_true: [[1, -8], [3, 4], [-4, -3]],
        amin_false: [[1, -8], [3, 4], [-4, 5]],
      }; // prettier-ignore
      for (const r of ['prod', 'mean', 'amax', 'amin'] as const)
        for (const includeSelf of [true, false]) {
          const y = ints([[5, -7], [3, 4], [10, -3]]).indexReduce(0, ints([0, 2, 0, 0]), ints([[2, 3], [-4, 5], [6, -8], [1, 1]]), r, { includeSelf }); // prettier-ignore
          expect(y.dtype).toBe('int32');
          expect(y.toArray(), `${r} ${includeSelf}`).toEqual(want[`${r}_${includeSelf}`]);
        }
      // beyond 2^24, where a float32 compare cannot tell 16777217 from 16777216
      expect(wg.indexReduce(ints([16777217, 0]), 0, ints([1, 1]), ints([16777217, 16777216]), 'amax').toArray()).toEqual([16777217, 16777217]);
      expect(wg.indexReduce(ints([1, 16777217]), 0, ints([1]), ints([16777216]), 'amin', { includeSelf: false }).toArray()).toEqual([1, 16777216]);
    });

    test('indexReduce: prod, mean, amax, amin with and without includeSelf as torch', () => {
      const base = wg.tensor([
          [2, 3],
          [4, 5],
          [6, 7],
        ]),
        src = wg.tensor([
          [1, -2],
          [3, 0],
          [5, 6],
          [2, 4],
        ]),
        idx = ints([0, 2, 0, 0]);
      // for r in prod mean amax amin, inc in True False: run(..., lambda a,s: a.index_reduce(0, tensor([0,2,0,0]), s, r, include_self=inc), base, src)
      const want: Record<string, [Nested, Nested[]]> = {
        prod_true: [
          [
            [20, -144],
            [4, 5],
            [18, 0],
          ],
          [
            [
              [10, -96],
              [3, 4],
              [15, 0],
            ],
            [
              [20, 144],
              [30, 42],
              [4, -48],
              [10, -72],
            ],
          ],
        ],
        prod_false: [
          [
            [10, -48],
            [4, 5],
            [3, 0],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [0, 0],
            ],
            [
              [10, 48],
              [5, 6],
              [2, -16],
              [5, -24],
            ],
          ],
        ],
        mean_true: [
          [
            [2.5, 2.75],
            [4, 5],
            [4.5, 3.5],
          ],
          [
            [
              [0.25, 0.5],
              [3, 4],
              [2.5, 3],
            ],
            [
              [0.25, 0.5],
              [2.5, 3],
              [0.25, 0.5],
              [0.25, 0.5],
            ],
          ],
        ],
        mean_false: [
          [
            [2.6666667461395264, 2.6666667461395264],
            [4, 5],
            [3, 0],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [0, 0],
            ],
            [
              [0.3333333432674408, 0.6666666865348816],
              [5, 6],
              [0.3333333432674408, 0.6666666865348816],
              [0.3333333432674408, 0.6666666865348816],
            ],
          ],
        ],
        amax_true: [
          [
            [5, 6],
            [4, 5],
            [6, 7],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [5, 6],
            ],
            [
              [0, 0],
              [0, 0],
              [1, 2],
              [0, 0],
            ],
          ],
        ],
        amax_false: [
          [
            [5, 6],
            [4, 5],
            [3, 0],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [0, 0],
            ],
            [
              [0, 0],
              [5, 6],
              [1, 2],
              [0, 0],
            ],
          ],
        ],
        amin_true: [
          [
            [1, -2],
            [4, 5],
            [3, 0],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [0, 0],
            ],
            [
              [1, 2],
              [5, 6],
              [0, 0],
              [0, 0],
            ],
          ],
        ],
      };
      // amin: torch's results with and without include_self are the same here (x's elements are never below)
      want.amin_false = want.amin_true;
      for (const r of ['prod', 'mean', 'amax', 'amin'] as const)
        for (const includeSelf of [true, false]) run((a, s) => a.indexReduce(0, idx, s, r, { includeSelf }), [base, src], want[`${r}_${includeSelf}`]);
      // run('ir_dim1', lambda a,s: a.index_reduce(1, tensor([1,1,0]), s, 'prod'), tensor([[1.,2.],[3.,.5]]), tensor([[2.,3.,4.],[0.,1.,-1.]]))
      run(
        (a, s) => wg.indexReduce(a, 1, ints([1, 1, 0]), s, 'prod'),
        [
          wg.tensor([
            [1, 2],
            [3, 0.5],
          ]),
          wg.tensor([
            [2, 3, 4],
            [0, 1, -1],
          ]),
        ],
        [
          [
            [4, 12],
            [-3, 0],
          ],
          [
            [
              [4, 12],
              [-3, 0],
            ],
            [
              [12, 8, 1],
              [2, 0, 9],
            ],
          ],
        ],
      );
      expect(() => wg.indexReduce(base, 0, idx, src, 'sum' as never)).toThrow(
        `wasmgrad.indexReduce: reduce must be 'prod', 'mean', 'amax' or 'amin', got "sum"`,
      );
      expect(() => wg.indexReduce(base, 0, ints([0, 3, 0, 0]), src, 'prod')).toThrow('wasmgrad.indexReduce: index 3 at position [1]');
      expect(() => wg.indexReduce(base, 0, ints([0, 1]), src, 'prod')).toThrow(
        "wasmgrad.indexReduce: src must have the shape of the input with dim 0 of the index's length 2, [2, 2], got [4, 2]",
      );
      expect(() => wg.indexReduce(base, 0, ints([[0, 1, 0, 0]]), src, 'prod')).toThrow(
        'wasmgrad.indexReduce: index must be a 1-D int32 tensor, got int32 [1, 4]',
      );
      expect(() => wg.indexReduce(ints([[1]]), 0, ints([0]), wg.tensor([[1]]), 'amax')).toThrow(
        "wasmgrad.indexReduce: source must have the input's dtype int32, got float32",
      );
      expect(() => wg.indexReduce(base, 2, idx, src, 'prod')).toThrow('wasmgrad.indexReduce: dim 2 is out of range');
      expect(() => wg.indexReduce(base, 0, idx, src, 'prod', { includeSelf: 0 } as never)).toThrow('wasmgrad.indexReduce: includeSelf must be a boolean');
    });

    test('window functions as torch (periodic and symmetric, n = 0, 1, 2, 5)', () => {
      // for n in [0,1,2,5]: hann(n), hann(n, False), hamming(n), hamming(n, False, .5, .3), blackman(n), bartlett(n), bartlett(n, False), kaiser(n), kaiser(n, False, 5.)
      const want: Record<number, number[][]> = {
        0: [[], [], [], [], [], [], [], [], []],
        1: [[1], [1], [1], [1], [1], [1], [1], [1], [1]],
        2: [
          [0, 1],
          [0, 0],
          [0.08000001311302185, 1],
          [0.19999998807907104, 0.19999998807907104],
          [-2.9802322387695312e-8, 1],
          [0, 1],
          [0, 0],
          [5.2773437346331775e-5, 1],
          [0.036710888147354126, 0.036710888147354126],
        ],
        5: [
          [0, 0.34549152851104736, 0.9045085310935974, 0.9045084714889526, 0.3454914391040802],
          [0, 0.5, 1, 0.5, 0],
          [0.08000001311302185, 0.39785221219062805, 0.9121478796005249, 0.9121478199958801, 0.3978521227836609],
          [0.19999998807907104, 0.5, 0.800000011920929, 0.5, 0.19999998807907104],
          [-2.9802322387695312e-8, 0.20077013969421387, 0.8492299318313599, 0.8492298126220703, 0.2007700800895691],
          [0, 0.4000000059604645, 0.800000011920929, 0.7999999523162842, 0.3999999761581421],
          [0, 0.5, 1, 0.5, 0],
          [5.2773437346331775e-5, 0.10171971470117569, 0.7929394245147705, 0.7929394245147705, 0.10171971470117569],
          [0.036710888147354126, 0.5528515577316284, 1, 0.5528515577316284, 0.036710888147354126],
        ],
      };
      for (const n of [0, 1, 2, 5]) {
        const got = [
          wg.hannWindow(n),
          wg.hannWindow(n, false),
          wg.hammingWindow(n),
          wg.hammingWindow(n, { periodic: false, alpha: 0.5, beta: 0.3 }),
          wg.blackmanWindow(n),
          wg.bartlettWindow(n),
          wg.bartlettWindow(n, { periodic: false }),
          wg.kaiserWindow(n),
          wg.kaiserWindow(n, false, 5),
        ];
        // torch computes in float32: its cosines are off by up to ~1e-7 (blackman's 0 is −3e−8)
        got.forEach((w, k) => expectClose(Array.from(w.data()), want[n][k], 2e-7 * 4));
      }
      expect(wg.hammingWindow(3, false, 0.5, 0.3).toArray()).toEqual(wg.hammingWindow(3, { periodic: false, alpha: 0.5, beta: 0.3 }).toArray());
      expect(wg.kaiserWindow(3, { periodic: true, beta: 5 }).toArray()).toEqual(wg.kaiserWindow(3, true, 5).toArray());
      const w = wg.hannWindow(4, { requiresGrad: true });
      expect([w.requiresGrad, w.isLeaf, wg.kaiserWindow(4, { requiresGrad: true }).isLeaf]).toEqual([true, true, true]);
      expect(() => wg.hannWindow(-1)).toThrow('wasmgrad.hannWindow: window length must be a non-negative integer, got -1');
      expect(() => wg.bartlettWindow(2.5)).toThrow('wasmgrad.bartlettWindow: window length must be a non-negative integer, got 2.5');
      expect(() => wg.blackmanWindow(3, 1 as never)).toThrow('wasmgrad.blackmanWindow: periodic must be a boolean');
      expect(() => wg.hammingWindow(3, { gamma: 1 } as never)).toThrow("wasmgrad.hammingWindow: unknown option 'gamma'");
      expect(() => wg.hammingWindow(3, true, NaN)).toThrow('wasmgrad.hammingWindow: alpha must be a finite number');
      expect(() => wg.kaiserWindow(3, true, Infinity)).toThrow('wasmgrad.kaiserWindow: beta must be a finite number');
    });

    test('pdist: values and gradients as torch for p = 2, 1, 3, ∞, 0, 0.5 (a repeated row: zero distance, gradient 0)', () => {
      const px = wg.tensor([
        [0, 1, 2],
        [2, 3, -1],
        [0, 1, 2],
        [5, -1, 0.5],
      ]);
      // for p in [2., 1., 3., inf, 0., .5]: run('pdist_%s' % p, lambda a: F.pdist(a, p), px)
      const want: [number, [Nested, Nested[]]][] = [
        [
          2,
          [
            [4.123105525970459, 0, 5.590169906616211, 4.123105525970459, 5.220153331756592, 5.590169906616211],
            [
              [
                [-3.1683528423309326, 0.5882413387298584, 1.5325913429260254],
                [-0.448122501373291, 6.256661415100098, -5.074773788452148],
                [-7.306848526000977, 0.20634019374847412, 4.5203962326049805],
                [10.923324584960938, -7.051242828369141, -0.978213906288147],
              ],
            ],
          ],
        ],
        [
          1,
          [
            [7, 0, 8.5, 7, 8.5, 8.5],
            [
              [
                [-4, 2, 4],
                [0, 10, -10],
                [-10, 2, 10],
                [14, -14, -4],
              ],
            ],
          ],
        ],
        [
          3,
          [
            [3.5033979415893555, 0, 5.147285461425781, 3.5033979415893555, 4.5528740882873535, 5.147285461425781],
            [
              [
                [-3.1566686630249023, 0.12702587246894836, 0.9880387783050537],
                [-0.541419506072998, 5.488877773284912, -4.209074020385742],
                [-6.965132713317871, -0.397743284702301, 3.4426164627075195],
                [10.66322135925293, -5.218160152435303, -0.22158148884773254],
              ],
            ],
          ],
        ],
        [
          Infinity,
          [
            [3, 0, 5, 3, 4, 5],
            [
              [
                [-3, 0, 1],
                [0, 5, -5],
                [-6, 0, 4],
                [9, -5, 0],
              ],
            ],
          ],
        ],
        [
          0.5,
          [
            [20.797956466674805, 0, 23.765880584716797, 20.797956466674805, 24.56982421875, 23.765880584716797],
            [
              [
                [-9.765277862548828, 7.11674690246582, 14.574319839477539],
                [1.8146858215332031, 28.51571273803711, -33.4010009765625],
                [-25.980045318603516, 7.784005165100098, 34.41462707519531],
                [33.93063735961914, -43.416465759277344, -15.587944984436035],
              ],
            ],
          ],
        ],
      ];
      for (const [p, w] of want) run((a) => wg.pdist(a, p), [px], w, 4e-6);
      // cdist with p < 1 had NaN gradients wherever two rows agree in a coordinate (|d|^(p−1) = ∞ times abs's 0)
      // x = tensor([[0.,1.,2.],[0.,1.,2.],[1.,1.,3.]]); torch.cdist(x, x, 0.5).sum().backward() → x.grad
      const dup = leaf([
        [0, 1, 2],
        [0, 1, 2],
        [1, 1, 3],
      ]);
      wg.cdist(dup, dup, { p: 0.5 }).sum().backward();
      expectClose(flat(dup.grad!.toArray() as Nested), [-4, 0, -4, -4, 0, -4, 8, 0, 8], 1e-6);
      // p = 0 counts differing coordinates: torch's values [3, 0, 3, 3, 3, 3]; cdist's p = 0 result has no gradient here
      expect(wg.pdist(px, 0).toArray()).toEqual([3, 0, 3, 3, 3, 3]);
      expect(wg.pdist(px.slice(0, 0, 1)).shape).toEqual([0]);
      expect(() => wg.pdist(wg.zeros(3))).toThrow('wasmgrad.pdist: expects a 2-D input [N, M], got shape [3]');
      expect(() => wg.pdist(wg.zeros(3, 2), -1)).toThrow('wasmgrad.pdist: p must be a number ≥ 0 or Infinity, got -1');
      expect(() => wg.pdist(ints([[1, 2]]))).toThrow('wasmgrad.pdist: expects a float32 input, got an int32 tensor of shape [1, 2]');
    });

    test('normal, poisson, binomial: seeded, distributed as asked, no gradient, errors', () => {
      wg.manualSeed(7);
      const a = wg.normal(wg.full([20000], 3), 2);
      wg.manualSeed(7);
      expect(wg.normal(wg.full([20000], 3), wg.full([20000], 2)).toArray()).toEqual(a.toArray());
      const moments = (t: wg.Tensor) => [t.mean().item(), t.var().item()];
      const [mean, variance] = moments(a);
      // 20000 samples: the mean's standard error is 2/√20000 ≈ 0.014, the variance's ≈ 4·√(2/20000) ≈ 0.04
      expect(Math.abs(mean - 3)).toBeLessThan(0.07);
      expect(Math.abs(variance - 4)).toBeLessThan(0.2);
      expect(wg.normal(wg.zeros(2, 1), wg.ones(3)).shape).toEqual([2, 3]);
      expect(wg.normal(1, 2, [4, 5]).shape).toEqual([4, 5]);
      expect(wg.normal(leaf([1, 2])).requiresGrad).toBe(false);
      expect(wg.normal(5, wg.zeros(3)).toArray()).toEqual([5, 5, 5]);
      expect(() => wg.normal(wg.zeros(2), wg.tensor([-1, 1]))).toThrow('wasmgrad.normal: std must be ≥ 0 everywhere, got -1');
      expect(() => wg.normal(0, 1)).toThrow('wasmgrad.normal: with a number mean and std, size is required');
      expect(() => wg.normal(wg.zeros(2), 1, [2])).toThrow('wasmgrad.normal: size is taken only with a number mean and std');
      expect(() => wg.normal(ints([1]), 1)).toThrow('wasmgrad.normal: mean and std must be float32 tensors, got int32 [1]');
      expect(() => wg.normal(wg.zeros(2), wg.ones(3))).toThrow('wasmgrad.normal');
      expect(() => wg.normal('0' as never, 1)).toThrow(`wasmgrad.normal: mean must be a Tensor or a number, got "0"`);

      for (const rate of [0.5, 4, 30, 1000]) {
        const s = wg.poisson(wg.full([20000], rate));
        const [m, v] = moments(s);
        expect((s.toArray() as number[]).slice(0, 50).every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
        // Poisson: mean = variance = rate (within 5 standard errors)
        expect(Math.abs(m - rate), `rate ${rate}`).toBeLessThan(5 * Math.sqrt(rate / 20000));
        expect(Math.abs(v / rate - 1), `rate ${rate}`).toBeLessThan(0.06);
      }
      expect(wg.poisson(wg.zeros(3)).toArray()).toEqual([0, 0, 0]);
      expect(() => wg.poisson(wg.tensor([1, -1]))).toThrow('wasmgrad.poisson: rates must be finite and ≥ 0, got -1 at flat index 1');
      expect(() => wg.poisson(wg.tensor([NaN]))).toThrow('wasmgrad.poisson: rates must be finite and ≥ 0, got NaN at flat index 0');

      for (const [n, p] of [
        [10, 0.3],
        [50, 0.5],
        [1000, 0.9],
        [7, 0.02],
      ]) {
        const s = wg.binomial(wg.full([20000], n), wg.full([20000], p));
        const [m, v] = moments(s);
        expect(Math.max(...(s.toArray() as number[]).slice(0, 200))).toBeLessThanOrEqual(n);
        expect(Math.abs(m - n * p), `${n} ${p}`).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / 20000));
        expect(Math.abs(v / (n * p * (1 - p)) - 1), `${n} ${p}`).toBeLessThan(0.07);
      }
      expect(wg.binomial(wg.tensor([0, 5, 5]), wg.tensor([0.5, 0, 1])).toArray()).toEqual([0, 0, 5]);
      expect(() => wg.binomial(wg.tensor([2.5]), wg.tensor([0.5]))).toThrow(
        'wasmgrad.binomial: count must hold non-negative integers, got 2.5 at flat index 0',
      );
      expect(() => wg.binomial(wg.tensor([2]), wg.tensor([1.5]))).toThrow('wasmgrad.binomial: prob must be in [0, 1], got 1.5 at flat index 0');
      expect(() => wg.binomial(wg.tensor([2, 3]), wg.tensor([0.5]))).toThrow('wasmgrad.binomial: count and prob must have one shape, got [2] and [1]');
      expect(() => wg.binomial(ints([2]), wg.tensor([0.5]))).toThrow('wasmgrad.binomial: count must be a float32 tensor, got an int32 tensor of shape [1]');
    });

    test('gumbelSoftmax: samples on the simplex, argmax frequencies follow softmax(logits), hard straight-through', () => {
      const logits = wg.tensor([Math.log(0.1), Math.log(0.6), Math.log(0.3)]);
      wg.manualSeed(3);
      const y = wg.gumbelSoftmax(logits.reshape([1, 3]).expand([6000, 3]));
      expectClose(Array.from(y.sum(1).data()), new Array<number>(6000).fill(1), 1e-6);
      // the argmax of log p + Gumbel noise is a draw from p (the Gumbel-max trick)
      const counts = wg.bincount(y.argmax(1), { minlength: 3 }).toArray() as number[];
      [0.1, 0.6, 0.3].forEach((p, k) => expect(Math.abs(counts[k] / 6000 - p), `class ${k}`).toBeLessThan(0.025));
      wg.manualSeed(3);
      const again = wg.gumbelSoftmax(logits.reshape([1, 3]).expand([6000, 3]));
      expect(again.toArray()).toEqual(y.toArray());

      // hard: one-hot forward, the soft sample's gradient backward (same seed gives the same noise)
      const x = leaf([
        [1, 2, 3],
        [0.5, 0, -1],
      ]);
      const w = wg.tensor([
        [1, -2, 3],
        [4, 5, -6],
      ]);
      wg.manualSeed(11);
      const hard = wg.gumbelSoftmax(x, { hard: true, tau: 0.5 });
      const hv = hard.toArray() as number[][];
      hv.forEach((row) => expect([...row].sort()).toEqual([0, 0, 1]));
      hard.mul(w).sum().backward();
      const gHard = x.grad!.toArray();
      x.grad = null;
      wg.manualSeed(11);
      const soft = wg.gumbelSoftmax(x, { tau: 0.5 });
      expect(soft.argmax(1).toArray()).toEqual(hard.argmax(1).toArray());
      soft.mul(w).sum().backward();
      expectClose(flat(gHard as Nested), flat(x.grad!.toArray() as Nested), 1e-6);
      // dim 0, tau large: near uniform rows
      expect((wg.gumbelSoftmax(wg.zeros(4, 2), { dim: 0, tau: 1e6 }).sum(0).toArray() as number[]).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 1]);
      expect(() => wg.gumbelSoftmax(x, { tau: 0 })).toThrow('wasmgrad.gumbelSoftmax: tau must be a finite number > 0, got 0');
      expect(() => wg.gumbelSoftmax(x, { hard: 1 } as never)).toThrow('wasmgrad.gumbelSoftmax: hard must be a boolean');
      expect(() => wg.gumbelSoftmax(x, { dim: 2 })).toThrow('wasmgrad.gumbelSoftmax: dim 2 is out of range');
      // torch's deprecated eps is accepted and unused, as in torch (F.gumbel_softmax(x, 0.5, False, 1e-10, -1))
      expect(wg.gumbelSoftmax(x, { eps: 1 }).shape).toEqual(x.shape);
      expect(() => wg.gumbelSoftmax(x, { epsilon: 1 } as never)).toThrow("wasmgrad.gumbelSoftmax: unknown option 'epsilon'");
      expect(() => wg.gumbelSoftmax(ints([1]))).toThrow('wasmgrad.gumbelSoftmax: logits must be a float32 tensor');
    });

    test('under wg.compile the scatters, pdist, frexp and windows replay with new inputs', () => {
      const f = wg.compile((x: wg.Tensor, s: wg.Tensor) => wg.diagonalScatter(x, s, 1).add(wg.sliceScatter(x, s.reshape([3, 1]), 1, 0, 1)));
      const eager = (x: wg.Tensor, s: wg.Tensor) => wg.diagonalScatter(x, s, 1).add(wg.sliceScatter(x, s.reshape([3, 1]), 1, 0, 1));
      for (const k of [1, 2]) {
        const [x, s] = [range(12, [3, 4], k), range(3, [3], -k)];
        expect(f(x, s).toArray()).toEqual(eager(x, s).toArray());
      }
      const g = wg.compile((x: wg.Tensor) => wg.pdist(x).add(wg.hannWindow(6).sum()));
      for (const k of [1, 3]) {
        const x = range(6, [3, 2], k, 0.5);
        expectClose(Array.from(g(x).data()), Array.from(wg.pdist(x).add(wg.hannWindow(6).sum()).data()), 1e-6);
      }
      // indexPut reads its index values in JavaScript: the compiled function re-runs it every call (warn: false)
      const h = wg.compile(
        (x: wg.Tensor, i: wg.Tensor, v: wg.Tensor) =>
          wg
            .frexp(x)[1]
            .float()
            .add(wg.indexPut(x, [i], v, true)),
        { warn: false },
      );
      expect(h(wg.tensor([3, 0.25]), ints([0, 0]), wg.tensor([1, 2])).toArray()).toEqual([2 + 6, -1 + 0.25]);
      expect(h(wg.tensor([-8, 100]), ints([1, 1]), wg.tensor([1, 2])).toArray()).toEqual([4 - 8, 7 + 103]);
      // so does a mask (an input, as maskedSelect's; as many true elements each call): x[mask] = v·2 follows it
      const mk = wg.compile((x: wg.Tensor, mask: wg.Tensor, v: wg.Tensor) => wg.indexPut(x, [mask], v.mul(2)), { warn: false });
      expect(mk(wg.tensor([1, -1, 2]), wg.tensor([1, 0, 1]), wg.tensor(4)).toArray()).toEqual([8, -1, 8]);
      expect(mk(wg.tensor([-1, 3, -2]), wg.tensor([0, 1, 1]), wg.tensor(5)).toArray()).toEqual([-1, 10, 10]);
    });
  });
}

describe('gradcheck on the reference backend', () => {
  beforeAll(() => wg.setBackend('reference'));
  test('the scatters, pdist and frexp pass finite differences', () => {
    const x = () => wg.arange(12).mul(0.37).sin().reshape([3, 4]).requiresGrad_(true);
    const v = (n: number) => wg.arange(n).mul(0.61).cos().requiresGrad_(true);
    const cases: [string, (...t: wg.Tensor[]) => wg.Tensor, wg.Tensor[]][] = [
      ['sliceScatter', (a, s) => wg.sliceScatter(a, s.reshape([3, 2]), 1, 1, null, 2), [x(), v(6)]],
      ['selectScatter', (a, s) => wg.selectScatter(a, s, 0, 1), [x(), v(4)]],
      ['diagonalScatter', (a, s) => wg.diagonalScatter(a, s, -1), [x(), v(2)]],
      ['indexPut', (a, s) => wg.indexPut(a, [ints([0, 2, 0]), ints([1, 1, 1])], s, true), [x(), v(3)]],
      ['maskedScatter', (a, s) => wg.maskedScatter(a, wg.tensor([1, 0, 0, 1]), s), [x(), v(6)]],
      ['indexPut mask', (a, s) => wg.indexPut(a, [wg.tensor([1, 0, 1])], s.reshape([2, 1]), true), [x(), v(2)]],
      ['indexReduce prod', (a, s) => wg.indexReduce(a, 0, ints([2, 0, 2]), s.reshape([3, 2]), 'prod', { includeSelf: false }), [v(6).reshape([3, 2]), v(6)]],
      ['pdist', (a) => wg.pdist(a, 3), [x()]],
      // away from 0 and powers of two, where the mantissa jumps
      ['frexp', (a) => wg.frexp(a)[0], [wg.arange(12).mul(0.37).sin().mul(0.4).add(3).requiresGrad_(true)]],
    ];
    for (const [name, fn, inputs] of cases) {
      const res = wg.gradcheck(fn, inputs);
      expect(res.ok, `${name}: max abs error ${res.maxAbsError}`).toBe(true);
    }
  });
});

/** d/da and d/db of Σ w·(a·b·aᵀ) with w = 1, 2, …, by wg's own matmul chain (chainMatmul must match it). */
function autogradOf(a: wg.Tensor, b: wg.Tensor): [Nested, Nested] {
  const [p, q] = [a.detach().requiresGrad_(true), b.detach().requiresGrad_(true)];
  const y = wg.matmul(wg.matmul(p, q), p.t());
  y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();
  return [p.grad!.toArray() as Nested, q.grad!.toArray() as Nested];
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`embeddingBag and nn.EmbeddingBag on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));
    // w0 = torch.arange(12.).reshape(6, 2)*0.5 - 1.5; inp2 = [[0,2,2],[5,1,0]]; inp1 = [1,2,4,5,4,3,2,0]; off = [0,2,2,5]
    const w0 = () => range(12, [6, 2], 0.5, -1.5);
    const inp2 = () =>
      ints([
        [0, 2, 2],
        [5, 1, 0],
      ]);
    const inp1 = () => ints([1, 2, 4, 5, 4, 3, 2, 0]);
    const off = () => ints([0, 2, 2, 5]);

    test('sum, mean, max of 2-D rows and 1-D bags (an empty bag, includeLastOffset, paddingIdx, scaleGradByFreq) as torch', () => {
      // run(name, lambda w: F.embedding_bag(input, w, offsets, mode=mode, ...), w0)
      const want: Record<string, [Nested, Nested[]]> = {
        '2d_sum': [
          [
            [-0.5, 1],
            [1.5, 3],
          ],
          [
            [
              [4, 6],
              [3, 4],
              [2, 4],
              [0, 0],
              [0, 0],
              [3, 4],
            ],
          ],
        ],
        '1d_sum': [
          [
            [0, 1],
            [0, 0],
            [8.5, 10],
            [0.5, 2],
          ],
          [
            [
              [7, 8],
              [1, 2],
              [8, 10],
              [7, 8],
              [10, 12],
              [5, 6],
            ],
          ],
        ],
        pad_sum: [
          [
            [-0.5, 0],
            [0, 0],
            [8.5, 10],
            [0, 1],
          ],
          [
            [
              [7, 8],
              [1, 2],
              [0, 0],
              [7, 8],
              [10, 12],
              [5, 6],
            ],
          ],
        ],
        // scale_grad_by_freq as F.embedding's (each row's gradient divided by its count in the input): torch 1.13's
        // embedding_bag CPU backward divides rows 3 and 5 (once in the input) by 2 and row 4 (twice) by 1; these are
        // w.grad of F.embedding(inp1, w, scale_grad_by_freq=True) summed (or averaged) into the bags by index_add
        freq_sum: [
          [
            [0, 1],
            [0, 0],
            [8.5, 10],
            [0.5, 2],
          ],
          [
            [
              [7, 8],
              [1, 2],
              [4, 5],
              [7, 8],
              [5, 6],
              [5, 6],
            ],
          ],
        ],
        '2d_mean': [
          [
            [-0.1666666716337204, 0.3333333432674408],
            [0.5, 1],
          ],
          [
            [
              [1.3333333730697632, 2],
              [1, 1.3333333730697632],
              [0.6666666865348816, 1.3333333730697632],
              [0, 0],
              [0, 0],
              [1, 1.3333333730697632],
            ],
          ],
        ],
        '1d_mean': [
          [
            [0, 0.5],
            [0, 0],
            [2.8333332538604736, 3.3333332538604736],
            [0.1666666716337204, 0.6666666865348816],
          ],
          [
            [
              [2.3333334922790527, 2.6666667461395264],
              [0.5, 1],
              [2.8333334922790527, 3.6666667461395264],
              [2.3333334922790527, 2.6666667461395264],
              [3.3333334922790527, 4],
              [1.6666667461395264, 2],
            ],
          ],
        ],
        pad_mean: [
          [
            [-0.5, 0],
            [0, 0],
            [2.8333332538604736, 3.3333332538604736],
            [0, 0.5],
          ],
          [
            [
              [3.5, 4],
              [1, 2],
              [0, 0],
              [3.5, 4],
              [3.3333334922790527, 4],
              [1.6666667461395264, 2],
            ],
          ],
        ],
        freq_mean: [
          [
            [0, 0.5],
            [0, 0],
            [2.8333332538604736, 3.3333332538604736],
            [0.1666666716337204, 0.6666666865348816],
          ],
          [
            [
              [2.3333332538604736, 2.6666667461395264],
              [0.5, 1],
              [1.4166666269302368, 1.8333333730697632],
              [2.3333332538604736, 2.6666667461395264],
              [1.6666666269302368, 2],
              [1.6666666269302368, 2],
            ],
          ],
        ],
        '2d_max': [
          [
            [0.5, 1],
            [3.5, 4],
          ],
          [
            [
              [0, 0],
              [0, 0],
              [1, 2],
              [0, 0],
              [0, 0],
              [3, 4],
            ],
          ],
        ],
        '1d_max': [
          [
            [0.5, 1],
            [0, 0],
            [3.5, 4],
            [1.5, 2],
          ],
          [
            [
              [0, 0],
              [0, 0],
              [1, 2],
              [7, 8],
              [0, 0],
              [5, 6],
            ],
          ],
        ],
        pad_max: [
          [
            [-0.5, 0],
            [0, 0],
            [3.5, 4],
            [1.5, 2],
          ],
          [
            [
              [0, 0],
              [1, 2],
              [0, 0],
              [7, 8],
              [0, 0],
              [5, 6],
            ],
          ],
        ],
      };
      for (const mode of ['sum', 'mean', 'max'] as const) {
        run((w) => wg.embeddingBag(inp2(), w, { mode }), [w0()], want[`2d_${mode}`]);
        run((w) => wg.nn.functional.embeddingBag(inp1(), w, { offsets: off(), mode }), [w0()], want[`1d_${mode}`]);
        // include_last_offset with offsets [0, 2, 2, 5, 8]: the same four bags
        run((w) => wg.embeddingBag(inp1(), w, { offsets: ints([0, 2, 2, 5, 8]), mode, includeLastOffset: true }), [w0()], want[`1d_${mode}`]);
        run((w) => wg.embeddingBag(inp1(), w, { offsets: off(), mode, paddingIdx: 2 }), [w0()], want[`pad_${mode}`]);
        run((w) => wg.embeddingBag(inp1(), w, { offsets: off(), mode, paddingIdx: -4 }), [w0()], want[`pad_${mode}`]);
        if (mode !== 'max') run((w) => wg.embeddingBag(inp1(), w, { offsets: off(), mode, scaleGradByFreq: true }), [w0()], want[`freq_${mode}`]);
      }
      // a tie in 'max': torch gives the gradient to the first row reaching the maximum
      // run('maxtie', lambda w: F.embedding_bag(tensor([[0,0,1]]), w, mode='max'), tensor([[1.,2.],[1.,2.]]))
      run(
        (w) => wg.embeddingBag(ints([[0, 0, 1]]), w, { mode: 'max' }),
        [
          wg.tensor([
            [1, 2],
            [1, 2],
          ]),
        ],
        [
          [[1, 2]],
          [
            [
              [1, 2],
              [0, 0],
            ],
          ],
        ],
      );
      expect(wg.embeddingBag(ints([]), w0(), { offsets: ints([]) }).shape).toEqual([0, 2]);
      expect(wg.embeddingBag(ints([2, 2]), w0(), { offsets: ints([0]), paddingIdx: 2, mode: 'max' }).toArray()).toEqual([[0, 0]]);
    });

    test('perSampleWeights (sum) scale the rows and get their gradient; maxNorm renorms the named rows in place', () => {
      const psw = wg.tensor([1, -2, 0.5, 3, 1, 2, -1, 0.25]);
      // run('psw', lambda w,p: F.embedding_bag(inp1, w, off, mode='sum', per_sample_weights=p), w0, psw)
      run(
        (w, p) => wg.embeddingBag(inp1(), w, { offsets: off(), mode: 'sum', perSampleWeights: p }),
        [w0(), psw],
        [
          [
            [-1.5, -2],
            [0, 0],
            [14.25, 16.5],
            [2.125, 2.75],
          ],
          [
            [
              [1.75, 2],
              [1, 2],
              [-9, -12],
              [14, 16],
              [7.5, 9],
              [15, 18],
            ],
            [-0.5, 2.5, 30.5, 41.5, 30.5, 26.5, 11.5, -18.5],
          ],
        ],
      );
      // run('psw2d', lambda w,p: F.embedding_bag(inp2, w, mode='sum', per_sample_weights=p, padding_idx=0), w0, psw[:6].reshape(2,3))
      run(
        (w, p) => wg.embeddingBag(inp2(), w, { mode: 'sum', perSampleWeights: p, paddingIdx: 0 }),
        [w0(), psw.slice(0, 0, 6).reshape([2, 3])],
        [
          [
            [-0.75, -1.5],
            [10, 12],
          ],
          [
            [
              [0, 0],
              [3, 4],
              [-1.5, -3],
              [0, 0],
              [0, 0],
              [9, 12],
            ],
            [
              [0, 2.5, 2.5],
              [26.5, -1.5, 0],
            ],
          ],
        ],
      );
      // w = w0*3; y = F.embedding_bag(inp1, w, off, max_norm=2.0): y and the renormed w
      const w = w0().mul(3);
      const y = wg.embeddingBag(inp1(), w, { offsets: off(), maxNorm: 2 });
      expectClose(
        flat(y.toArray() as Nested),
        [-0.3027864098548889, 0.8944271802902222, 0, 0, 1.2925822734832764, 1.5260127782821655, 0.14344219863414764, 0.759817898273468],
        2e-6,
      );
      expectClose(
        flat(w.toArray() as Nested),
        [
          -1.6641005277633667, -1.1094003915786743, -1.5, 0, 0.8944271802902222, 1.7888543605804443, 1.1999999284744263, 1.5999999046325684, 1.2803688049316406,
          1.536442518234253, 1.3170092105865479, 1.5051534175872803,
        ],
        2e-6,
      );
    });

    test('nn.EmbeddingBag: state dict, init, forward, fromPretrained, repr', () => {
      wg.manualSeed(0);
      const m = new wg.nn.EmbeddingBag(6, 2, { paddingIdx: 1 });
      expect(Object.keys(m.stateDict())).toEqual(['weight']);
      expect((m.weight.toArray() as number[][])[1]).toEqual([0, 0]);
      expect(String(m)).toBe('EmbeddingBag(6, 2, mode=mean, padding_idx=1)');
      expect(String(new wg.nn.EmbeddingBag(6, 2, { maxNorm: 1.5, mode: 'max', includeLastOffset: true }))).toBe('EmbeddingBag(6, 2, max_norm=1.5, mode=max)');
      const p = wg.nn.EmbeddingBag.fromPretrained(w0(), { mode: 'sum' });
      expect([String(p), p.weight.requiresGrad]).toEqual(['EmbeddingBag(6, 2, mode=sum)', false]);
      expect(p.forward(inp1(), off()).toArray()).toEqual([
        [0, 1],
        [0, 0],
        [8.5, 10],
        [0.5, 2],
      ]);
      const q = wg.nn.EmbeddingBag.fromPretrained(w0(), { freeze: false, mode: 'max' });
      q.forward(inp2())
        .mul(wg.arange(1, 5).reshape([2, 2]))
        .sum()
        .backward();
      expect(q.weight.grad!.toArray()).toEqual([
        [0, 0],
        [0, 0],
        [1, 2],
        [0, 0],
        [0, 0],
        [3, 4],
      ]);
      expect(wg.nn.EmbeddingBag.fromPretrained(w0(), { mode: 'sum' }).forward(inp1(), off(), wg.ones(8)).toArray()).toEqual([
        [0, 1],
        [0, 0],
        [8.5, 10],
        [0.5, 2],
      ]);
      expect(() => new wg.nn.EmbeddingBag(6, 2, { mode: 'prod' as never })).toThrow(
        `wasmgrad.nn.EmbeddingBag: mode must be 'sum', 'mean' or 'max', got "prod"`,
      );
      expect(() => new wg.nn.EmbeddingBag(6, 2, { mode: 'max', scaleGradByFreq: true })).toThrow(
        "wasmgrad.nn.EmbeddingBag: mode 'max' does not scale the gradient by frequency",
      );
      // sparse is accepted (a dense gradient) and, as torch 1.13's EmbeddingBag, not printed
      expect(String(new wg.nn.EmbeddingBag(6, 2, { sparse: true }))).toBe('EmbeddingBag(6, 2, mode=mean)');
      expect(() => new wg.nn.EmbeddingBag(6, 2, { sparse: 'yes' } as never)).toThrow('wasmgrad.nn.EmbeddingBag: sparse must be a boolean, got "yes"');
      expect(() => new wg.nn.EmbeddingBag(0, 2)).toThrow('wasmgrad.nn.EmbeddingBag: numEmbeddings');
      expect(() => wg.nn.EmbeddingBag.fromPretrained(wg.zeros(3))).toThrow('wasmgrad.nn.EmbeddingBag.fromPretrained: embeddings must be 2-D');
      expect(() => wg.nn.Embedding.fromPretrained(w0(), { mode: 'sum' } as never)).toThrow("wasmgrad.nn.Embedding.fromPretrained: unknown option 'mode'");
    });

    test('embeddingBag errors, as torch checks them', () => {
      const w = w0();
      const psw = wg.ones(8);
      const cases: [() => unknown, string][] = [
        [() => wg.embeddingBag(inp1(), w), 'wasmgrad.embeddingBag: a 1-D input needs offsets (where each bag starts)'],
        [
          () => wg.embeddingBag(inp2(), w, { offsets: off() }),
          'wasmgrad.embeddingBag: a 2-D input [bags, N] takes no offsets (each row is a bag), got offsets [4]',
        ],
        [() => wg.embeddingBag(inp1(), w, { offsets: ints([1, 2]) }), 'wasmgrad.embeddingBag: offsets[0] must be 0 (the first bag starts the input), got 1'],
        [
          () => wg.embeddingBag(inp1(), w, { offsets: ints([0, 9]) }),
          "wasmgrad.embeddingBag: offsets must be non-decreasing and ≤ the input's length 8, got 9 at 1",
        ],
        [
          () => wg.embeddingBag(inp1(), w, { offsets: ints([0, 3, 2]) }),
          "wasmgrad.embeddingBag: offsets must be non-decreasing and ≤ the input's length 8, got 2 at 2",
        ],
        [() => wg.embeddingBag(inp1(), w, { offsets: wg.tensor([0]) }), 'wasmgrad.embeddingBag: offsets must be a 1-D int32 tensor, got float32 [1]'],
        [
          () => wg.embeddingBag(inp1(), w, { offsets: off(), mode: 'mean', perSampleWeights: psw }),
          "wasmgrad.embeddingBag: perSampleWeights is only supported by mode 'sum', got mode 'mean'",
        ],
        [
          () => wg.embeddingBag(inp1(), w, { offsets: off(), mode: 'sum', perSampleWeights: wg.ones(3) }),
          "wasmgrad.embeddingBag: perSampleWeights must be float32 of the input's shape [8], got float32 [3]",
        ],
        [() => wg.embeddingBag(inp1(), w, { offsets: off(), mode: 'prod' as never }), `wasmgrad.embeddingBag: mode must be 'sum', 'mean' or 'max', got "prod"`],
        [
          () => wg.embeddingBag(ints([6]), w, { offsets: ints([0]) }),
          'wasmgrad.embeddingBag: index 6 at position [0] of indices [1] is out of range for a weight with 6 rows (valid: 0..5)',
        ],
        [() => wg.embeddingBag(inp1(), w, { offsets: off(), paddingIdx: 6 }), 'wasmgrad.embeddingBag: paddingIdx must be an integer in [-6, 5] or null, got 6'],
        [
          () => wg.embeddingBag(inp1(), w, { offsets: off(), mode: 'max', scaleGradByFreq: true }),
          "wasmgrad.embeddingBag: mode 'max' does not scale the gradient by frequency (scaleGradByFreq)",
        ],
        [() => wg.embeddingBag(ints([[[1]]]), w), 'wasmgrad.embeddingBag: input must be 1-D (with offsets) or 2-D [bags, N], got shape [1, 1, 1]'],
        [
          () => wg.embeddingBag(wg.tensor([1]), w, { offsets: off() }),
          'wasmgrad.embeddingBag: input must be an int32 tensor, got a float32 tensor of shape [1]',
        ],
        [() => wg.embeddingBag(inp2(), wg.zeros(6)), 'wasmgrad.embeddingBag: weight must be a 2-D float32 tensor, got float32 [6]'],
        [() => wg.embeddingBag(inp2(), w, { maxNorm: 0 }), 'wasmgrad.embeddingBag: maxNorm must be a finite number > 0 or null, got 0'],
        [() => wg.embeddingBag(inp2(), w, { sparse: 1 } as never), 'wasmgrad.embeddingBag: sparse must be a boolean, got 1'],
        [() => wg.embedding(wg.tensor([0], { dtype: 'int32' }), w, { sparse: 1 } as never), 'wasmgrad.embedding: sparse must be a boolean, got 1'],
      ];
      for (const [f, msg] of cases) expect(f).toThrow(msg);
    });

    test('under wg.compile a 2-D embeddingBag replays; gradcheck on the reference backend', () => {
      const f = wg.compile((w: wg.Tensor) => wg.embeddingBag(inp2(), w, { mode: 'mean' }), { warn: false });
      for (const k of [1, 2]) expect(f(w0().mul(k)).toArray()).toEqual(wg.embeddingBag(inp2(), w0().mul(k), { mode: 'mean' }).toArray());
      if (be !== 'reference') return;
      for (const mode of ['sum', 'mean', 'max'] as const) {
        const res = wg.gradcheck(
          (w: wg.Tensor, p: wg.Tensor) => wg.embeddingBag(inp1(), w, { offsets: off(), mode, perSampleWeights: mode === 'sum' ? p : null }).add(p.sum().mul(0)),
          [wg.arange(12).mul(0.37).sin().reshape([6, 2]).requiresGrad_(true), wg.arange(8).mul(0.61).cos().requiresGrad_(true)],
        );
        expect(res.ok, `${mode}: ${res.maxAbsError}`).toBe(true);
      }
    });
  });
}

/** torch 1.13's F.affine_grid and F.grid_sample: test/fixtures/grid-torch.py → grid-torch.json. */
const GRID: Record<string, { y: number[]; shape: number[]; grads: number[][] }> = JSON.parse(
  readFileSync(new URL('./fixtures/grid-torch.json', import.meta.url), 'utf8'),
);
for (const be of ['wasm', 'reference'] as const) {
  describe(`affineGrid and gridSample on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));
    const theta = () =>
      wg.tensor([
        [
          [0.9, -0.2, 0.1],
          [0.3, 1.1, -0.2],
        ],
        [
          [1.2, 0.4, 0.3],
          [-0.5, 0.8, 0.1],
        ],
      ]);
    const input = () => wg.arange(48).mul(0.7).sin().reshape([2, 2, 3, 4]);
    const grid = () =>
      wg.tensor([
        [
          [
            [-1.3, -0.8],
            [-0.35, 0.1],
            [0.42, -0.66],
          ],
          [
            [0.9, 0.95],
            [1.25, -0.2],
            [0.05, 1.4],
          ],
        ],
        [
          [
            [0.3, 0.3],
            [-0.9, 0.55],
            [-2.1, -0.15],
          ],
          [
            [0.7, -1.05],
            [0.15, 0.85],
            [0.61, -0.37],
          ],
        ],
      ]);
    /**
     * y = f(leaves) and the gradients of Σ w·y against the fixture's entry, within 2e-6 of each tensor's
     * largest magnitude: torch accumulates the grid's gradient (up to ~50 here) in float32, the
     * reference backend in float64.
     */
    function against(key: string, f: (...xs: wg.Tensor[]) => wg.Tensor, inputs: wg.Tensor[]): wg.Tensor[] {
      const want = GRID[key];
      const leaves = inputs.map((t) => t.detach().requiresGrad_(true));
      const y = f(...leaves);
      expect(y.shape, key).toEqual(want.shape);
      y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
        .sum()
        .backward();
      const near = (got: ArrayLike<number>, w: number[]) => expectClose(got, w, 2e-6 * Math.max(1, ...w.map(Math.abs)));
      near(y.data(), want.y);
      leaves.forEach((l, i) => {
        // nearest sampling: torch's grid gradient is zeros, wasmgrad's grid gets none
        if (want.grads[i].every((v) => v === 0) && l.grad === null) return;
        near(l.grad!.data(), want.grads[i]);
      });
      return leaves;
    }

    test('affineGrid: 2-D and 3-D grids, alignCorners, size 1, gradient to theta', () => {
      against('ag_False', (t) => wg.affineGrid(t, [2, 3, 3, 4]), [theta()]);
      against('ag_True', (t) => wg.nn.functional.affineGrid(t, [2, 3, 3, 4], { alignCorners: true }), [theta()]);
      against('ag1', (t) => wg.affineGrid(t, [2, 1, 1, 1]), [theta()]);
      const th3 = wg.tensor([
        [
          [0.9, -0.2, 0.1, 0.05],
          [0.3, 1.1, -0.2, 0],
          [0.1, 0.2, 0.8, -0.1],
        ],
      ]);
      against('ag3d', (t) => wg.affineGrid(t, [1, 1, 2, 2, 3]), [th3]);
      expect(() => wg.affineGrid(theta(), [2, 3, 4])).toThrow(
        'wasmgrad.affineGrid: size must be [N, C, H, W] or [N, C, D, H, W] of positive integers, got [2, 3, 4]',
      );
      expect(() => wg.affineGrid(theta(), [3, 3, 3, 4])).toThrow(
        'wasmgrad.affineGrid: expected a batch of affine matrices [3, 2, 3] for size [3, 3, 3, 4], got theta [2, 2, 3]',
      );
      expect(() => wg.affineGrid(theta(), [2, 1, 1, 1, 1])).toThrow('wasmgrad.affineGrid: expected a batch of affine matrices [2, 3, 4]');
      expect(() => wg.affineGrid(theta(), [2, 3, 3, 4], { alignCorners: 1 } as never)).toThrow('wasmgrad.affineGrid: alignCorners must be a boolean');
      expect(() =>
        wg.affineGrid(
          ints([
            [
              [1, 0, 0],
              [0, 1, 0],
            ],
          ]),
          [1, 1, 2, 2],
        ),
      ).toThrow('wasmgrad.affineGrid: theta must be a float32 tensor, got int32 [1, 2, 3]');
    });

    test('gridSample: bilinear and nearest, zeros/border/reflection padding, alignCorners, as torch', () => {
      for (const mode of ['bilinear', 'nearest'] as const)
        for (const paddingMode of ['zeros', 'border', 'reflection'] as const)
          for (const alignCorners of [false, true])
            against(`gs_${mode}_${paddingMode}_${alignCorners ? 'True' : 'False'}`, (a, g) => wg.gridSample(a, g, { mode, paddingMode, alignCorners }), [
              input(),
              grid(),
            ]);
      against('gs_narrow', (a, g) => wg.gridSample(a, g, { paddingMode: 'reflection', alignCorners: true }), [input().slice(3, 0, 1), grid()]);
    });

    test('gridSample: bicubic, every padding (each tap padded on its own), alignCorners, gradients to input and grid, as torch', () => {
      for (const paddingMode of ['zeros', 'border', 'reflection'] as const)
        for (const alignCorners of [false, true])
          against(
            `gs_bicubic_${paddingMode}_${alignCorners ? 'True' : 'False'}`,
            (a, g) => wg.gridSample(a, g, { mode: 'bicubic', paddingMode, alignCorners }),
            [input(), grid()],
          );
      against('gs_bicubic_far', (a, g) => wg.nn.functional.gridSample(a, g, { mode: 'bicubic', paddingMode: 'reflection' }), [
        input().slice(0, 0, 1).slice(1, 0, 1),
        grid().slice(0, 0, 1).mul(2.7),
      ]);
    });

    test('gridSample: 5-D trilinear and nearest (half away from zero, as torch 3-D), every padding, alignCorners, as torch', () => {
      const x3 = wg.arange(48).mul(0.25).add(0.5).sin().reshape([2, 1, 2, 3, 4]);
      // in sixteenths (exact float32 pixel coordinates), some half-way between pixels
      const g3 = wg
        .tensor([
          [-22, -13, 3, -6, 2, -11, 7, -10, 19, 14, 15, -1, 20, -3, 7, 1, 22, -26],
          [5, 5, 0, -16, 9, 13, -34, -8, 5, 11, -17, -6, 8, 14, 10, 10, -6, -14],
        ])
        .div(16)
        .reshape([2, 1, 2, 3, 3]);
      for (const mode of ['bilinear', 'nearest'] as const)
        for (const paddingMode of ['zeros', 'border', 'reflection'] as const)
          for (const alignCorners of [false, true])
            against(`gs3_${mode}_${paddingMode}_${alignCorners ? 'True' : 'False'}`, (a, g) => wg.gridSample(a, g, { mode, paddingMode, alignCorners }), [
              x3,
              g3,
            ]);
    });

    test('gridSample errors', () => {
      const x = input(),
        g = grid();
      expect(() => wg.gridSample(x, g.slice(0, 0, 1))).toThrow('wasmgrad.gridSample: grid must be [2, Ho, Wo, 2] for an input [2, 2, 3, 4], got [1, 2, 3, 2]');
      expect(() => wg.gridSample(x, g, { mode: 'area' } as never)).toThrow(`wasmgrad.gridSample: mode must be 'bilinear', 'nearest' or 'bicubic', got "area"`);
      const x3 = wg.zeros(2, 1, 2, 3, 4);
      expect(() => wg.gridSample(x3, wg.zeros(2, 1, 1, 1, 3), { mode: 'bicubic' })).toThrow(
        "wasmgrad.gridSample: mode 'bicubic' needs a 4-D input (as torch), got shape [2, 1, 2, 3, 4]",
      );
      expect(() => wg.gridSample(x3, g)).toThrow('wasmgrad.gridSample: grid must be [2, Do, Ho, Wo, 3] for an input [2, 1, 2, 3, 4], got [2, 2, 3, 2]');
      expect(() => wg.gridSample(x3, wg.zeros(2, 1, 1, 1, 2))).toThrow('wasmgrad.gridSample: grid must be [2, Do, Ho, Wo, 3]');
      expect(() => wg.gridSample(x, g, { paddingMode: 'wrap' } as never)).toThrow(
        `wasmgrad.gridSample: paddingMode must be 'zeros', 'border' or 'reflection', got "wrap"`,
      );
      expect(() => wg.gridSample(x.select(0, 0), g)).toThrow('wasmgrad.gridSample: input must be 4-D [N, C, H, W] or 5-D [N, C, D, H, W], got shape [2, 3, 4]');
      expect(() => wg.gridSample(x, g.slice(3, 0, 1))).toThrow('wasmgrad.gridSample: grid must be [2, Ho, Wo, 2]');
      expect(() => wg.gridSample(x, g, { align: true } as never)).toThrow("wasmgrad.gridSample: unknown option 'align'");
      expect(() => wg.gridSample(x.int(), g)).toThrow('wasmgrad.gridSample: input and grid must be float32 tensors, got int32 and float32');
    });

    test('a spatial transformer (affineGrid + gridSample) replays under wg.compile and trains theta', () => {
      const loss = (t: wg.Tensor, x: wg.Tensor) =>
        wg
          .gridSample(x, wg.affineGrid(t, [2, 2, 3, 4]), { paddingMode: 'border' })
          .square()
          .mean();
      const step = wg.compile((t: wg.Tensor, x: wg.Tensor) => {
        const l = loss(t, x);
        l.backward();
        return l;
      });
      for (const k of [1, 2, 3]) {
        const [t1, t2] = [
          theta()
            .mul(k / 2)
            .detach()
            .requiresGrad_(true),
          theta()
            .mul(k / 2)
            .detach()
            .requiresGrad_(true),
        ];
        const a = step(t1, input());
        const b = loss(t2, input());
        b.backward();
        expectClose([a.item()], [b.item()], 1e-6);
        expectClose(Array.from(t1.grad!.data()), Array.from(t2.grad!.data()), 1e-5);
      }
      if (be !== 'reference') return;
      for (const paddingMode of ['zeros', 'border', 'reflection'] as const) {
        // the grid shifted off x = 1.25, which lands on pixel 4 exactly (a kink: the corners change there)
        const res = wg.gradcheck(
          (a: wg.Tensor, g: wg.Tensor) => wg.gridSample(a, g, { paddingMode }),
          [input().detach().requiresGrad_(true), grid().add(0.013).detach().requiresGrad_(true)],
        );
        expect(res.ok, `${paddingMode}: ${res.maxAbsError}`).toBe(true);
      }
    });

    test('bicubic and 5-D gridSample replay under wg.compile; gradcheck on the reference backend', () => {
      const x3 = () => wg.arange(24).mul(0.25).sin().reshape([1, 2, 2, 2, 3]);
      const g3 = () => wg.arange(12).mul(0.37).cos().mul(1.1).reshape([1, 1, 2, 2, 3]);
      const f = (a: wg.Tensor, g: wg.Tensor, b: wg.Tensor, h: wg.Tensor) =>
        wg
          .gridSample(a, g, { mode: 'bicubic', paddingMode: 'border' })
          .sum()
          .add(wg.gridSample(b, h, { paddingMode: 'reflection' }).sum());
      const c = wg.compile(f);
      for (const k of [1, 2, 3]) {
        const args: [wg.Tensor, wg.Tensor, wg.Tensor, wg.Tensor] = [input().mul(k), grid().mul(k / 2), x3().mul(k), g3().mul(k / 3)];
        expectClose([c(...args).item()], [f(...args).item()], 1e-5);
      }
      if (be !== 'reference') return;
      const cases: [string, (a: wg.Tensor, g: wg.Tensor) => wg.Tensor, wg.Tensor, wg.Tensor][] = [
        ['bicubic zeros', (a, g) => wg.gridSample(a, g, { mode: 'bicubic' }), input(), grid()],
        ['bicubic reflection', (a, g) => wg.gridSample(a, g, { mode: 'bicubic', paddingMode: 'reflection', alignCorners: true }), input(), grid()],
        ['trilinear border', (a, g) => wg.gridSample(a, g, { paddingMode: 'border' }), x3(), g3()],
      ];
      for (const [name, fn, a, g] of cases) {
        const res = wg.gradcheck(fn, [a.detach().requiresGrad_(true), g.add(0.013).detach().requiresGrad_(true)]);
        expect(res.ok, `${name}: ${res.maxAbsError}`).toBe(true);
      }
    });
  });
}
