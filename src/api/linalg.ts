/** matmul and linear as functions. Table: src/ops/linalg.ts. */
import { constant } from './creation.js';
import { expand } from './layout.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { productInt } from './int-moves.js';
import type { LinearOptions, MatmulOptions } from '../ops/linalg.js';
import { op } from '../ops/index.js';

/**
 * Matrix product with PyTorch's `torch.matmul` semantics: [K]·[K] → 0-d, [K]·[…, K, N] → […, N],
 * […, M, K]·[K] → […, M], and […, M, K]·[…, K, N] → […, M, N] with broadcast batch dims
 * ([2, 1, 3, 5]·[4, 5, 6] → [2, 4, 3, 6]). `transposeA` / `transposeB` use an operand's last two
 * dims transposed (as tf.matMul's flags), read in place by the GEMM: `matmul(a, b, { transposeB:
 * true })` is `matmul(a, b.transpose(-2, -1))` without the copy.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const o = checkOptions<MatmulOptions>('matmul', opts, ['transposeA', 'transposeB']);
  if (!(a instanceof Tensor && b instanceof Tensor && a.dtype === 'int32' && b.dtype === 'int32')) return apply(op('matmul'), [a, b], o);
  op('matmul').plan([a, b], o);
  // each output sums a's inner dim of products (its last, or next to last when transposed)
  const k = a.shape[a.ndim - (o.transposeA === true && a.ndim > 1 ? 2 : 1)];
  return productInt('matmul', a, b, k, (x, y) => apply(op('matmul'), [x, y], o));
}

/**
 * PyTorch's `F.linear`: x [..., in]·Wᵀ + b with weight W [out, in] and optional bias b [out], →
 * [..., out]; `activation: 'relu'` applies relu in the same kernel while the output is in
 * registers (and its backward masks by the saved output).
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null, opts: LinearOptions = {}): Tensor {
  checkTensor('linear', 'input', x);
  checkTensor('linear', 'weight', w);
  if (b != null) checkTensor('linear', 'bias', b);
  const o = checkOptions<LinearOptions>('linear', opts, ['activation']);
  // PyTorch's other forms: a 1-D weight [K] without bias is x·w ([..., K] → [...]); a 0-d or
  // one-element bias broadcasts over the outputs (addmm's), expanded here to one per row of w.
  if (w.ndim === 1 && b == null && (o.activation ?? 'none') === 'none' && x.ndim >= 1 && x.shape[x.ndim - 1] === w.shape[0]) return matmul(x, w);
  if (b != null && b.size === 1 && b.ndim <= 1 && w.ndim === 2) b = expand(b, [w.shape[0]]);
  const bias = b ?? constant(0, x.storage.backend);
  if (x.dtype === 'int32' && w.dtype === 'int32' && (b == null || b.dtype === 'int32') && (o.activation ?? 'none') === 'none') {
    op('linear').plan([x, w, bias], { ...o, bias: b != null });
    const y = matmul(x, w, { transposeB: true });
    return b == null ? y : apply(op('intAdd'), [y, b]);
  }
  return apply(op('linear'), [x, w, bias], { ...o, bias: b != null });
}
