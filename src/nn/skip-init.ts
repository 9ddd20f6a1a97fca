/** torch.nn.utils.skip_init and torch.nn.utils.rnn.invert_permutation. */
import { argsort } from '../api/functional.js';
import { checkFunction, checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { withoutDraws } from '../random.js';
import { Module } from './module.js';

/**
 * torch.nn.utils.skip_init(module_cls, *args): the module built from args without its initialisers'
 * random draws, so the seeded stream (wg.manualSeed) is where it was. torch returns it with
 * uninitialised memory; here every parameter and buffer holds zeros (still to be initialised or
 * loaded by the caller, as with torch).
 */
export function skipInit<M extends Module, A extends unknown[]>(moduleClass: new (...args: A) => M, ...args: A): M {
  const fn = 'nn.utils.skipInit';
  checkFunction(fn, 'moduleClass', moduleClass);
  if (!(moduleClass.prototype instanceof Module)) throw new ValueError(fn, `expected a Module class, got ${fmtValue(moduleClass)}`);
  const m = withoutDraws(() => new moduleClass(...args));
  noGrad(() => {
    for (const t of [...m.parameters(), ...m.buffers()]) t.zero_();
  });
  return m;
}

/**
 * torch.nn.utils.rnn.invert_permutation(p): q with q[p[i]] = i (null for null), i.e. argsort of p.
 * p must be a 1-D int32 permutation of 0..n−1, checked (torch does not check and returns garbage).
 */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  const fn = 'nn.utils.rnn.invertPermutation';
  if (permutation === null) return null;
  checkTensor(fn, 'permutation', permutation);
  if (permutation.ndim !== 1) throw new ShapeError(fn, `permutation must be 1-D, got shape ${fmtShape(permutation.shape)}`);
  if (permutation.dtype !== 'int32') throw new DTypeError(fn, `permutation must be int32, got ${permutation.dtype}`);
  const v = permutation.values();
  const seen = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= v.length || seen[v[i]] === 1)
      throw new ValueError(fn, `permutation must hold each of 0..${v.length - 1} once, got ${v[i]} at position ${i}`);
    seen[v[i]] = 1;
  }
  return argsort(permutation);
}
