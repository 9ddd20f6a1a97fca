/** The KL pair torch 1.13 registers for Dirichlet, registered by `registerDirichletKl()` (kl-builtin.ts's BUILTINS). */
import type { Tensor } from '../engine/tensor.js';
import { Dirichlet } from './dirichlet.js';
import { registerKl } from './kl.js';

/** lgamma(Σp) − lgamma(Σq) − Σ(lgamma p − lgamma q) + Σ(p − q)·(ψ(p) − ψ(Σp)), of the concentrations. */
function klDirichletDirichlet(p: Dirichlet, q: Dirichlet): Tensor {
  const a = p.concentration,
    b = q.concentration;
  const sumA = a.sum(-1),
    sumB = b.sum(-1);
  const t1 = sumA.lgamma().sub(sumB.lgamma());
  const t2 = a.lgamma().sub(b.lgamma()).sum(-1);
  const t4 = a.digamma().sub(sumA.digamma().unsqueeze(-1));
  return t1.sub(t2).add(a.sub(b).mul(t4).sum(-1));
}

export function registerDirichletKl(): void {
  registerKl(Dirichlet, Dirichlet, klDirichletDirichlet);
}
