/** Checking a function against torch's values and gradients, as the torch scripts quoted in the tests compute them. */
import * as wg from '../../src/index.js';
import { expectClose } from './expect.js';

export type Nested = number | Nested[];
export const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

/**
 * torch's `run(name, f, *leaves)`: y = f(leaves) and the gradients of Σ w·y (w = 1, 2, … over y's
 * elements: `(y * torch.arange(1, y.numel() + 1).reshape(y.shape)).sum().backward()`) against
 * torch's [y, [grads]], within float32 rounding.
 */
export function run(f: (...xs: wg.Tensor[]) => wg.Tensor, inputs: wg.Tensor[], want: [Nested, Nested[]], tol = 2e-6): void {
  const leaves = inputs.map((t) => t.detach().requiresGrad_(true));
  const y = f(...leaves);
  y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();
  expectClose(flat(y.toArray() as Nested), flat(want[0]), tol);
  leaves.forEach((l, i) => expectClose(flat(l.grad!.toArray() as Nested), flat(want[1][i]), tol));
}
