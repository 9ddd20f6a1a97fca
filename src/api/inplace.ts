/**
 * PyTorch's in-place methods (x.relu_(), h.mul_(mask), s.maskedFill_(m, -Infinity), t.indexAdd_(…),
 * x.t_()): each one is its out-of-place method, x.name(...args), whose result then becomes x.
 * src/api/methods.ts installs them from the lists below, in one loop.
 *
 * As PyTorch: the result must have x's shape (a broadcast that would grow x is a ShapeError), a
 * float32 result is not written into an int32 x (a DTypeError), comparisons and logical ops write
 * their 0/1 in x's own dtype, and a leaf that requires grad is refused outside wg.noGrad.
 *
 * Autograd: when gradients are recorded and x requires grad (a computed tensor) or the result does
 * (h.mul_(w) with w a parameter), x takes over the result, its block and its graph node
 * (Tensor.takeOver): x's former value stays in its own block, untouched, for the graph edges
 * recorded before, so `a = x.mul(2); b = a.exp(); a.add_(1)` backpropagates through both.
 * Otherwise the result is written into x's block (its storage version bumped: a graph that saved
 * x refuses to backpropagate through the overwritten value, as PyTorch).
 */
import { isGradEnabled } from '../engine/engine.js';
import type { Tensor, TensorLike } from '../engine/tensor.js';
import { AutogradError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { sameShape } from '../ops/types.js';
import { constant } from './creation.js';
import { where } from './integer.js';
import { copyChecked, copyInto, copySource, reshape } from './shape.js';

/** The result written as it is: same shape, and no float32 into int32. */
export const IN_PLACE_VALUES = [
  'abs',
  'absolute',
  'acos',
  'acosh',
  'add',
  'addbmm',
  'addcdiv',
  'addcmul',
  'addmm',
  'addmv',
  'addr',
  'arccos',
  'arccosh',
  'arcsin',
  'arcsinh',
  'arctan',
  'arctan2',
  'arctanh',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'baddbmm',
  'bitwiseAnd',
  'bitwiseLeftShift',
  'bitwiseNot',
  'bitwiseOr',
  'bitwiseRightShift',
  'bitwiseXor',
  'ceil',
  'clamp',
  'clampMax',
  'clampMin',
  'clip',
  'conjPhysical',
  'copysign',
  'cos',
  'cosh',
  'cumprod',
  'cumsum',
  'deg2rad',
  'digamma',
  'div',
  'divide',
  'erf',
  'erfc',
  'erfinv',
  'exp',
  'exp2',
  'expm1',
  'fix',
  'floor',
  'floorDivide',
  'fmod',
  'frac',
  'gcd',
  'heaviside',
  'hypot',
  'i0',
  'igamma',
  'igammac',
  'indexAdd',
  'indexCopy',
  'indexFill',
  'indexPut',
  'indexReduce',
  'lcm',
  'ldexp',
  'lerp',
  'lgamma',
  'log',
  'log10',
  'log1p',
  'log2',
  'logit',
  'maskedFill',
  'maskedScatter',
  'mul',
  'multiply',
  'mvlgamma',
  'nanToNum',
  'neg',
  'negative',
  'nextafter',
  'polygamma',
  'pow',
  'put',
  'rad2deg',
  'reciprocal',
  'relu',
  'remainder',
  'renorm',
  'round',
  'rsqrt',
  'scatter',
  'scatterAdd',
  'scatterReduce',
  'sgn',
  'sigmoid',
  'sign',
  'sin',
  'sinc',
  'sinh',
  'sqrt',
  'square',
  'sub',
  'subtract',
  'tan',
  'tanh',
  'tril',
  'triu',
  'trueDivide',
  'trunc',
  'xlogy',
] as const;

/** Comparisons and logical ops: their 0/1 written in the tensor's own dtype (copy_'s conversion). */
export const IN_PLACE_CASTS = [
  'eq',
  'ge',
  'greater',
  'greaterEqual',
  'gt',
  'le',
  'less',
  'lessEqual',
  'logicalAnd',
  'logicalNot',
  'logicalOr',
  'logicalXor',
  'lt',
  'ne',
  'notEqual',
] as const;

/** Shape ops: the tensor takes the result's shape (the same elements, in the result's order). */
export const IN_PLACE_SHAPES = ['squeeze', 'swapaxes', 'swapdims', 't', 'transpose', 'unsqueeze'] as const;

export type InPlaceKind = 'values' | 'casts' | 'shapes';

/** Makes `target` the result `r` of its out-of-place method (`fn`: the in-place form called, relu_), by the rules above. */
export function writeInPlace(fn: string, target: Tensor, r: Tensor, kind: InPlaceKind): Tensor {
  if (kind !== 'shapes' && !sameShape(r.shape, target.shape))
    throw new ShapeError(
      fn,
      `output with shape ${fmtShape(target.shape)} doesn't match the broadcast shape ${fmtShape(r.shape)} (an in-place result keeps the tensor's shape)`,
    );
  if (kind === 'values' && target.dtype === 'int32' && r.dtype === 'float32')
    throw new DTypeError(fn, `the result is float32, which cannot be written into this int32 tensor ${fmtShape(target.shape)}`);
  if (isGradEnabled() && (target.requiresGrad || r.requiresGrad)) {
    if (target.isLeaf && target.requiresGrad)
      throw new AutogradError(
        fn,
        `a leaf tensor ${fmtShape(target.shape)} that requires grad is being used in an in-place operation (inside wg.noGrad it is allowed; or work on x.clone())`,
      );
    target.takeOver(r);
    return target;
  }
  if (kind !== 'shapes') return copyInto(target, r);
  copyInto(target, reshape(r, target.shape));
  target.setShape(r.shape);
  return target;
}

/**
 * x made the result r of a function of x (F.relu_(x), nn.ReLU(true)) by writeInPlace's 'values'
 * rules, or x itself when the function returned x unchanged (dropout outside training).
 */
export function becomeResult(fn: string, x: Tensor, r: Tensor): Tensor {
  return r === x ? x : writeInPlace(fn, x, r, 'values');
}

/**
 * x.copy_(src) and the fills built on it (fill_, zero_, uniform_, normal_, bernoulli_), `fn` the
 * one called. Recorded by autograd as PyTorch's copy_ when gradients are recorded and x or src
 * requires grad: x takes over where(true, src, x), src broadcast to x's shape, so src gets the
 * gradient (summed over the broadcast dims) and x's former value a zero one, and x keeps
 * requiring grad after zero_() as in PyTorch. Otherwise src is written into x's block.
 */
export function assign(fn: string, target: Tensor, src: TensorLike): Tensor {
  const s = copySource(fn, target, src);
  if (isGradEnabled() && (target.requiresGrad || s.requiresGrad))
    return writeInPlace(fn, target, where(constant(1, target.storage.backend), s, target), 'values');
  return copyChecked(target, s);
}
