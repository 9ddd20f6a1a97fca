/**
 * Every error the library throws is a typed WasmgradError naming the function, what was expected
 * and what was given; creation functions validate their arguments; out of memory is the same
 * clear error on both backends, which keep working after it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import { lifetimes } from '../src/engine/storage.js';
import { fmtValue } from '../src/errors.js';
import { GrowingBlock, HEAP_LIMIT_WORDS, Heap } from '../src/engine/heap.js';
import { initWasm } from './helpers/setup.js';

await initWasm();

type ErrorClass = new (...args: never[]) => wg.WasmgradError;

/** The error fn throws (failing the test if it throws nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, nothing was thrown');
}

function expectError(fn: () => unknown, Class: ErrorClass, message: RegExp): wg.WasmgradError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(wg.WasmgradError);
  expect(e).toBeInstanceOf(Class);
  const err = e as wg.WasmgradError;
  expect(err.message).toMatch(message);
  expect(err.message.startsWith(`wasmgrad.${err.fn}: `)).toBe(true);
  expect(err.name).toBe(Class.name);
  return err;
}

/** An op result freed with dispose(): the one way a tensor you hold stops being usable. */
function disposed(): wg.Tensor {
  const r = wg.tensor([1, 2]).mul(2);
  r.dispose();
  return r;
}

const T = () => wg.ones([2, 3]);
const ids = (v: number[]) => wg.tensor(v, { dtype: 'int32' });
const leaf = () => wg.ones([2, 3], { requiresGrad: true });
const x4 = () => wg.ones([1, 2, 5, 5]);
const any = <T>(v: unknown) => v as T;

const { ShapeError, DTypeError, ValueError, RecycledTensorError, AutogradError, BackendError, CompileError } = wg;

