/**
 * The random functions that take torch's `generator` keyword (`wg.randn(2, 3, { generator: g })`),
 * as they are exported: each is its implementation run on the generator's stream (generator.ts).
 */
import { rand as randImpl, randn as randnImpl } from './creation.js';
import { bernoulli as bernoulliImpl, randint as randintImpl } from './factories.js';
import { randperm as randpermImpl } from './convenience.js';
import { binomial as binomialImpl, normal as normalImpl, poisson as poissonImpl } from './sampling.js';
import { multinomial as multinomialImpl } from './torch-forms.js';
import { acceptGenerator } from './generator.js';

export const rand = /* @__PURE__ */ acceptGenerator('rand', randImpl);
export const randn = /* @__PURE__ */ acceptGenerator('randn', randnImpl);
export const randint = /* @__PURE__ */ acceptGenerator('randint', randintImpl);
export const randperm = /* @__PURE__ */ acceptGenerator('randperm', randpermImpl);
export const bernoulli = /* @__PURE__ */ acceptGenerator('bernoulli', bernoulliImpl);
export const multinomial = /* @__PURE__ */ acceptGenerator('multinomial', multinomialImpl);
export const normal = /* @__PURE__ */ acceptGenerator('normal', normalImpl);
export const poisson = /* @__PURE__ */ acceptGenerator('poisson', poissonImpl);
export const binomial = /* @__PURE__ */ acceptGenerator('binomial', binomialImpl);
