/**
 * int32 arithmetic, comparisons, casts and masks (src/ops/integer.ts, src/api/integer.ts): values
 * from PyTorch 1.13 (int32 tensors), PyTorch's type promotion, wrapping at the int32 limits, the
 * float32 0/1 masks accepted wherever PyTorch takes a bool tensor, and every error path.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { DTypeError, ValueError } from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const i32 = (v: wg.NestedArray) => wg.tensor(v, { dtype: 'int32' });
const MIN = -2147483648,
  MAX = 2147483647;

for (const be of ['wasm', 'reference'] as const) {
  describe(`int32 ops on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    const a = () =>
      i32([
        [7, -7, 0],
        [MAX, MIN, 5],
      ]);
    const b = () => i32([2, -3, 4]);

    test('unary ops of int32 as PyTorch: floating functions give float32, relu/sign/rounding/square/pow stay int32', () => {
      const f = (t: wg.Tensor) => [t.dtype, Array.from(t.data())];
      // torch.exp / sqrt / pow(·, 0.5) of int32 tensors: float32
      expect(f(wg.exp(i32([0, 1, 2])))).toEqual(['float32', [1, Math.fround(2.7182817459106445), Math.fround(7.389056205749512)]]);
      expect(f(i32([4, 2]).sqrt())).toEqual(['float32', [2, Math.fround(1.4142135381698608)]]);
      expect(f(wg.pow(i32([4, 2]), 0.5))).toEqual(['float32', [2, Math.fround(1.4142135381698608)]]);
      expect(f(wg.sigmoid(i32([0])))).toEqual(['float32', [0.5]]);
      expect(f(wg.relu(i32([-3, 0, 5])))).toEqual(['int32', [0, 0, 5]]);
      expect(f(wg.sign(i32([-7, 0, 3])))).toEqual(['int32', [-1, 0, 1]]);
      expect(f(wg.relu6(i32([-1, 3, 9])))).toEqual(['int32', [0, 3, 6]]);
      // F.threshold of int32 casts threshold and value to integers: (1.5, −5.5) acts as (1, −5)
      expect(f(wg.threshold(i32([-3, 1, 2, 5]), 1.5, -5.5))).toEqual(['int32', [-5, -5, 2, 5]]);
      expect(f(wg.hardtanh(i32([-5, 0, 5]), { minVal: -2, maxVal: 3 }))).toEqual(['int32', [-2, 0, 3]]);
      for (const g of [wg.floor, wg.ceil, wg.trunc, wg.round]) {
        const x = i32([MIN, -3, 7]);
        const y = g(x);
        expect(f(y)).toEqual(['int32', [MIN, -3, 7]]);
        expect(y).not.toBe(x);
      }
      // torch.square / pow of int32: exact int32 products, wrapping (50000² = 2.5e9 wraps)
      expect(f(wg.square(i32([50000, -3, 2])))).toEqual(['int32', [-1794967296, 9, 4]]);
      expect(f(wg.pow(i32([50000, -3, 2]), 3))).toEqual(['int32', [-728182784, -27, 8]]);
      expect(f(wg.pow(i32([50000, -3, 2]), 0))).toEqual(['int32', [1, 1, 1]]);
      expect(f(wg.pow(i32([50000, -3, 2]), 1))).toEqual(['int32', [50000, -3, 2]]);
    });

    test("div's roundingMode as torch.div: 'trunc' toward zero, 'floor' is floorDivide; int32 stays int32 and exact; zero gradient", () => {
      const a = i32([-7, 7, -7, 7, 0, MIN, MAX, -1]),
        b = i32([2, -2, -2, 2, 3, 3, -3, 5]);
      const t = wg.div(a, b, { roundingMode: 'trunc' });
      expect([t.dtype, ...t.data()]).toEqual(['int32', -3, -3, 3, 3, 0, -715827882, -715827882, 0]);
      expect(Array.from(a.div(b, { roundingMode: 'floor' }).data())).toEqual(Array.from(wg.floorDivide(a, b).data()));
      const x = wg.tensor([-7, 7, 5.5, -5.5], { requiresGrad: true });
      const y = x.div(wg.tensor([2, -2, 2, 2]), { roundingMode: 'trunc' });
      expect([y.dtype, y.requiresGrad, ...y.data()]).toEqual(['float32', true, -3, -3, 2, -2]);
      // torch.div with a rounding mode has a zero gradient (floorDivide none)
      y.add(x.div(2, { roundingMode: 'floor' }))
        .add(x.div(0, { roundingMode: 'trunc' }))
        .sum()
        .backward();
      expect(Array.from(x.grad!.data())).toEqual([0, 0, 0, 0]);
      expect(wg.div(i32([1, 7]), i32([2, 4])).dtype).toBe('float32');
      expect(() => wg.div(a, i32([1, 0, 1, 1, 1, 1, 1, 1]), { roundingMode: 'trunc' })).toThrow(
        new ValueError('div', 'integer division by zero: the int32 divisor of shape [8] holds 0 at flat index 1'),
      );
      expect(() => wg.div(x, 2, { roundingMode: 'round' as 'floor' })).toThrow(
        new ValueError('div', `roundingMode must be 'trunc', 'floor' or undefined, got "round"`),
      );
      expect(() => wg.div(x, 2, { rounding: 'floor' } as never)).toThrow(/div: unknown option 'rounding'/);
    });

    test('where of two integer numbers is int32 (torch.where(c, 1, 0) is an integer tensor); a fractional one makes it float32', () => {
      const c = wg.tensor([1, 0, NaN]);
      const y = wg.where(c, 1, -2);
      expect([y.dtype, ...y.data()]).toEqual(['int32', 1, -2, 1]);
      expect(wg.where(c, 1, 0.5).dtype).toBe('float32');
    });

    test('fmod of int32 is exact with the sign of a (torch.fmod; through float32 2147483647 fmod −3 was 2)', () => {
      const x = i32([MIN, MAX, -7, -7, 7, 7, 0]);
      const y = wg.fmod(x, i32([3, -3, 2, -2, 2, -2, 5]));
      expect([y.dtype, ...y.data()]).toEqual(['int32', -2, 1, -1, -1, 1, 1, 0]);
      expect(Array.from(x.fmod(3).data())).toEqual([-2, 1, -1, -1, 1, 1, 0]);
      expect(wg.fmod(x, 2.5).dtype).toBe('float32');
    });

    test('add, sub, mul stay int32 and wrap at the int32 limits (broadcasting)', () => {
      const cases: [wg.Tensor, wg.NestedArray][] = [
        [
          a().add(b()),
          [
            [9, -10, 4],
            [-2147483647, 2147483645, 9],
          ],
        ],
        [
          a().sub(b()),
          [
            [5, -4, -4],
            [2147483645, -2147483645, 1],
          ],
        ],
        [
          a().mul(b()),
          [
            [14, 21, 0],
            [-2, MIN, 20],
          ],
        ],
        [i32([65536, 46341]).mul(i32([65536, 46341])), [0, -2147479015]],
      ];
      for (const [t, want] of cases) {
        expect(t.dtype).toBe('int32');
        expect(t.toArray()).toEqual(want);
      }
      // Exact beyond 2^24, where a float32 round trip would lose the last bit.
      expect(i32([16777217]).add(1).toArray()).toEqual([16777218]);
      expect(i32([16777217]).mul(3).toArray()).toEqual([50331651]);
      expect(wg.sub(10, i32([3, -4])).toArray()).toEqual([7, 14]);
    });

    test('floorDivide and remainder follow Python (sign of the divisor); INT32_MIN // -1 wraps', () => {
      expect(wg.floorDivide(a(), b()).toArray()).toEqual([
        [3, 2, 0],
        [1073741823, 715827882, 1],
      ]);
      expect(a().remainder(b()).toArray()).toEqual([
        [1, -1, 0],
        [1, -2, 1],
      ]);
      expect(
        i32([7, -7, 7, -7])
          .floorDivide(i32([2, 2, -2, -2]))
          .toArray(),
      ).toEqual([3, -4, -4, 3]);
      expect(
        i32([7, -7, 7, -7])
          .remainder(i32([2, 2, -2, -2]))
          .toArray(),
      ).toEqual([1, 1, -1, -1]);
      // PyTorch crashes (SIGFPE) on INT32_MIN // -1; wasmgrad wraps the quotient 2^31 like every int32 result.
      expect(i32([MIN, MAX, 6]).floorDivide(-1).toArray()).toEqual([MIN, -2147483647, -6]);
      expect(i32([MIN, MAX]).remainder(-1).toArray()).toEqual([0, 0]);
      expect(wg.floorDivide(100, i32([7, -7])).toArray()).toEqual([14, -15]);
      expect(wg.remainder(100, i32([7, -7])).toArray()).toEqual([2, -5]);
    });

    test('maximum, minimum, neg, abs, clamp on int32 stay int32 (wrapping at INT32_MIN as PyTorch)', () => {
      expect(wg.maximum(a(), b()).toArray()).toEqual([
        [7, -3, 4],
        [MAX, -3, 5],
      ]);
      expect(wg.minimum(a(), b()).toArray()).toEqual([
        [2, -7, 0],
        [2, MIN, 4],
      ]);
      expect(i32([5, MIN, 0]).neg().toArray()).toEqual([-5, MIN, 0]);
      expect(i32([-5, MIN, 7]).abs().toArray()).toEqual([5, MIN, 7]);
      const c = i32([-10, 0, 3, 10]);
      expect(c.clamp(-2, 5).toArray()).toEqual([-2, 0, 3, 5]);
      expect(c.clamp(-2, 5).dtype).toBe('int32');
      expect(c.clamp(5, 2).toArray()).toEqual([2, 2, 2, 2]); // min > max gives max
      expect(c.clamp(null, 0).toArray()).toEqual([-10, 0, 0, 0]);
      const f = i32([-10, 3]).clamp(null, 2.5); // a fractional bound promotes, as PyTorch
      expect(f.dtype).toBe('float32');
      expect(f.toArray()).toEqual([-10, 2.5]);
    });

    test('PyTorch type promotion: a float tensor or a fractional number makes the op float32; div is true division', () => {
      const x = i32([1, 2]);
      expect(x.add(wg.tensor([0.5, 0.25])).toArray()).toEqual([1.5, 2.25]);
      expect(x.mul(1.5).dtype).toBe('float32');
      expect(x.mul(1.5).toArray()).toEqual([1.5, 3]);
      expect(x.add(2).dtype).toBe('int32');
      const q = i32([3, -3]).div(2);
      expect(q.dtype).toBe('float32');
      expect(q.toArray()).toEqual([1.5, -1.5]);
      expect(
        i32([3, -3])
          .div(i32([2, 2]))
          .toArray(),
      ).toEqual([1.5, -1.5]);
      expect(wg.maximum(i32([7, 1]), 2.5).toArray()).toEqual([7, 2.5]);
    });

    test('comparisons of int32 give exact float32 0/1 masks; with a float operand the int32 side is cast, as PyTorch', () => {
      const m = a().gt(b());
      expect(m.dtype).toBe('float32');
      expect(m.toArray()).toEqual([
        [1, 0, 0],
        [1, 0, 1],
      ]);
      expect(a().le(b()).toArray()).toEqual([
        [0, 1, 1],
        [0, 1, 0],
      ]);
      expect(
        a()
          .eq(i32([7, -3, 5]))
          .toArray(),
      ).toEqual([
        [1, 0, 0],
        [0, 0, 1],
      ]);
      expect(a().lt(0).toArray()).toEqual([
        [0, 1, 0],
        [0, 1, 0],
      ]);
      expect(a().ge(7).toArray()).toEqual([
        [1, 0, 0],
        [1, 0, 0],
      ]);
      const big = i32([16777217, -5, 3]);
      expect(big.eq(16777216).toArray()).toEqual([0, 0, 0]); // int32 vs an integer: exact
      expect(big.gt(wg.tensor([16777216, -5.5, 3])).toArray()).toEqual([0, 1, 0]); // int32 vs float32: 16777217 rounds to 16777216
      expect(big.gt(2.5).toArray()).toEqual([1, 0, 1]);
    });

    test('an accuracy as users write it: pred.eq(y).mean() on int32 class ids', () => {
      const pred = wg.tensor([1, 0, 2, 1], { dtype: 'int32' });
      const y = wg.tensor([1, 0, 1, 1], { dtype: 'int32' });
      expect(pred.eq(y).mean().item()).toBe(0.75);
    });

    test('casts: to / float / int truncate toward zero, give INT32_MIN for NaN, ±∞ and out of range (PyTorch on x86)', () => {
      const t = wg.tensor([2.7, -2.7, 0.5, -0.5, 2147483520, -2147483648, 2147483648, NaN, Infinity, -Infinity, 3e9]).int();
      expect(t.dtype).toBe('int32');
      expect(t.toArray()).toEqual([2, -2, 0, 0, 2147483520, MIN, MIN, MIN, MIN, MIN, MIN]);
      const f = i32([16777217, MAX, -7]).float();
      expect(f.dtype).toBe('float32');
      expect(f.toArray()).toEqual([16777216, 2147483648, -7]);
      expect(wg.tensor([1.5]).to('int32').toArray()).toEqual([1]);
      // The same dtype returns the tensor itself (PyTorch), so its gradient flows on.
      const x = wg.tensor([1, 2], { requiresGrad: true });
      expect(x.to('float32')).toBe(x);
      expect(x.float()).toBe(x);
      const k = i32([1]);
      expect(k.int()).toBe(k);
      // A cast of a tensor that requires grad is not differentiable (PyTorch: int results carry no grad).
      expect(x.int().requiresGrad).toBe(false);
      expect(wg.zeros([0, 3]).int().shape).toEqual([0, 3]);
    });

    test('logical ops: nonzero = true (NaN too), any dtype, float32 0/1 masks with broadcasting', () => {
      const and = wg.logicalAnd(wg.tensor([[0, 1, NaN]]), wg.tensor([[1], [0]]));
      expect(and.dtype).toBe('float32');
      expect(and.toArray()).toEqual([
        [0, 1, 1],
        [0, 0, 0],
      ]);
      expect(
        i32([0, 0, 3])
          .logicalOr(wg.tensor([0, -0, 0]))
          .toArray(),
      ).toEqual([0, 0, 1]);
      expect(wg.logicalXor(i32([0, 2, 3, 0]), i32([0, 0, -1, 5])).toArray()).toEqual([0, 1, 0, 1]);
      expect(wg.tensor([0, -0, 2, NaN]).logicalNot().toArray()).toEqual([1, 1, 0, 0]);
      expect(i32([0, 4, -1]).logicalNot().toArray()).toEqual([1, 0, 0]);
      // An int32 value beyond 2^24 stays nonzero through the cast.
      expect(wg.logicalAnd(i32([MIN, 16777217]), i32([1, 1])).toArray()).toEqual([1, 1]);
    });

    test('where takes int32 and float32 conditions (nonzero = true); int32 values stay int32, mixed ones become float32', () => {
      expect(wg.where(i32([1, 0, 2]), 1, 2).toArray()).toEqual([1, 2, 1]);
      const mixed = wg.where(i32([[1], [0]]), wg.tensor([1.5, 2]), i32([7, 8]));
      expect(mixed.dtype).toBe('float32');
      expect(mixed.toArray()).toEqual([
        [1.5, 2],
        [7, 8],
      ]);
      // int32 labels with an ignore value, exact beyond 2^24 (PyTorch: int stays int).
      const labels = wg.where(wg.tensor([1, 0, NaN]), i32([16777217, MIN, MAX]), -100);
      expect(labels.dtype).toBe('int32');
      expect(labels.toArray()).toEqual([16777217, -100, MAX]);
      expect(wg.where(i32([0, 3]), i32([[1, 2]]), i32([[5], [6]])).toArray()).toEqual([
        [5, 2],
        [6, 2],
      ]);
      expect(() => wg.where('x' as never, i32([1]), 0)).toThrow(/where: argument 1 must be a Tensor or a number, got "x"/);
      expect(() => wg.where(i32([1, 0]), i32([1, 2, 3]), 0)).toThrow(/where: shapes \[2\] and \[3\] and \[\] cannot be broadcast/);
      const x = wg.tensor([1, -2, 3], { requiresGrad: true });
      const y = wg.where(x.gt(0), x, x.mul(0.5));
      y.sum().backward();
      expect(y.toArray()).toEqual([1, -1, 3]);
      expect(x.grad!.toArray()).toEqual([1, 0.5, 1]);
      // The same masks as int32 (nonzero = true) pick the same values.
      expect(wg.where(x.gt(0).int(), x, 0).toArray()).toEqual([1, 0, 3]);
    });

    test('results of int32 ops need no gradient; an int32 operand next to one requiring grad gives a float32 result that has one', () => {
      const w = wg.tensor([0.5, 2], { requiresGrad: true });
      const y = i32([3, 4]).mul(w);
      expect(y.dtype).toBe('float32');
      y.sum().backward();
      expect(w.grad!.toArray()).toEqual([3, 4]);
      expect(i32([3, 4]).add(1).requiresGrad).toBe(false);
    });

    test('bitwise ops of int32 as torch.bitwise_*: exact on the full range, broadcasting, numbers as int32, shift counts mod 32', () => {
      const f = (t: wg.Tensor) => [t.dtype, t.tolist()];
      // torch.bitwise_and / or / xor / left_shift / right_shift(a, b) and bitwise_not(a) of the int32 a, b above
      expect(f(wg.bitwiseAnd(a(), b()))).toEqual([
        'int32',
        [
          [2, -7, 0],
          [2, MIN, 4],
        ],
      ]);
      expect(f(a().bitwiseOr(b()))).toEqual([
        'int32',
        [
          [7, -3, 4],
          [MAX, -3, 5],
        ],
      ]);
      expect(f(a().bitwiseXor(b()))).toEqual([
        'int32',
        [
          [5, 4, 4],
          [2147483645, 2147483645, 1],
        ],
      ]);
      expect(f(wg.bitwiseLeftShift(a(), b()))).toEqual([
        'int32',
        [
          [28, 536870912, 0],
          [-4, 0, 80],
        ],
      ]);
      expect(f(a().bitwiseRightShift(b()))).toEqual([
        'int32',
        [
          [1, -1, 0],
          [536870911, -4, 0],
        ],
      ]);
      expect(f(wg.bitwiseNot(a()))).toEqual([
        'int32',
        [
          [-8, 6, -1],
          [MIN, MAX, -6],
        ],
      ]);
      // torch.bitwise_left_shift / right_shift(int32 [-5], s): PyTorch 1.13 on the CPU takes the count mod 32
      const s = i32([0, 1, 31, 32, 33, -1, -33, 40]);
      expect(i32([-5]).bitwiseLeftShift(s).tolist()).toEqual([-5, -10, MIN, -5, -10, MIN, MIN, -1280]);
      expect(i32([-5]).bitwiseRightShift(s).tolist()).toEqual([-5, -3, -1, -5, -3, -1, -1, -1]);
      expect(wg.bitwiseLeftShift(3, s).tolist()).toEqual([3, 6, MIN, 3, 6, MIN, MIN, 768]);
      expect(i32([-5, 7]).bitwiseRightShift(-1).tolist()).toEqual([-1, 0]);
      // torch.bitwise_and(6, t), bitwise_or of [2, 1] with [3] broadcasting
      expect(f(wg.bitwiseAnd(6, i32([3, -1])))).toEqual(['int32', [2, 6]]);
      expect(wg.bitwiseOr(i32([[1], [2]]), i32([4, 8, 16])).tolist()).toEqual([
        [5, 9, 17],
        [6, 10, 18],
      ]);
      expect(i32([MIN, MAX]).bitwiseAnd(-1).requiresGrad).toBe(false);
      // torch raises "bitwise_and_cpu" not implemented for 'Float' for a float tensor or a fractional number
      expect(() => wg.bitwiseAnd(wg.tensor([1]), 3)).toThrow(
        new DTypeError(
          'bitwiseAnd',
          'takes int32 tensors and integer numbers (PyTorch has no bitwise op on floats), got a float32 tensor of shape [1] as argument 1',
        ),
      );
      expect(() => i32([1]).bitwiseXor(3.5)).toThrow(
        new DTypeError('bitwiseXor', 'takes int32 tensors and integer numbers (PyTorch has no bitwise op on floats), got 3.5 as argument 2'),
      );
      expect(() => wg.tensor([1]).bitwiseNot()).toThrow(DTypeError);
      expect(() => wg.bitwiseNot(wg.tensor([1]))).toThrow(/bitwiseNot: takes int32 tensors and integer numbers/);
      expect(() => wg.bitwiseNot(3 as never)).toThrow(new ValueError('bitwiseNot', 'expects a Tensor, got 3'));
      expect(() => i32([1]).bitwiseLeftShift(2 ** 40)).toThrow(/bitwiseLeftShift: the integer 1099511627776 does not fit in int32/);
      expect(() => wg.bitwiseOr(1, 2)).toThrow(/bitwiseOr: needs a Tensor argument, got only numbers \(1, 2\)/);
      expect(() => i32([1, 2]).bitwiseRightShift(i32([1, 2, 3]))).toThrow(/bitwiseRightShift: shapes \[2\] and \[3\] cannot be broadcast/);
    });

    test('errors name the op, what was expected and what was given', () => {
      expect(() => i32([1, 2]).floorDivide(i32([1, 0]))).toThrow(ValueError);
      expect(() => i32([1, 2]).floorDivide(i32([1, 0]))).toThrow(
        /floorDivide: integer division by zero: the int32 divisor of shape \[2\] holds 0 at flat index 1/,
      );
      expect(() => i32([1, 2]).remainder(0)).toThrow(/remainder: integer division by zero \(the divisor is the number 0\)/);
      // a float32 operand takes the math library's float floorDivide (int32 ones promoted)
      expect(wg.floorDivide(wg.tensor([1.5]), 2).dtype).toBe('float32');
      expect(Array.from(wg.floorDivide(i32([7]), 2.5).data())).toEqual([2]);
      expect(() => i32([1]).add(3e9)).toThrow(/add: the integer 3000000000 does not fit in int32 \(wasmgrad has no int64\)/);
      expect(() => i32([1]).clamp(-3e9, 0)).toThrow(/clamp: min must be an int32 integer or null for an int32 tensor, got -3000000000/);
      expect(() => i32([1]).to('int64' as never)).toThrow(DTypeError);
      expect(() => i32([1]).to('int64' as never)).toThrow(/to: unknown dtype "int64"/);
      expect(() => wg.logicalNot(3 as never)).toThrow(/logicalNot: expects a Tensor, got 3/);
      expect(() => wg.logicalAnd(i32([1, 2]), i32([1, 2, 3]))).toThrow(/logicalAnd: shapes \[2\] and \[3\] cannot be broadcast/);
      expect(() => i32([1, 2]).add(i32([1, 2, 3]))).toThrow(/add: shapes \[2\] and \[3\] cannot be broadcast/);
      // Refused by the float op's plan before the int32 operand is cast.
      expect(() => i32([1, 2]).add(wg.tensor([1, 2, 3]))).toThrow(/add: shapes \[2\] and \[3\] cannot be broadcast/);
      expect(() => i32([1]).clamp(null, NaN)).toThrow(/clamp: max must be a number or null, got NaN/);
      expect(() => i32([1]).clamp(null, null)).toThrow(/clamp: needs at least one bound/);
      // functions PyTorch has no integer kernel for stay refused (F.gelu of an int tensor raises too)
      expect(() => i32([1]).gelu()).toThrow(/gelu: input 0 must be float32, got int32/);
      expect(() => wg.round(i32([1]), { decimals: 1 })).toThrow(/round: input 0 must be float32, got int32/);
      expect(() => wg.pow(i32([2]), -1)).toThrow(
        new ValueError('pow', 'integers to negative integer powers are not allowed (PyTorch), got exponent -1 for an int32 x of shape [1]'),
      );
      expect(() => wg.pow(i32([2]), i32([3]))).toThrow(DTypeError);
      expect(() => wg.pow(2, i32([3]))).toThrow(/pow: an int32 power with a tensor exponent is not supported/);
      expect(() => wg.fmod(i32([1, 2]), i32([1, 0]))).toThrow(
        new ValueError('fmod', 'integer division by zero: the int32 divisor of shape [2] holds 0 at flat index 1'),
      );
      expect(() => wg.add(1, 2)).toThrow(/add: needs a Tensor argument, got only numbers \(1, 2\)/);
      expect(() => i32([1]).add('1' as never)).toThrow(/add: argument 2 must be a Tensor or a number, got "1"/);
    });
  });
}

test('bitwise ops replay under wg.compile with the eager results', () => {
  wg.setBackend('wasm');
  const f = (x: wg.Tensor, y: wg.Tensor) => x.bitwiseAnd(y).bitwiseXor(x.bitwiseLeftShift(y)).bitwiseOr(x.bitwiseRightShift(3)).bitwiseNot();
  const step = wg.compile(f);
  for (const [x, y] of [
    [i32([MIN, -7, 12345678]), i32([1, 33, -2])],
    [i32([MAX, 5, -1]), i32([31, 0, 7])],
  ]) {
    const want = f(x, y).tolist();
    expect(step(x, y).tolist()).toEqual(want);
    expect(step(x, y).tolist()).toEqual(want);
  }
  expect(step.replayInfo().map((r) => r.mode)).toEqual(['fast']);
});

test('int32 ops replay under wg.compile; a zero divisor inside it gives 0 (the values are not read)', () => {
  wg.setBackend('wasm');
  const step = wg.compile((x: wg.Tensor, y: wg.Tensor) => x.add(y).mul(3).floorDivide(y).remainder(5).gt(1));
  const x1 = i32([7, -8, 9]),
    y1 = i32([2, 3, -4]);
  const eager = (x: wg.Tensor, y: wg.Tensor) => x.add(y).mul(3).floorDivide(y).remainder(5).gt(1).toArray();
  for (let k = 0; k < 3; k++) expect(step(x1, y1).toArray()).toEqual(eager(x1, y1));
  const x2 = i32([100, -100, 1]),
    y2 = i32([7, -9, 1]);
  expect(step(x2, y2).toArray()).toEqual(eager(x2, y2));
  expect(step.replayInfo().map((r) => r.mode)).toEqual(['fast']);
  // Middle lane: (−8 + 0)·3 = −24, // 0 → 0, % 0 → 0, > 1 → 0; the others as eager.
  const ones = eager(x1, i32([1, 1, 1])) as number[];
  expect(step(x1, i32([1, 0, 1])).toArray()).toEqual([ones[0], 0, ones[2]]);
});