// [call, expected class, message naming the function and the bad value]
const CASES: [string, () => unknown, ErrorClass, RegExp][] = [
  // ---- creation: data kind, length vs shape, dtype, shapes, ranges, options
  ['tensor({length: 3})', () => wg.tensor(any({ length: 3 })), ValueError, /^wasmgrad\.tensor: data must be .* got \{length: 3\}$/],
  ['tensor({length: -1})', () => wg.tensor(any({ length: -1 })), ValueError, /tensor: .*got \{length: -1\}/],
  ['tensor({length: 2.5})', () => wg.tensor(any({ length: 2.5 })), ValueError, /tensor: .*got \{length: 2\.5\}/],
  ['tensor("abc")', () => wg.tensor(any('abc')), ValueError, /tensor: .*got "abc"/],
  ['tensor(ArrayBuffer)', () => wg.tensor(any(new ArrayBuffer(8))), ValueError, /tensor: .*got an ArrayBuffer/],
  ['tensor(true)', () => wg.tensor(any(true)), ValueError, /tensor: .*got true/],
  ['tensor: a string element', () => wg.tensor(any([[1, 'a']])), ValueError, /tensor: data\[0\]\[1\] is "a", expected a number/],
  ['tensor: a hole', () => wg.tensor(any([1, , 3])), ValueError, /tensor: data\[1\] is undefined/], // eslint-disable-line no-sparse-arrays
  ['tensor: ragged rows', () => wg.tensor([[1], [2, 3]]), ShapeError, /tensor: ragged nested array: data\[1\] is \[2, 3\], expected a list of length 1/],
  [
    'tensor: a list where a number is expected',
    () => wg.tensor(any([1, [2]])),
    ShapeError,
    /tensor: ragged nested array: data\[1\] is \[2\], expected a number/,
  ],
  [
    'tensor: nesting past 64 dims',
    () => {
      const a: unknown[] = [1];
      a[0] = a;
      return wg.tensor(any(a));
    },
    ShapeError,
    /tensor: data is nested more than 64 levels deep/,
  ],
  ['tensor: shape vs length', () => wg.tensor([1, 2, 3], { shape: [2, 2] }), ShapeError, /tensor: shape \[2, 2\] needs 4 values, data has 3/],
  ['tensor: negative shape', () => wg.tensor([1, 2, 3], { shape: [-3] }), ShapeError, /tensor: options\.shape must be .* got \[-3\]/],
  ['tensor: NaN into int32', () => wg.tensor([1, NaN], { dtype: 'int32' }), ValueError, /tensor: int32 data must be 32-bit integers, got NaN at \[1\]/],
  ['tensor: Infinity into int32', () => wg.tensor([[1, Infinity]], { dtype: 'int32' }), ValueError, /got Infinity at \[0, 1\]/],
  [
    'tensor: BigInt64Array beyond int32',
    () => wg.tensor(new BigInt64Array([1n, 2n ** 40n])),
    ValueError,
    /tensor: value 1099511627776n at \[1\] does not fit in int32/,
  ],
  ['tensor: unknown dtype', () => wg.tensor([1], { dtype: any('float64') }), DTypeError, /tensor: unknown dtype "float64"/],
  ['tensor: requiresGrad not a boolean', () => wg.tensor([1], { requiresGrad: any('yes') }), ValueError, /tensor: requiresGrad must be a boolean, got "yes"/],
  [
    'tensor: int32 requiring grad',
    () => wg.tensor([1], { dtype: 'int32', requiresGrad: true }),
    DTypeError,
    /tensor: only float32 tensors can require grad, got dtype "int32"/,
  ],
  [
    'tensor: unknown option',
    () => wg.tensor([1], any({ dtyp: 'int32' })),
    ValueError,
    /tensor: unknown option 'dtyp' \(the options are shape, requiresGrad, dtype\)/,
  ],
  ['tensor: options not an object', () => wg.tensor([1], any('int32')), ValueError, /tensor: options must be an object .* got "int32"/],
  ['full float16', () => wg.full([2], 1, { dtype: any('float16') }), DTypeError, /full: unknown dtype "float16"/],
  ['full: value not a number', () => wg.full([2], any('1')), ValueError, /full: value must be a number, got "1"/],
  ['full: 1.5 into int32', () => wg.full([2], 1.5, { dtype: 'int32' }), ValueError, /full: int32 data must be 32-bit integers, got 1\.5/],
  ['zeros: negative dim', () => wg.zeros([2, -1]), ShapeError, /zeros: shape must be an array of non-negative integers, got \[2, -1\] \(dim 1 is -1\)/],
  ['zeros: NaN dim', () => wg.zeros([NaN]), ShapeError, /zeros: .*got \[NaN\]/],
  ['ones: fractional dim', () => wg.ones([2.5]), ShapeError, /ones: .*got \[2\.5\]/],
  ['ones: shape a string', () => wg.ones(any<number[]>('a')), ShapeError, /ones: .*got "a"/],
  ['zeros: 65 dims', () => wg.zeros(new Array(65).fill(1)), ShapeError, /zeros: shape has 65 dims, at most 64/],
  ['randn int32', () => wg.randn([2], { dtype: 'int32' }), DTypeError, /randn: makes float32 tensors, got dtype "int32"/],
  ['rand: unknown option', () => wg.rand([2], any<{ dtype: 'float32' }>({ seed: 1 })), ValueError, /rand: unknown option 'seed'/],
  ['arange(0, NaN)', () => wg.arange(0, NaN), ValueError, /^wasmgrad\.arange: unsupported range: 0 -> NaN/],
  ['arange(Infinity)', () => wg.arange(Infinity), ValueError, /arange: unsupported range: 0 -> Infinity/],
  ['arange: step 0', () => wg.arange(0, 5, 0), ValueError, /arange: step must be a finite non-zero number, got 0/],
  [
    'arange: bounds against the step',
    () => wg.arange(5, 0),
    ValueError,
    /arange: upper bound and larger bound inconsistent with step sign: start 5, end 0, step 1/,
  ],
  ['arange: end a string', () => wg.arange(0, any('5')), ValueError, /arange: end must be a number, got "5"/],
  [
    'arange: int32 with a fractional step',
    () => wg.arange(0, 1, 0.25, { dtype: 'int32' }),
    ValueError,
    /arange: with dtype int32, step must be an integer, got 0\.25/,
  ],
  ['gradcheck(42)', () => wg.gradcheck(any(42), [leaf()]), ValueError, /gradcheck: fn must be a function, got 42/],
  ['gradcheck: inputs not tensors', () => wg.gradcheck((x) => x.sum(), any([1])), ValueError, /gradcheck: inputs\[0\] must be a Tensor, got 1/],
  ['gradcheck: eps 0', () => wg.gradcheck((x) => x.sum(), [leaf()], { eps: 0 }), ValueError, /gradcheck: eps must be a finite number > 0, got 0/],
  [
    'gradcheck: fn returns a number',
    () =>
      wg.gradcheck(
        any(() => 3),
        [leaf()],
      ),
    ValueError,
    /gradcheck: fn must return a Tensor, got 3/,
  ],
  ['manualSeed("1")', () => wg.manualSeed(any('1')), ValueError, /manualSeed: seed must be a finite number, got "1"/],
  ['setBackend("gpu")', () => wg.setBackend(any('gpu')), ValueError, /setBackend: unknown backend "gpu"/],
  // ---- ops: wrong argument types, dims, options, shapes, dtypes
  ["t.add('x')", () => T().add(any('x')), ValueError, /^wasmgrad\.add: argument 2 must be a Tensor or a number, got "x"$/],
  ['matmul(null, t)', () => wg.matmul(any(null), T()), ValueError, /matmul: argument 1 must be a Tensor, got null/],
  ['matmul: shapes', () => wg.matmul(T(), T()), ShapeError, /matmul: shapes \[2, 3\] and \[2, 3\] cannot be multiplied/],
  ['matmul: options not an object', () => wg.matmul(T(), wg.ones([3, 2]), any(true)), ValueError, /matmul: options must be an object .* got true/],
  [
    'matmul: transposeA not a boolean',
    () => wg.matmul(T(), wg.ones([2, 2]), any({ transposeA: 1 })),
    ValueError,
    /matmul: transposeA must be a boolean, got 1/,
  ],
  ["t.reshape('a')", () => T().reshape(any('a')), ShapeError, /reshape: shape must be an array of integers ≥ -1, got "a"/],
  ['reshape: size', () => T().reshape([4, 2]), ShapeError, /reshape: cannot reshape a tensor of shape \[2, 3\] \(6 elements\) into \[4, 2\]/],
  ['sum: fractional dim', () => T().sum(1.5), ValueError, /sum: dim must be an integer, got 1\.5/],
  ['sum: dim out of range', () => T().sum(2), ShapeError, /sum: dim 2 is out of range for a tensor of shape \[2, 3\]/],
  ['mean: keepdim not a boolean', () => T().mean(0, any('yes')), ValueError, /mean: keepdim must be a boolean, got "yes"/],
  ['softmax: dim a string', () => T().softmax(any('1')), ValueError, /softmax: dim must be an integer, got "1"/],
  ['transpose: NaN dim', () => T().transpose(NaN, 1), ValueError, /transpose: dim must be an integer, got NaN/],
  ['permute: not an array', () => T().permute(any('a')), ValueError, /permute: dims must be an array of dim indices, got "a"/],
  ['slice: start a string', () => T().slice(1, any('0')), ValueError, /slice: start and end must be integers, got "0" and undefined/],
  ['cat: not an array', () => wg.cat(any(T())), ValueError, /cat: expects a non-empty array of tensors, got Tensor\(\[2, 3\], float32\)/],
  [
    'stack: mixed dtypes promote, shapes must match',
    () => wg.stack([ids([1]), wg.ones([2])]),
    ShapeError,
    /stack: tensors must all have the same shape, got shapes \[1\], \[2\]/,
  ],
  ['clamp: no bound', () => T().clamp(null, null), ValueError, /clamp: needs at least one bound, got min = null and max = null/],
  ['pow: exponent a string', () => T().pow(any('2')), ValueError, /pow: exponent must be a finite number, got "2"/],
  ['leakyRelu: NaN slope', () => T().leakyRelu(NaN), ValueError, /leakyRelu: slope must be a finite number, got NaN/],
  ['gelu of an int32 tensor', () => wg.gelu(ids([1])), DTypeError, /gelu: input 0 must be float32, got int32/],
  ['add: broadcast', () => T().add(wg.ones([4])), ShapeError, /add: shapes \[2, 3\] and \[4\] cannot be broadcast together/],
  ['linear: weight not a tensor', () => wg.linear(T(), any([[1, 2, 3]])), ValueError, /linear: weight must be a Tensor, got \[\[1, 2, 3\]\]/],
  [
    "linear: activation 'tanh'",
    () => wg.linear(T(), wg.ones([2, 3]), null, any({ activation: 'tanh' })),
    ValueError,
    /linear: activation must be one of 'none', 'relu', got "tanh"/,
  ],
  [
    'conv2d: unknown option',
    () => wg.conv2d(x4(), wg.ones([1, 2, 3, 3]), null, any({ pad: 1 })),
    ValueError,
    /conv2d: unknown option 'pad' \(the options are stride, padding, dilation, groups\)/,
  ],
  ['conv2d: stride 0', () => wg.conv2d(x4(), wg.ones([1, 2, 3, 3]), null, { stride: 0 }), ValueError, /conv2d: stride must be a positive integer .* got 0/],
  ['maxPool2d: input not a tensor', () => wg.maxPool2d(any([1]), 2), ValueError, /maxPool2d: input must be a Tensor, got \[1\]/],
  ['maxPool2d: kernel a string', () => wg.maxPool2d(x4(), any('2')), ValueError, /maxPool2d: kernel size must be a positive integer .* got "2"/],
  ['dropout: p = 1.5', () => wg.dropout(T(), 1.5, true), ValueError, /dropout: p must be a probability in \[0, 1\], got 1.5/],
  ['dropout: input not a tensor', () => wg.dropout(any('x'), 0.5, false), ValueError, /dropout: input must be a Tensor, got "x"/],
  [
    'embedding: float indices',
    () => wg.embedding(wg.ones([2]), wg.ones([3, 2])),
    DTypeError,
    /embedding: indices must be an int32 tensor, got a float32 tensor/,
  ],
  ['embedding: index out of range', () => wg.embedding(ids([0, 5]), wg.ones([3, 2])), ValueError, /embedding: index 5 at position \[1\]/],
  ['copy_: a string', () => T().copy_(any('1')), ValueError, /copy_: source must be a Tensor or a number, got "1"/],
  ['copy_: int32 from 0.5', () => ids([1]).copy_(0.5), ValueError, /copy_: an int32 tensor can only be filled with a 32-bit integer, got 0\.5/],
  // ---- tensors, autograd, disposed storage
  ['item of two elements', () => T().item(), ShapeError, /item: tensor of shape \[2, 3\] has 6 elements, not 1/],
  [
    'grad set to an array',
    () => {
      leaf().grad = any([1]);
    },
    ValueError,
    /Tensor\.grad: can only be set to a Tensor or null, got \[1\]/,
  ],
  [
    'requiresGrad set to 1',
    () => {
      T().requiresGrad = any(1);
    },
    ValueError,
    /Tensor\.requiresGrad: must be set to a boolean, got 1/,
  ],
  [
    'requiresGrad on an int32 tensor',
    () => {
      ids([1]).requiresGrad = true;
    },
    DTypeError,
    /requiresGrad: only float32 tensors can require grad, this one is int32/,
  ],
  [
    'requiresGrad on a non-leaf',
    () => {
      leaf().mul(2).requiresGrad = false;
    },
    AutogradError,
    /requiresGrad: can only be set to false on leaf tensors, this one was computed by 'mul'/,
  ],
  [
    'backward of a non-scalar without a seed',
    () => leaf().mul(2).backward(),
    AutogradError,
    /backward: a seed gradient is needed for a non-scalar tensor \[2, 3\]/,
  ],
  ['backward without requiresGrad', () => T().sum().backward(), AutogradError, /backward: tensor \[\] does not require grad/],
  [
    'backward twice',
    () => {
      const l = leaf().mul(2).sum();
      l.backward();
      l.backward();
    },
    AutogradError,
    /backward: trying to backward through the graph a second time/,
  ],
  [
    'backward after an in-place change',
    () => {
      const c = T();
      const y = leaf().mul(c).sum();
      wg.noGrad(() => c.add_(1));
      y.backward();
    },
    AutogradError,
    /backward: input 1 of 'mul' was modified in place/,
  ],
  [
    'backward: seed of the wrong shape',
    () =>
      leaf()
        .mul(2)
        .backward(wg.ones([3])),
    ShapeError,
    /backward: seed shape \[3\] does not match tensor shape \[2, 3\]/,
  ],
  [
    'backward: seed a string',
    () => leaf().mul(2).backward(any('1')),
    ValueError,
    /backward: the seed gradient must be a Tensor, a number or an array of numbers, got "1"/,
  ],
  [
    'backward: retainGraph not a boolean',
    () =>
      leaf()
        .sum()
        .backward(1, any({ retainGraph: 'yes' })),
    ValueError,
    /backward: retainGraph must be a boolean, got "yes"/,
  ],
  // torch: "a leaf Variable that requires grad is being used in an in-place operation."
  [
    'in-place on a leaf that requires grad',
    () => leaf().add_(1),
    AutogradError,
    /^wasmgrad\.add_: a leaf tensor \[2, 3\] that requires grad is being used in an in-place operation/,
  ],
  [
    'a disposed tensor in an op',
    () => disposed().add(1),
    RecycledTensorError,
    /^wasmgrad\.add: this tensor \[2\] \(made by 'mul' in step \d+\) was freed by dispose\(\) in step \d+\. dispose\(\) is never needed/,
  ],
  ['a disposed tensor read', () => disposed().data(), RecycledTensorError, /data: this tensor \[2\] .*was freed by dispose\(\)/],
  ['a disposed tensor as a loss target', () => wg.losses.mse(wg.ones([2]), disposed()), RecycledTensorError, /losses\.mse: this tensor \[2\]/],
  ['noGrad(5)', () => wg.noGrad(any(5)), ValueError, /noGrad: fn must be a function, got 5/],
  // ---- losses
  ['mse: pred not a tensor', () => wg.losses.mse(any([1, 2]), wg.ones([2])), ValueError, /losses\.mse: pred must be a Tensor, got \[1, 2\]/],
  ['bce: int32 target', () => wg.losses.bce(wg.ones([2]), ids([1, 2])), DTypeError, /losses\.bce: target must be a float32 tensor, got Tensor\(\[2\], int32\)/],
  ['mse: shapes', () => wg.losses.mse(wg.ones([2]), wg.ones([3])), ShapeError, /losses\.mse: shapes \[2\] and \[3\] cannot be broadcast together/],
  [
    "mse: reduction 'avg'",
    () => wg.losses.mse(wg.ones([2]), wg.ones([2]), any({ reduction: 'avg' })),
    ValueError,
    /losses\.mse: reduction must be 'mean', 'sum' or 'none', got "avg"/,
  ],
  ['huber: delta -1', () => wg.losses.huber(wg.ones([2]), wg.ones([2]), { delta: -1 }), ValueError, /losses\.huber: delta must be a positive number, got -1/],
  [
    'crossEntropy: label out of range',
    () => wg.losses.crossEntropy(T(), ids([0, 3])),
    ValueError,
    /losses\.crossEntropy: label 3 at position \[1\] is out of range for 3 classes/,
  ],
  [
    'crossEntropy: label shape',
    () => wg.losses.crossEntropy(T(), ids([0])),
    ShapeError,
    /losses\.crossEntropy: labels of shape \[1\] do not fit input \[2, 3\]/,
  ],
  [
    'crossEntropy: unknown option',
    () => wg.losses.crossEntropy(T(), ids([0, 1]), any({ smoothing: 0.1 })),
    ValueError,
    /losses\.crossEntropy: unknown option 'smoothing'/,
  ],
  ['nll: float labels', () => wg.losses.nll(T(), wg.ones([2])), DTypeError, /losses\.nll: labels must be int32 class ids, got a float32 tensor/],
  // ---- nn
  ['nn.Linear(2.5, 3)', () => new wg.nn.Linear(2.5, 3), ValueError, /nn\.Linear: inFeatures must be an integer ≥ 0, got 2\.5/],
  ['nn.Linear: bias "no"', () => new wg.nn.Linear(2, 3, { bias: any('no') }), ValueError, /nn\.Linear: bias must be a boolean, got "no"/],
  ['nn.Linear: forward of a number', () => new wg.nn.Linear(3, 2).forward(any(1)), ValueError, /nn\.Linear: input must be a Tensor, got 1/],
  [
    'nn.Linear: forward shape',
    () => new wg.nn.Linear(4, 2).forward(T()),
    ShapeError,
    /nn\.Linear: expected an input whose last dim is in_features = 4, got shape \[2, 3\]/,
  ],
  ['nn.Conv2d: unknown option', () => new wg.nn.Conv2d(2, 3, 3, any({ padding_mode: 'zeros' })), ValueError, /nn\.Conv2d: unknown option 'padding_mode'/],
  [
    'nn.BatchNorm1d: momentum 2',
    () => new wg.nn.BatchNorm1d(3, { momentum: 2 }),
    ValueError,
    /nn\.BatchNorm1d: momentum must be a number in \[0, 1\] or null, got 2/,
  ],
  [
    'nn.BatchNorm2d: forward shape',
    () => new wg.nn.BatchNorm2d(3).forward(T()),
    ShapeError,
    /nn\.BatchNorm2d: expected an input \[N, 3, H, W\], got shape \[2, 3\]/,
  ],
  ['nn.LayerNorm: eps NaN', () => new wg.nn.LayerNorm(3, { eps: NaN }), ValueError, /nn\.LayerNorm: eps must be a finite number ≥ 0, got NaN/],
  ['nn.Dropout(1.5)', () => new wg.nn.Dropout(1.5), ValueError, /nn\.Dropout: p must be a probability in \[0, 1\], got 1\.5/],
  [
    'nn.Sequential of a function',
    () => new wg.nn.Sequential(any((x: wg.Tensor) => x)),
    ValueError,
    /nn\.Sequential\.registerModule: '0' must be a Module, got a function/,
  ],
  ['Module.train("yes")', () => new wg.nn.ReLU().train(any('yes')), ValueError, /nn\.ReLU\.train: mode must be a boolean, got "yes"/],
  // ---- optim
  ['SGD without lr', () => new wg.optim.SGD([leaf()], any({})), ValueError, /optim\.SGD: the option lr is required/],
  [
    'SGD: params a number',
    () => new wg.optim.SGD(any(5), { lr: 1 }),
    ValueError,
    /optim\.SGD: params must be an array of tensors or a module with parameters\(\), got 5/,
  ],
  [
    "Adam: a tensor where the options go (torch's positional lr)",
    () => new wg.optim.Adam([leaf()], any<never>(T())),
    ValueError,
    /optim\.Adam: lr must be a finite number ≥ 0, got Tensor\(\[2, 3\], float32\)/,
  ],
  ['Adam: betas', () => new wg.optim.Adam([leaf()], { betas: any([0.9]) }), ValueError, /optim\.Adam: betas must be a pair \[beta1, beta2\], got \[0\.9\]/],
  ['Adam: an int32 parameter', () => new wg.optim.Adam([ids([1])]), DTypeError, /optim\.Adam: params\[0\] is a int32 tensor/],
  [
    'zeroGrad("yes")',
    () => new wg.optim.SGD([leaf()], { lr: 1 }).zeroGrad(any('yes')),
    ValueError,
    /optim\.SGD\.zeroGrad: setToNone must be a boolean, got "yes"/,
  ],
  ['clipGradNorm: maxNorm "1"', () => wg.optim.clipGradNorm([leaf()], any('1')), ValueError, /optim\.clipGradNorm: maxNorm must be a number ≥ 0, got "1"/],
  [
    'StepLR without options',
    () => new wg.optim.lr.StepLR(new wg.optim.SGD([leaf()], { lr: 1 }), any<never>(undefined)),
    ValueError,
    /optim\.lr\.StepLR: expects an options object \{ stepSize, gamma \}, got undefined/,
  ],
  // ---- compile, training loop
  ['compile(5)', () => wg.compile(any<(...a: unknown[]) => unknown>(5)), ValueError, /compile: fn must be a function, got 5/],
  ['compile: verify -1', () => wg.compile((x: wg.Tensor) => x, { verify: -1 }), ValueError, /compile: verify must be an integer ≥ 0, got -1/],
  [
    'compile: reads a value',
    () => wg.compile((x: wg.Tensor) => x.mul(2).sum().item())(T()),
    CompileError,
    /compile: a value computed inside a compiled function cannot be read inside it/,
  ],
  [
    'compile: nested',
    () => {
      const inner = wg.compile((x: wg.Tensor) => x.sum());
      return wg.compile((x: wg.Tensor) => inner(x))(T());
    },
    CompileError,
    /compile: compiled functions cannot call each other/,
  ],
  ['evaluate: options an array', () => wg.evaluate((x) => x, { x: T(), y: T() }, any([])), ValueError, /evaluate: options must be an object, got \[\]/],
  ['predict: x not a tensor', () => wg.predict((x) => x, any([1])), ValueError, /predict: x must be a Tensor, got \[1\]/],
  [
    'predict: x without samples',
    () => wg.predict((x) => x, wg.zeros([0, 2])),
    ShapeError,
    /predict: x must have at least one sample along its first dim, got shape \[0, 2\]/,
  ],
  // ---- found by the bad-input fuzzer: a non-tensor or a bad entry reached a property read
  ['sort(null)', () => wg.sort(any(null)), ValueError, /^wasmgrad\.sort: input must be a Tensor, got null$/],
  ['argsort([1, 2])', () => wg.argsort(any([1, 2])), ValueError, /^wasmgrad\.argsort: input must be a Tensor, got \[1, 2\]$/],
  ['topk(undefined, 1)', () => wg.topk(any(undefined), 1), ValueError, /^wasmgrad\.topk: input must be a Tensor, got undefined$/],
  ['sort of a disposed tensor', () => disposed().sort(), RecycledTensorError, /^wasmgrad\.sort: /],
  ['expandAs(null)', () => T().expandAs(any(null)), ValueError, /^wasmgrad\.expandAs: other must be a Tensor, got null$/],
  ['reshapeAs(undefined)', () => T().reshapeAs(any(undefined)), ValueError, /^wasmgrad\.reshapeAs: other must be a Tensor, got undefined$/],
  ['typeAs(a disposed tensor)', () => T().typeAs(disposed()), RecycledTensorError, /^wasmgrad\.typeAs: /],
  [
    'nn.Softmax2d.forward(undefined)',
    () => new wg.nn.Softmax2d().forward(any(undefined)),
    ValueError,
    /^wasmgrad\.nn\.Softmax2d: x must be a Tensor, got undefined$/,
  ],
  [
    'nn.ModuleDict([1, 2])',
    () => new wg.nn.ModuleDict(any<never>([1, 2])),
    ValueError,
    /^wasmgrad\.nn\.ModuleDict: expects an object or \[key, module\] entries, got the entry 1$/,
  ],
  [
    'assertStateDictMatches: options null',
    () => wg.assertStateDictMatches({ a: T() }, { a: T() }, any(null)),
    ValueError,
    /^wasmgrad\.assertStateDictMatches: options must be an object \{ strict, fn \}, got null$/,
  ],
  [
    'optimizer step(closure): a closure that is not a function',
    () => new wg.optim.SGD([leaf()], { lr: 0.1 }).step(any<never>(1)),
    ValueError,
    /^wasmgrad\.optim\.SGD\.step: closure must be a function that computes the loss and calls backward\(\), got 1$/,
  ],
  // A second argument is not the function the error names (it was an internal parameter).
  [
    'readHeader(tensor, 0)',
    () => (wg.readHeader as (...a: unknown[]) => unknown)(T(), 0),
    ValueError,
    /^wasmgrad\.readHeader: expected the file's bytes .* got Tensor\(\[2, 3\], float32\)$/,
  ],
  [
    'readHeader(tensor, Symbol())',
    () => (wg.readHeader as (...a: unknown[]) => unknown)(T(), Symbol('s')),
    ValueError,
    /^wasmgrad\.readHeader: expected the file's bytes/,
  ],
  [
    'loadWithMetadata(tensor, null)',
    () => (wg.loadWithMetadata as (...a: unknown[]) => unknown)(T(), null),
    ValueError,
    /^wasmgrad\.loadWithMetadata: expected the file's bytes/,
  ],
];

