/**
 * Fuzzed cross-checks: a random well-typed graph of public ops per seed (fuzz-ops.ts), run on the
 * WASM backend (float32) and the reference backend (float64) with the same leaf values; every
 * node's shape and values and every leaf gradient must agree. test/fuzz.test.ts runs fixed seeds,
 * scripts/fuzz.ts (npm run fuzz) as many as asked.
 */
import { Builder, products, sameShape, size, type Iv } from './fuzz-builder.js';
import { leafValues, nodeName, printGraph, Ref, refsIn, runGraph, type Graph, type Run } from './fuzz-graph.js';
import { FUZZ_OPS, LOSSES } from './fuzz-ops.js';
import { normErr, rng } from './harness.js';

export { leafValues } from './fuzz-graph.js';

/**
 * Normalised error allowed (normErr: max |wasm − ref| / max(1, max |ref|)). One op is held to 2e-5
 * (ops.test.ts). A graph chains up to ~25 calls (the drawn ops, domain helpers, the weighted sum),
 * each adding a few float32 roundings (2⁻²⁴ ≈ 6e-8 relative) to values bounded by ±40, and the
 * gradients travel back through all of them and through sums of up to ~120 terms: 1e-4 leaves
 * room for that growth, while a real bug (a wrong index, a lost or doubled accumulation, a wrong
 * sign) is off by O(1).
 */
export const TOL = 1e-4;
/** Draws of leaf values tried before a graph is given up as always too close to its kinks (skipped). */
const ATTEMPTS = 8;

/** The graph of a seed: 3–12 drawn ops on 1–4 leaves that require grad, sometimes a loss at the end, then a weighted sum. */
export function fuzzGraph(seed: number): Graph {
  const b = new Builder(rng(seed));
  b.leaf(b.shape(0, 4));
  const count = b.int(3, 12);
  for (let made = 0, tries = 0; made < count && tries < 100; tries++) if (b.pickWeighted(FUZZ_OPS).build(b)) made++;
  if (b.chance(0.4)) for (let tries = 0; tries < 10 && !b.pickWeighted(LOSSES).build(b); tries++);
  // L = Σ_r Σ_i w_ri · r_i over the results r that carry a gradient and feed nothing else, fixed
  // random weights w: every element of every result has its own non-trivial gradient.
  const sinks = b.sinks();
  if (sinks.length === 0) sinks.push(new Ref(0)); // the first leaf, used only by comparisons
  const terms = sinks.map((r) => {
    const { shape, lo, hi } = b.node(r),
      w = b.leaf(shape, 'any', false);
    const p = products([lo, hi], [-2, 2]);
    const prod = b.call('mul', r, [w], { shape, iv: p });
    return b.call('sum', prod, [], { shape: [], iv: [size(shape) * p[0], size(shape) * p[1]] });
  });
  const loss = terms.reduce((acc, t) => b.call('add', acc, [t], { shape: [], iv: sumIv(b.iv(acc), b.iv(t)) }));
  return { seed, nodes: b.nodes, loss: loss.id };
}

const sumIv = (a: Iv, c: Iv): Iv => [a[0] + c[0], a[1] + c[1]];

export interface Outcome {
  seed: number;
  /** The graph as code, with the leaf values that ran. */
  code: string;
  /** How the backends differ; empty when they agree. */
  failures: string[];
  /** In every draw of values float32 rounding moved an input across a kink: nothing was compared. */
  skipped: boolean;
  /** The calls of the graph (wg. prefix dropped), for coverage counts. */
  calls: string[];
  /** The largest normalised error between the backends (values and gradients). */
  worst: number;
  /** The directional-derivative error of the reference's gradients (undefined: a step crossed a kink). */
  fd: number | undefined;
}

export function fuzzSeed(seed: number): Outcome {
  const g = fuzzGraph(seed);
  const calls = g.nodes.flatMap((n) => (n.kind === 'call' ? [n.fn.replace(/^wg\./, '')] : []));
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const leaves = leafValues(g, attempt);
    const ref = runGraph(g, 'reference', leaves),
      wasm = runGraph(g, 'wasm', leaves);
    if (ref.error === undefined && wasm.error === undefined && roundingFlip(g, ref, wasm)) continue;
    const { failures, worst } = compare(g, ref, wasm);
    const fd = ref.error === undefined ? directionalError(g, leaves, ref) : undefined;
    if (fd !== undefined && !(fd <= FD_TOL))
      failures.push(`reference gradients vs central differences along a random direction: normalised error ${fd.toExponential(2)}`);
    return { seed, code: printGraph(g, leaves, attempt), failures, skipped: false, calls, worst, fd };
  }
  return { seed, code: printGraph(g, leafValues(g, 0), 0), failures: [], skipped: true, calls, worst: 0, fd: undefined };
}

/** The branches (fuzz-graph.ts Branches) each call with kinks took in a run, by node. */
const branchesIn = (g: Graph, run: Run): number[][] => g.nodes.map((n, id) => (n.kind === 'call' && n.branches ? n.branches((i) => run.values[i], id) : []));
const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, k) => x === b[k]);

