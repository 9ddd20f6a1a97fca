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
 * more than 1000 elements is summarised: 3 items at each end of every dim around `...`. Those
 * numbers are the defaults of torch's print options (wg.setPrintoptions), ported from
 * torch/_tensor_str.py line by line.
 */
import type { DType } from '../ops/types.js';

/** torch's PRINT_OPTS: what wg.setPrintoptions sets (src/api/printoptions.ts). */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  /** null: chosen per tensor by the formatter; true / false: forced. */
  sciMode: boolean | null;
}

export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });

/** The options in force. */
export const printOptions: PrintOptions = { ...DEFAULT_PRINT_OPTIONS };

/** What formatTensor needs of a tensor: shape, dtype, values, and the suffix fields. */
export interface Printable {
  shape: readonly number[];
  dtype: DType;
  values: ArrayLike<number>;
  requiresGrad: boolean;
  /** The op that made it, when gradients flow through it (printed as gradFn=<name>). */
  gradFn: string | null;
}

/**
 * Python's round-half-even of the exact binary value, where JavaScript's toFixed/toExponential
 * round an exact tie up: `exact` is the value written with many more digits, `short` the one
 * JavaScript rounded to `digits`. A tie shows as a 5 followed by zeros only past the kept digits.
 */
function halfEven(short: string, exact: string, digits: number, mantissa: (s: string) => string): string {
  const m = mantissa(exact);
  const dot = m.indexOf('.');
  const rest = dot < 0 ? '' : m.slice(dot + 1 + digits);
  if (!/^50*$/.test(rest)) return short;
  // a tie: JavaScript rounded away from zero; keep the truncated value when its last digit is even
  const kept = m.slice(0, digits === 0 ? dot : dot + 1 + digits);
  const last = Number(kept[kept.length - 1]);
  return last % 2 === 0 ? exact.replace(m, kept) : short;
}

/** Python's '{:.{p}f}'.format(v). */
function fixed(v: number, p: number): string {
  const short = v.toFixed(p);
  return halfEven(short, v.toFixed(Math.min(100, p + 60)), p, (s) => s);
}

/** Python's '{:.{p}e}'.format(v): 1.0000e+05 (at least two exponent digits). */
function sci(v: number, p: number): string {
  const js = (s: string) => {
    const [m, e] = s.split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  };
  return js(halfEven(v.toExponential(p), v.toExponential(Math.min(100, p + 60)), p, (s) => s.split('e')[0]));
}

/** Python's str of a float: nan, inf, -inf (the only non-finite strings the formatter writes). */
function special(v: number): string | null {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return null;
}

/**
 * torch's _Formatter over the values that print: int_mode (every nonzero finite value an integer),
 * sci_mode (a max/min ratio above 1000, a max above 1e8, or, outside int_mode, a min below 1e-4;
 * overridden by the sciMode option), and max_width, the widest nonzero finite value in the mode
 * chosen before the override (so a forced mode pads to the other's width, as torch). Returns the
 * width and the padded format of one value.
 */
function formatter(values: readonly number[], dtype: DType, o: PrintOptions): { width: number; format: (v: number) => string } {
  let width = 1;
  if (dtype === 'int32') {
    for (const v of values) width = Math.max(width, String(v).length);
    return { width, format: (v) => String(v).padStart(width) };
  }
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sciMode = false;
  if (nz.length > 0) {
    const abs = nz.map(Math.abs);
    const max = Math.max(...abs);
    const min = Math.min(...abs);
    intMode = nz.every((v) => Number.isInteger(v));
    sciMode = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of nz) width = Math.max(width, sciMode ? sci(v, o.precision).length : intMode ? fixed(v, 0).length + 1 : fixed(v, o.precision).length);
  }
  if (o.sciMode !== null) sciMode = o.sciMode;
  const w = width;
  const one = (v: number): string => {
    if (sciMode) return special(v) ?? sci(v, o.precision);
    if (intMode) return special(v) ?? `${fixed(v, 0)}.`;
    return special(v) ?? fixed(v, o.precision);
  };
  return { width, format: (v) => one(v).padStart(w) };
}

/** Index lists of the elements that print along a dim of size n (all, or the summarised ends). */
function shown(n: number, summarise: boolean, e: number): (number | null)[] {
  if (!summarise || n <= 2 * e) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: e }, (_, i) => i), null, ...Array.from({ length: e }, (_, i) => n - e + i)];
}

/** The values that will print (torch's get_summarized_data), so the format ignores hidden extremes. */
function visible(shape: readonly number[], values: ArrayLike<number>, summarise: boolean, e: number): number[] {
  const out: number[] = [];
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const walk = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(values[offset]);
      return;
    }
    for (const i of shown(shape[dim], summarise, e)) if (i !== null) walk(dim + 1, offset + i * strides[dim]);
  };
  walk(0, 0);
  return out;
}

/**
 * torch's _add_suffixes: each suffix goes on the last line after ", " unless that line would pass
 * the line width, then on a line of its own at the indent. (torch counts the last line from its
 * last newline + 1, or as the whole string + 2 when there is none: kept.)
 */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [text];
  let last = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (last + s.length + 2 > linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${s}`);
      last = indent + s.length;
    } else {
      parts.push(`, ${s}`);
      last += s.length + 2;
    }
  }
  return `${parts.join('')})`;
}

/** torch's repr of a tensor (see the module comment), under the print options in force. */
export function formatTensor(t: Printable): string {
  const o = printOptions;
  const { shape, values } = t;
  const size = shape.reduce((a, b) => a * b, 1);
  const summarise = size > o.threshold;
  const e = o.edgeitems;
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
    const { width, format } = formatter(visible(shape, values, summarise, e), t.dtype, o);
    if (shape.length === 0) body = format(values[0]);
    else {
      const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
      const block = (dim: number, offset: number, indent: number): string => {
        const idx = shown(shape[dim], summarise, e);
        if (dim === shape.length - 1) {
          const items = idx.map((i) => (i === null ? ' ...' : format(values[offset + i])));
          // torch's _vector_str: as many items per line as fit in the line width after the indent
          const perLine = Math.max(1, Math.floor((o.linewidth - indent) / (width + 2)));
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
  return addSuffixes(`${prefix}${body}`, suffix, prefix.length, o.linewidth);
}