for (const be of ['wasm', 'reference'] as const)
  describe(`typed errors on ${be}`, () => {
    for (const [name, call, Class, message] of CASES)
      test(name, () => {
        wg.setBackend(be);
        expectError(call, Class, message);
      });

    test('mixed backends are a BackendError', () => {
      wg.setBackend(be === 'wasm' ? 'reference' : 'wasm');
      const other = wg.ones([2]);
      wg.setBackend(be);
      expectError(() => wg.ones([2]).add(other), BackendError, /add: inputs live on different backends/);
    });

    test('creation accepts what PyTorch accepts', () => {
      wg.setBackend(be);
      const big = wg.tensor(new BigInt64Array([1n, -2n, 2147483647n]));
      expect([big.dtype, Array.from(big.data())]).toEqual(['int32', [1, -2, 2147483647]]);
      const unsigned = wg.tensor(new BigUint64Array([7n]));
      expect([unsigned.dtype, unsigned.toArray()]).toEqual(['int32', [7]]);
      const asFloat = wg.tensor(new BigInt64Array([2n ** 40n]), { dtype: 'float32' });
      expect([asFloat.dtype, asFloat.item()]).toEqual(['float32', 2 ** 40]);
      expect(wg.tensor([[new Float32Array([1, 2])], [new Float32Array([3, 4])]] as never).toArray()).toEqual([[[1, 2]], [[3, 4]]]);
      expect(wg.zeros(3).shape).toEqual([3]);
      expect(wg.arange(4, { dtype: 'int32' }).toArray()).toEqual([0, 1, 2, 3]);
      expect(wg.arange(1, -1, -0.5).toArray()).toEqual([1, 0.5, 0, -0.5]);
      expect(wg.arange(3, 3).shape).toEqual([0]);
      expect(wg.full([2], NaN).toArray()).toEqual([NaN, NaN]);
    });

    test('out of memory: the same OutOfMemoryError, and the backend keeps working', () => {
      wg.setBackend(be);
      const heap = backend(be).heap;
      // kept: the op after a failed request retires the step's blocks (below), which would spill them
      const column = wg.ones([1e5, 1]).keep(),
        row = wg.ones([1, 1e5]).keep();
      const calls: [() => unknown, string, number][] = [
        [() => wg.zeros([2 ** 31]), 'zeros', 2 ** 33],
        [() => wg.ones([1e5, 1e5]), 'ones', 4e10],
        [() => wg.randn([2 ** 30, 2]), 'randn', 2 ** 33],
        [() => wg.arange(1e12), 'arange', 4e12],
        [() => wg.matmul(column, row), 'matmul', 4e10],
        [() => new wg.nn.Linear(1e5, 1e5), 'nn.Linear', 4e10],
      ];
      for (const [call, fn, bytes] of calls) {
        wg.ones([1]).add(0); // an op: it retires what the previous failed call made
        const before = heap.inUse;
        const e = expectError(
          call,
          wg.OutOfMemoryError,
          new RegExp(`^wasmgrad\\.${fn.replace('.', '\\.')}: out of memory: .* requested, the heap holds 4\\.00 GiB at most`),
        );
        expect(e.fn).toBe(fn);
        const oom = e as wg.OutOfMemoryError;
        expect(oom.requestedBytes).toBe(bytes);
        expect(oom.availableBytes).toBe(HEAP_LIMIT_WORDS * 4);
        expect(heap.inUse).toBe(before); // nothing was handed out
        expect(wg.ones([2, 2]).add(1).sum().item()).toBe(8);
      }
    });

    test('the op after a failed request retires both step generations: blocks a failed call made do not wait for a turn-over', () => {
      wg.setBackend(be);
      const held = wg.ones([3]).add(1);
      const unheld = () => wg.ones([5000]).mul(2).storage; // a result nobody holds (as a failed op's first buffer)
      const dropped = unheld();
      wg.ones([1]).add(0); // not yet: turn-overs go by volume (64 MB)
      expect([held.storage.owner, dropped.alive, dropped.owner === 'spilled']).toEqual([expect.any(Array), true, false]);
      expectError(() => wg.zeros([2 ** 31]), wg.OutOfMemoryError, /out of memory/);
      expect(lifetimes.short).toBe(true);
      const turnOvers = lifetimes.turnOvers;
      wg.ones([1]).add(0);
      expect([lifetimes.short, lifetimes.turnOvers - turnOvers]).toEqual([false, 1]);
      // what may still be reached is spilled (still readable), the rest went back to the heap
      expect([held.storage.owner, held.toArray(), dropped.owner === 'spilled' || !dropped.alive]).toEqual(['spilled', [2, 2, 2], true]);
    });
  });

