/**
 * The public klDivergence and registerKl: kl.ts's, after the built-in pairs are registered (once,
 * on first use). Registering them in a function the public entry points call, rather than at a
 * module's load, keeps them in bundles whose bundler drops modules imported only for their side
 * effects, and a user's registerKl still comes after the built-ins (so it overrides them, as torch's).
 * A module of further pairs adds its register function to BUILTINS.
 */
import type { Tensor } from '../engine/tensor.js';
import type { Distribution } from './distribution.js';
import { klDivergence as dispatchKl, registerKl as registerPair } from './kl.js';
import { registerContinuousKl } from './kl-continuous.js';
import { registerDirichletKl } from './kl-dirichlet.js';
import { registerDiscreteKl } from './kl-discrete.js';
import { registerTransformedKl } from './kl-transformed.js';
import { registerGumbelParetoKl } from './kl-gumbel-pareto.js';
import { registerLowRankKl } from './kl-lowrank.js';

const BUILTINS: (() => void)[] = [
  registerContinuousKl,
  registerDiscreteKl,
  registerTransformedKl,
  registerDirichletKl,
  registerGumbelParetoKl,
  registerLowRankKl,
];
let registered = false;

function builtins(): void {
  if (registered) return;
  registered = true;
  for (const register of BUILTINS) register();
}

/** KL(p ‖ q), of shape batchShape: the function registered for the most specific pair of their classes (NotImplementedError if none). */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  builtins();
  return dispatchKl(p, q);
}

/** Registers `fn` as KL(p ‖ q) for p of class P and q of class Q (torch's register_kl); `registerKl(P, Q)(fn)` too. */
export const registerKl: typeof registerPair = ((...args: Parameters<typeof registerPair>) => {
  builtins();
  return registerPair(...args);
}) as typeof registerPair;
