/** Numbers, shapes and tensors as torch's reprs print them, for the distributions' messages and toString. */
import { Tensor } from '../engine/tensor.js';

/** x as Python's repr(float): shortest round-trip digits, `1.0`, `1e-05`, `1e+16`, `nan`, `inf`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, e] = x.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = x.toFixed(Math.max(0, (mant.split('.')[1]?.length ?? 0) - exp));
  return s.includes('.') ? s : `${s}.0`;
}

/** A shape as Python's tuple: `()`, `(3,)`, `(2, 3)`. */
export const pyTuple = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

/** A shape as torch.Size prints. */
export const torchSize = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

/** A parameter as torch's Distribution repr shows it: the number of a 0-d tensor, a one-element tensor's repr, else its size. */
export function fmtParam(t: Tensor): string {
  if (t.size !== 1) return torchSize(t.shape);
  return t.ndim === 0 ? pyFloat(t.item()) : String(t);
}

/** A tensor as Python's f"{t}" prints it: a 0-d tensor's number (Tensor.__format__), another tensor's repr. */
export const torchFormat = (t: Tensor): string => (t.ndim === 0 ? pyFloat(t.item()) : String(t));