test('a heap whose engine refuses to grow throws OutOfMemoryError and keeps its bookkeeping', () => {
  let capacity = 1024;
  const heap = new Heap(16, (end) => end <= capacity, 4096);
  const a = heap.alloc(100, 'first');
  expect(heap.inUse).toBe(112);
  const e = expectError(
    () => heap.alloc(2000, 'big'),
    wg.OutOfMemoryError,
    /^wasmgrad\.big: out of memory: 7\.81 KiB requested, the heap holds 16\.0 KiB at most \(the JavaScript engine could not grow the heap to/,
  );
  expect((e as wg.OutOfMemoryError).requestedBytes).toBe(8000);
  expect(heap.inUse).toBe(112);
  expectError(
    () => heap.alloc(5000, 'huge'),
    wg.OutOfMemoryError,
    /^wasmgrad\.huge: out of memory: 19\.5 KiB requested, the heap holds 16\.0 KiB at most \(448 B in use\)/,
  );
  const b = heap.alloc(100, 'second');
  expect(b).toBe(a + 112);
  capacity = 4096;
  expect(heap.alloc(2000, 'big')).toBe(b + 112);
  // A growing block keeps its old block when the new one cannot be had.
  const block = new GrowingBlock(heap);
  const p = block.ensure(64, 64, 'ws');
  expectError(() => block.ensure(5000, 5000, 'ws'), wg.OutOfMemoryError, /^wasmgrad\.ws: out of memory/);
  expect([block.ptr, block.words]).toEqual([p, 64]);
});

test('a request the top cannot take is cut from a larger free block; the rest stays free in smaller classes', () => {
  let capacity = 20000;
  const heap = new Heap(0, (end) => end <= capacity, 1 << 20);
  const big = heap.alloc(17000, 'big'); // class 18432 (above 16384 words, eighths of 16384)
  const small = heap.alloc(100, 'small');
  expect([big, small]).toEqual([0, 18432]);
  heap.free(big, 17000);
  capacity = 18544; // the engine will not grow the heap: the top holds nothing more
  const a = heap.alloc(5000, 'a'); // class 5008, cut from the free 18432 block
  expect([a, heap.inUse]).toEqual([0, 5008 + 112]);
  // the rest, 13424 words, is one free block of that class: a request of it fits without growing
  expect(heap.alloc(13424, 'b')).toBe(5008);
  expect(heap.highWater).toBe(18544);
  // nothing left to cut: the error names the growth that failed, and the bookkeeping is unchanged
  const before = heap.inUse;
  expectError(() => heap.alloc(64, 'c'), wg.OutOfMemoryError, /^wasmgrad\.c: out of memory: 256 B requested, .*could not grow the heap to 72\.7 KiB/);
  expect(heap.inUse).toBe(before);
  // a remainder above 16384 words splits into a few classes, each as large as fits
  const h2 = new Heap(0, (end) => end <= 65536, 1 << 20);
  const p = h2.alloc(65536, 'p');
  h2.free(p, 65536);
  expect(h2.alloc(16, 'q')).toBe(0); // 65520 words left: 61440 + 4080
  expect([h2.alloc(61440, 'r'), h2.alloc(4080, 's')]).toEqual([16, 61456]);
});

test('fmtValue names values as messages need them', () => {
  const cases: [unknown, string][] = [
    [NaN, 'NaN'],
    [-0, '-0'],
    [-Infinity, '-Infinity'],
    ['a', '"a"'],
    [10n, '10n'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, [2, [3, [4]]]], '[1, [2, […2 items]]]'],
    [{ length: 3 }, '{length: 3}'],
    [new Float32Array([1, 2]), 'Float32Array [1, 2]'],
    [Array.from({ length: 10 }, (_, i) => i), '[0, 1, 2, 3, 4, 5, 6, 7, … (10 items)]'],
    [new Map(), 'a Map'],
    [new ArrayBuffer(1), 'an ArrayBuffer'],
    [function named() {}, 'a function (named)'],
    ['x'.repeat(50), `"${'x'.repeat(40)}…"`],
  ];
  for (const [v, s] of cases) expect(fmtValue(v)).toBe(s);
  expect(fmtValue(wg.ones([2, 3], { dtype: 'int32' }))).toBe('Tensor([2, 3], int32)');
});

test('init refuses bad options and bad modules with typed errors', async () => {
  await expect(wg.init(any('x'))).rejects.toBeInstanceOf(ValueError);
  const { WasmBackend } = await import('../src/engine/backend/wasm.js');
  await expect(WasmBackend.create(any(5))).rejects.toThrow(/^wasmgrad\.init: wasm must be a URL, a path, bytes .* got 5$/);
  const bad = WasmBackend.create(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
  await expect(bad).rejects.toBeInstanceOf(BackendError);
  await expect(bad).rejects.toThrow(/^wasmgrad\.init: could not load the WebAssembly module from the bytes given: /);
  await expect(WasmBackend.create('/nonexistent/wasmgrad.wasm')).rejects.toThrow(
    /^wasmgrad\.init: could not load the WebAssembly module from file:\/\/\/nonexistent\/wasmgrad\.wasm: .*ENOENT/,
  );
});

test('src/ throws no untyped errors: no new Error(, TypeError or thrown strings outside src/errors.ts', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk('src');
  const offenders: string[] = [];
  for (const file of files) {
    if (file === join('src', 'errors.ts')) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/new (Type|Range)?Error\(|throw ['"`]|\bError\(`/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});