/**
 * Whether float32 rounding moved an input across a kink: the first call (in graph order) whose
 * branches differ between the runs has inputs that agree within TOL. Inputs that differ more are
 * a bug upstream, which compare() reports.
 */
function roundingFlip(g: Graph, ref: Run, wasm: Run): boolean {
  const r = branchesIn(g, ref),
    w = branchesIn(g, wasm);
  const n = g.nodes[g.nodes.findIndex((_, id) => !sameList(r[id], w[id]))];
  if (n?.kind !== 'call') return false;
  return refsIn(n.args, n.self === undefined ? [] : [new Ref(n.self)]).every(({ id }) => normErr(wasm.values[id], ref.values[id]) <= TOL);
}

/**
 * Step of the central differences: their float64 rounding error (~1e-16·|L|/h) and truncation
 * error (~h²·|L'''|) both stay near 1e-10 for the losses and derivatives these graphs make.
 */
const FD_STEP = 1e-5;
/** Normalised error allowed between the directional derivative and the reference's gradients. */
export const FD_TOL = 1e-6;

/**
 * The reference's own gradients against central differences of its float64 loss along a random
 * direction d of the leaves that require grad: (L(x + h·d) − L(x − h·d)) / 2h against Σ ∇L·d,
 * normalised by max(1, max |∇L·d|). Both backends share autodiff (record order, fan-out
 * accumulation, overwrite flags), so only this catches its bugs. Undefined when a step crosses a
 * kink (some branch changes).
 */
function directionalError(g: Graph, leaves: Float64Array[], ref: Run): number | undefined {
  const u = rng((g.seed ^ 0x5bd1e995) >>> 0);
  const dir = g.nodes.map((n, id) => (n.kind === 'leaf' && n.grad ? Float64Array.from(leaves[id], () => 2 * u() - 1) : null));
  // Detached results are constants to autodiff: the steps hold them at their values.
  const held = new Map(g.nodes.flatMap((n, id) => (n.kind === 'call' && n.fn === 'detach' ? [[id, ref.values[id]] as const] : [])));
  const step = (sign: number) =>
    runGraph(
      g,
      'reference',
      leaves.map((v, id) => v.map((x, k) => x + sign * FD_STEP * (dir[id]?.[k] ?? 0))),
      held,
    );
  const plus = step(1),
    minus = step(-1),
    base = branchesIn(g, ref);
  if ([plus, minus].some((r) => r.error !== undefined || !branchesIn(g, r).every((b, id) => sameList(b, base[id])))) return undefined;
  const fd = (plus.values[g.loss][0] - minus.values[g.loss][0]) / (2 * FD_STEP);
  let dot = 0,
    scale = 1;
  dir.forEach((d, id) => {
    const gr = ref.grads[id];
    for (let k = 0; d && gr && k < d.length; k++) {
      dot += gr[k] * d[k];
      scale = Math.max(scale, Math.abs(gr[k] * d[k]));
    }
  });
  return Math.abs(fd - dot) / scale;
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Values that differ are reported for the first few nodes: later ones mostly inherit the difference. */
const MAX_VALUE_REPORTS = 3;

/** How the runs differ, and the largest normalised error among the values and gradients compared. */
function compare(g: Graph, ref: Run, wasm: Run): { failures: string[]; worst: number } {
  if (ref.error !== undefined || wasm.error !== undefined)
    return { failures: [`threw: reference at ${ref.error ?? '(nothing)'}; wasm at ${wasm.error ?? '(nothing)'}`], worst: Infinity };
  const failures: string[] = [];
  let worst = 0,
    valueReports = 0;
  const err = (w: Float64Array, r: Float64Array) => {
    const e = normErr(w, r);
    worst = Math.max(worst, e);
    return e <= TOL ? undefined : e.toExponential(2);
  };
  g.nodes.forEach((n, id) => {
    const name = nodeName(g, id),
      rs = ref.shapes[id],
      ws = wasm.shapes[id];
    if (!sameShape(rs, n.shape) || !sameShape(ws, n.shape)) {
      failures.push(`${name}: shape ${fmtShape(ws)} on wasm, ${fmtShape(rs)} on the reference, ${fmtShape(n.shape)} expected`);
      return;
    }
    const e = err(wasm.values[id], ref.values[id]);
    if (e !== undefined && valueReports++ < MAX_VALUE_REPORTS) failures.push(`${name}: values differ, normalised error ${e}`);
    if (n.kind !== 'leaf' || !n.grad) return;
    for (const [what, r, w] of [
      ['grad', ref.grads[id], wasm.grads[id]],
      ['grad after a second backward', ref.twice[id], wasm.twice[id]],
    ] as const) {
      if ((r === null) !== (w === null))
        failures.push(`${name}.${what}: ${w === null ? 'null' : 'set'} on wasm, ${r === null ? 'null' : 'set'} on the reference`);
      const ge = r !== null && w !== null ? err(w, r) : undefined;
      if (ge !== undefined) failures.push(`${name}.${what}: normalised error ${ge}`);
    }
  });
  return { failures, worst };
}
