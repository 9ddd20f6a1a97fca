/**
 * wg.einsum(equation, ...operands): Einstein summation lowered to the table's ops, so its gradient
 * is autodiff's through them (PyTorch torch.einsum semantics: explicit `->` output or the implicit
 * one — the labels used once, in alphabetical order, after the `...` dims).
 *
 * The lowering, per operand then pairwise from left to right:
 * 1. a label repeated in one operand (`ii`) takes the diagonal: the operand is multiplied by the
 *    0/1 identity mask of the two dims and summed over the second;
 * 2. a label used by no other operand and not in the output is summed out;
 * 3. two operands contract as one batched matmul: labels in both that are still needed (later
 *    operands or the output) are batch dims, labels in both that are not are the contracted K,
 *    the rest are the rows (left operand) and columns (right operand) of the product;
 * 4. the result is permuted to the output's order.
 * Size-1 dims broadcast against the same label's size in another operand, as PyTorch.
 */
import { checkTensor } from '../engine/check.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import type { Tensor } from '../engine/tensor.js';
import { arange } from './creation.js';
import { eq, mul } from './elementwise.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { permute, reshape } from './shape.js';
import { fmtShape } from '../ops/types.js';

const FN = 'einsum';

/** An operand on its way through the lowering: its tensor and one label per dim. */
interface Term {
  t: Tensor;
  labels: string[];
}

/** Parses `equation` into per-operand label lists (ellipsis dims as labels '0', '1', … right-aligned) and the output's. */
function parse(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[] } {
  const eqn = equation.replace(/\s+/g, '');
  const [lhs, rhs, ...extra] = eqn.split('->');
  if (extra.length > 0) throw new ValueError(FN, `the equation has more than one '->': ${fmtValue(equation)}`);
  const terms = lhs.split(',');
  if (terms.length !== operands.length)
    throw new ValueError(FN, `the equation ${fmtValue(equation)} names ${terms.length} operand${terms.length === 1 ? '' : 's'}, got ${operands.length}`);
  const letters = (term: string, what: string): (string | '...')[] => {
    const out: (string | '...')[] = [];
    for (let i = 0; i < term.length; i++) {
      if (term.startsWith('...', i)) {
        if (out.includes('...')) throw new ValueError(FN, `${what} has more than one '...' in ${fmtValue(equation)}`);
        out.push('...');
        i += 2;
      } else if (/[a-zA-Z]/.test(term[i])) out.push(term[i]);
      else throw new ValueError(FN, `invalid character ${fmtValue(term[i])} in ${what} of ${fmtValue(equation)} (labels are letters a-z, A-Z, and '...')`);
    }
    return out;
  };
  const raw = terms.map((t, i) => letters(t, `operand ${i}`));
  // The number of dims '...' stands for in each operand; they align from the right (broadcasting).
  const ellipsis = raw.map((r, i) => {
    const named = r.filter((l) => l !== '...').length;
    const nd = operands[i].ndim;
    if (r.includes('...') ? nd < named : nd !== named)
      throw new ShapeError(FN, `operand ${i} has shape ${fmtShape(operands[i].shape)} (${nd} dims) but its subscripts ${fmtValue(terms[i])} name ${named}`);
    return r.includes('...') ? nd - named : 0;
  });
  const E = Math.max(0, ...ellipsis);
  const expand = (r: (string | '...')[], n: number): string[] => r.flatMap((l) => (l === '...' ? Array.from({ length: n }, (_, k) => String(E - n + k)) : [l]));
  const inputs = raw.map((r, i) => expand(r, ellipsis[i]));
  let output: string[];
  if (rhs === undefined) {
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) if (!/\d/.test(l)) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [
      ...Array.from({ length: E }, (_, k) => String(k)),
      ...[...counts.keys()].filter((l) => counts.get(l) === 1).sort(), // code-unit order: A–Z before a–z, as PyTorch
    ];
  } else {
    const r = letters(rhs, 'the output');
    output = expand(r, r.includes('...') ? E : 0);
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new ValueError(FN, `the output subscript ${fmtValue(l)} appears more than once in ${fmtValue(equation)}`);
      seen.add(l);
      if (!inputs.some((inp) => inp.includes(l)))
        throw new ValueError(FN, `the output subscript ${fmtValue(l)} is not in any operand of ${fmtValue(equation)}`);
    }
  }
  return { inputs, output };
}

/** Checks that each label has one size in every operand, a size 1 broadcasting against another. */
function labelSizes(inputs: readonly string[][], operands: readonly Tensor[], equation: string): void {
  const size = new Map<string, number>();
  inputs.forEach((labels, i) =>
    labels.forEach((l, d) => {
      const n = operands[i].shape[d];
      const had = size.get(l);
      if (had === undefined || had === 1) size.set(l, n);
      else if (n !== 1 && n !== had)
        throw new ShapeError(
          FN,
          `subscript ${/\d/.test(l) ? "'...'" : fmtValue(l)} has size ${had} in one operand and ${n} in operand ${i} (${fmtShape(operands[i].shape)}) of ${fmtValue(equation)}`,
        );
    }),
  );
}

