// Engine kernels used by autodiff (src/ops/core.ts).
import { numel, OUT, paramf, ptr } from '../record';

/** out[i] = value: zeroes gradient buffers and seeds the root gradient. */
export function f32_fill_fwd(rec: usize): void {
  const o = ptr(rec, OUT), n = numel(rec), x = paramf(rec, 0);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (const v = f32x4.splat(x); i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(o + (<usize>i << 2), x);
}
