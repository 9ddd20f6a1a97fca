// BatchNorm running statistics (src/ops/optim.ts, batchNormStatsUpdate): a few channels, scalar.
import { IN, OUT, numel, param, paramf, ptr } from '../record';

export function f32_batch_norm_stats_update_fwd(rec: usize): void {
  const rm = ptr(rec, IN), rv = ptr(rec, IN + 1), nbt = ptr(rec, IN + 2), st = ptr(rec, IN + 3), o = ptr(rec, OUT);
  const c = numel(rec);
  const batches = load<i32>(nbt) + 1;
  store<i32>(nbt, batches);
  if (param(rec, 1) == 0) {
    // An empty batch (count 0) is counted, and leaves the averages alone: its statistics are NaN.
    memory.copy(o, rm, <usize>c << 2);
    return;
  }
  // (1 − f, f, f·n/(n − 1)) from the plan, or with f = 1/count for the cumulative average
  // (computed in f64 and rounded once, as the plan does).
  let keep = paramf(rec, 2), take = paramf(rec, 3), takeVar = paramf(rec, 4);
  if (param(rec, 0) == 1) {
    const f = 1.0 / <f64>batches, n = <f64>param(rec, 1);
    keep = <f32>(1 - f);
    take = <f32>f;
    takeVar = <f32>(f * n / (n - 1));
  }
  for (let i = 0; i < c; i++) {
    const p = <usize>i << 2;
    store<f32>(rv + p, keep * load<f32>(rv + p) + takeVar * load<f32>(st + (<usize>(c + i) << 2)));
    store<f32>(o + p, keep * load<f32>(rm + p) + take * load<f32>(st + p));
  }
}