/** Sums `term` over the dims whose labels satisfy `drop` (highest dim first, so the others keep their index). */
function sumOut(term: Term, drop: (l: string) => boolean): Term {
  let { t } = term;
  const labels = [...term.labels];
  for (let d = labels.length - 1; d >= 0; d--) {
    if (!drop(labels[d])) continue;
    t = sum(t, d);
    labels.splice(d, 1);
  }
  return { t, labels };
}

/** Replaces each label repeated within the term by its diagonal (step 1). */
function diagonals(term: Term): Term {
  let { t, labels } = term;
  for (let d2 = labels.length - 1; d2 > 0; d2--) {
    const d1 = labels.indexOf(labels[d2]);
    if (d1 === d2) continue;
    const n = t.shape[d1];
    // mask[i, j] = (i = j), laid along dims d1 and d2 and broadcast over the rest
    const along = (d: number) => arange(n).reshape(t.shape.map((_, k) => (k === d ? n : 1)));
    t = sum(mul(t, eq(along(d1), along(d2))), d2);
    labels = labels.filter((_, k) => k !== d2);
  }
  return { t, labels };
}

/** t permuted so its labels read `order` (no copy when they already do). */
function arrange(term: Term, order: readonly string[]): Tensor {
  const dims = order.map((l) => term.labels.indexOf(l));
  return dims.every((d, k) => d === k) ? term.t : permute(term.t, dims);
}

/** Contracts two terms as one batched matmul (step 3); `keep` are the labels still needed after them. */
function contract(a: Term, b: Term, keep: ReadonlySet<string>): Term {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const inner = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const rows = a.labels.filter((l) => !inB.has(l));
  const cols = b.labels.filter((l) => !a.labels.includes(l));
  // A contracted label of size 1 on one side and n on the other: Σₖ aₖ·b₀ = (Σₖ aₖ)·b₀, so the
  // side with n sums it first (keeping the dim) and K counts it once.
  const sizeIn = (term: Term, l: string) => term.t.shape[term.labels.indexOf(l)];
  const broadcastInner = inner.filter((l) => sizeIn(a, l) !== sizeIn(b, l));
  const K = inner.reduce((p, l) => p * (broadcastInner.includes(l) ? 1 : sizeIn(a, l)), 1);
  const side = (term: Term, ls: readonly string[]): Tensor => {
    let t = arrange(term, [...batch, ...ls]);
    ls.forEach((l, k) => {
      if (broadcastInner.includes(l) && t.shape[batch.length + k] !== 1) t = sum(t, batch.length + k, true);
    });
    return t;
  };
  const A = side(a, [...rows, ...inner]);
  const B = side(b, [...inner, ...cols]);
  const lead = (t: Tensor) => t.shape.slice(0, batch.length);
  const rowSizes = rows.map((l) => sizeIn(a, l)),
    colSizes = cols.map((l) => sizeIn(b, l));
  const count = (ns: readonly number[]) => ns.reduce((p, n) => p * n, 1);
  const out = matmul(reshape(A, [...lead(A), count(rowSizes), K]), reshape(B, [...lead(B), K, count(colSizes)]));
  return { t: reshape(out, [...out.shape.slice(0, batch.length), ...rowSizes, ...colSizes]), labels: [...batch, ...rows, ...cols] };
}

/**
 * Einstein summation over the operands, e.g. `einsum('bij,bjk->bik', a, b)` (batched matmul),
 * `'i,j->ij'` (outer), `'ii->'` (trace), `'ij->ji'` (transpose), `'bn,anm,bm->ba'` (bilinear).
 * Operands may also be passed as one array, as torch.einsum accepts.
 */
export function einsum(equation: string, ...args: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new ValueError(FN, `the equation must be a string, got ${fmtValue(equation)}`);
  const operands = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  if (operands.length === 0) throw new ValueError(FN, 'needs at least one operand');
  operands.forEach((t, i) => checkTensor(FN, `operand ${i}`, t));
  const { inputs, output } = parse(equation, operands);
  labelSizes(inputs, operands, equation); // checks that each label's sizes agree (or broadcast)
  let terms: Term[] = operands.map((t, i) => diagonals({ t, labels: inputs[i] }));
  const neededAfter = (k: number) => new Set([...output, ...terms.slice(k).flatMap((tm) => tm.labels)]);
  // Labels only one operand has and the output lacks are summed out first (smaller products).
  terms = terms.map((tm, i) => sumOut(tm, (l) => !output.includes(l) && !terms.some((o, j) => j !== i && o.labels.includes(l))));
  let acc = terms[0];
  for (let k = 1; k < terms.length; k++) acc = contract(acc, terms[k], neededAfter(k + 1));
  acc = sumOut(acc, (l) => !output.includes(l));
  return arrange(acc, output);
}
