/**
 * How a tensor prints: PyTorch's layout (torch/_tensor_str.py) with our option names —
 *
 *     tensor([[ 0.1000, -2.0000],
 *             [ 3.5000,  4.0000]], requiresGrad=true)
 *
 * One number format for the whole tensor, chosen from its finite values as PyTorch does: integers
 * print as `2.` (int32 as `2`), fixed-point with 4 decimals otherwise, scientific (`1.0000e+05`)
 * when the largest magnitude exceeds 1e8, the smallest nonzero is below 1e-4, or their ratio
 * exceeds 1000 (integers too). Elements are right-aligned to one width, rows wrap at 80 columns, and a tensor of
 * more than 1000 elements is summarised: 3 items at each end of every dim around `...`.
 */
import type { DType } from '../ops/types.js';

const LINE_WIDTH = 80;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 4;

/** What formatTensor needs of a tensor: shape, dtype, values, and the suffix fields. */
export interface Printable {
  shape: readonly number[];
  dtype: DType;
  values: ArrayLike<number>;
  requiresGrad: boolean;
  /** The op that made it, when gradients flow through it (printed as gradFn=<name>). */
  gradFn: string | null;
}

/** e.g. 1.0000e+05 (PyTorch's two-digit exponent). */
function sci(v: number, digits: number): string {
  const [m, e] = v.toExponential(digits).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return null;
}

/** The number format of one tensor (PyTorch's _Formatter), from the values that will print. */
function formatter(values: readonly number[], dtype: DType): (v: number) => string {
  if (dtype === 'int32') return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v !== 0);
  const intMode = finite.every((v) => Number.isInteger(v));
  const max = abs.length > 0 ? Math.max(...abs) : 0;
  const min = abs.length > 0 ? Math.min(...abs) : 0;
  const wide = max / min > 1000 || max > 1e8;
  if (intMode) return (v) => special(v) ?? (wide ? sci(v, PRECISION) : `${v.toFixed(0)}.`);
  const sciMode = wide || min < 1e-4;
  return (v) => special(v) ?? (sciMode ? sci(v, PRECISION) : v.toFixed(PRECISION));
}

/** Index lists of the elements that print along a dim of size n (all, or the summarised ends). */
function shown(n: number, summarise: boolean): (number | null)[] {
  if (!summarise || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)];
}

/** The values that will print (the summary's ends only), so the format ignores hidden extremes. */
function visible(shape: readonly number[], values: ArrayLike<number>, summarise: boolean): number[] {
  const out: number[] = [];
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const walk = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(values[offset]);
      return;
    }
    for (const i of shown(shape[dim], summarise)) if (i !== null) walk(dim + 1, offset + i * strides[dim]);
  };
  walk(0, 0);
  return out;
}

/** PyTorch's repr of a tensor (see the module comment). */
export function formatTensor(t: Printable): string {
  const { shape, values } = t;
  const size = shape.reduce((a, b) => a * b, 1);
  const summarise = size > THRESHOLD;
  const suffix: string[] = [];
  if (t.dtype !== 'float32') suffix.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) suffix.push(`gradFn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffix.push('requiresGrad=true');
  const prefix = 'tensor(';
  let body: string;
  if (size === 0) {
    body = '[]';
    if (shape.length !== 1) suffix.unshift(`size=[${shape.join(', ')}]`);
  } else {
    const fmt = formatter(visible(shape, values, summarise), t.dtype);
    const cells = visible(shape, values, summarise).map(fmt);
    const width = Math.max(...cells.map((c) => c.length));
    const cell = (v: number) => fmt(v).padStart(width);
    if (shape.length === 0) body = fmt(values[0]);
    else {
      const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
      const block = (dim: number, offset: number, indent: number): string => {
        const idx = shown(shape[dim], summarise);
        if (dim === shape.length - 1) {
          const items = idx.map((i) => (i === null ? ' ...' : cell(values[offset + i])));
          // as many items per line as fit in the line width after the indent
          const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
          const lines: string[] = [];
          for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
          return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
        }
        const rows = idx.map((i) => (i === null ? '...' : block(dim + 1, offset + i * strides[dim], indent + 1)));
        return `[${rows.join(`,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`)}]`;
      };
      body = block(0, 0, prefix.length);
    }
  }
  return `${prefix}${body}${suffix.map((s) => `, ${s}`).join('')})`;
}
