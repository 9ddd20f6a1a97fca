/**
 * torch.special's orthogonal polynomials of 1.13 (Chebyshev T, U, V, W and their shifted forms,
 * Hermite H and He, Laguerre L, Legendre P) of x at degree n, as composites: torch's three-term
 * recurrences run `steps` times (an attribute: the largest degree the data needs, read by the public
 * function, src/api/special.ts), each element keeping the term of its own n; the Chebyshev ones take
 * torch's closed trigonometric forms where torch does (|x| < 1 and n above 6 or 8). n is truncated to
 * an integer, n < 0 gives 0. No gradient for either input (torch 1.13 has none).
 */
import { broadcastShapes } from './broadcast.js';
import { TILE } from './special.js';
import { checkIntAtLeast, defineOps, type Builder, type CompositeDef, type Domain, type TestCase } from './types.js';

export interface PolynomialAttrs {
  /** How many terms the recurrence computes: at least the largest n it must reach (0 → none). */
  steps: number;
}

interface Recurrence {
  /** P₁(x). */
  first<T>(b: Builder<T>, x: T): T;
  /** Pₖ₊₁ from Pₖ (q), Pₖ₋₁ (p) and k. */
  next<T>(b: Builder<T>, x: T, q: T, p: T, k: number): T;
  /** torch's closed form for |x| < 1 and n > `above` (Chebyshev only): θ = acos x. */
  trig?: { above: number; f<T>(b: Builder<T>, theta: T, n: T): T };
  /** Evaluated at 2x − 1 (the shifted Chebyshev polynomials). */
  shifted?: boolean;
}

const s2 = <T>(b: Builder<T>, x: T): T => b.op('add', [x, x]);
/** 2x·q − p: the Chebyshev recurrence, shared by T, U, V and W (they differ in P₁). */
const chebyshevNext = <T>(b: Builder<T>, x: T, q: T, p: T): T => b.op('sub', [b.op('mul', [s2(b, x), q]), p]);
const mulN = <T>(b: Builder<T>, n: T, add: number, theta: T): T => b.op('mul', [b.op('add', [n, b.scalar(add)]), theta]);

const T_: Recurrence = {
  first: (_, x) => x,
  next: (b, x, q, p) => chebyshevNext(b, x, q, p),
  trig: { above: 6, f: (b, theta, n) => b.op('cos', [mulN(b, n, 0, theta)]) },
};
const U_: Recurrence = {
  first: (b, x) => s2(b, x),
  next: (b, x, q, p) => chebyshevNext(b, x, q, p),
  trig: { above: 8, f: (b, theta, n) => b.op('div', [b.op('sin', [mulN(b, n, 1, theta)]), b.op('sin', [theta])]) },
};
const half = <T>(b: Builder<T>, theta: T): T => b.op('mul', [theta, b.scalar(0.5)]);
const V_: Recurrence = {
  first: (b, x) => b.op('sub', [s2(b, x), b.scalar(1)]),
  next: (b, x, q, p) => chebyshevNext(b, x, q, p),
  trig: { above: 8, f: (b, theta, n) => b.op('div', [b.op('cos', [mulN(b, n, 0.5, theta)]), b.op('cos', [half(b, theta)])]) },
};
const W_: Recurrence = {
  first: (b, x) => b.op('add', [s2(b, x), b.scalar(1)]),
  next: (b, x, q, p) => chebyshevNext(b, x, q, p),
  trig: { above: 8, f: (b, theta, n) => b.op('div', [b.op('sin', [mulN(b, n, 0.5, theta)]), b.op('sin', [half(b, theta)])]) },
};
/** Hₖ₊₁ = 2x·Hₖ − 2k·Hₖ₋₁. */
const H_: Recurrence = {
  first: (b, x) => s2(b, x),
  next: (b, x, q, p, k) => b.op('sub', [b.op('mul', [s2(b, x), q]), b.op('mul', [p, b.scalar(2 * k)])]),
};
/** Heₖ₊₁ = x·Heₖ − k·Heₖ₋₁. */
const HE_: Recurrence = {
  first: (_, x) => x,
  next: (b, x, q, p, k) => b.op('sub', [b.op('mul', [x, q]), b.op('mul', [p, b.scalar(k)])]),
};
/** Lₖ₊₁ = ((2k + 1 − x)·Lₖ − k·Lₖ₋₁)/(k + 1). */
const L_: Recurrence = {
  first: (b, x) => b.op('sub', [b.scalar(1), x]),
  next: (b, x, q, p, k) =>
    b.op('div', [b.op('sub', [b.op('mul', [b.op('sub', [b.scalar(2 * k + 1), x]), q]), b.op('mul', [p, b.scalar(k)])]), b.scalar(k + 1)]),
};
/** Pₖ₊₁ = ((2k + 1)·x·Pₖ − k·Pₖ₋₁)/(k + 1). */
const P_: Recurrence = {
  first: (_, x) => x,
  next: (b, x, q, p, k) =>
    b.op('div', [b.op('sub', [b.op('mul', [b.op('mul', [x, q]), b.scalar(2 * k + 1)]), b.op('mul', [p, b.scalar(k)])]), b.scalar(k + 1)]),
};

/** The degrees the tests draw: integers 0..12 (trunc of [0, 13)), past the trigonometric thresholds. */
const DEGREES: Domain = [0, 13];
const cases = (xDomain: Domain): TestCase<PolynomialAttrs>[] =>
  [
    [[3], [3]],
    [[5, 7], [7]],
    [
      [TILE + 1, 1],
      [1, 3],
    ],
    [[17], []],
    [[0], [1]],
  ].map(([xs, ns]) => ({
    inputs: [
      { shape: xs, domain: xDomain },
      { shape: ns, domain: DEGREES },
    ],
    attrs: { steps: 12 },
  }));

function polynomial<N extends string>(name: N, r: Recurrence, xDomain: Domain): CompositeDef<PolynomialAttrs, N> {
  return {
    kind: 'composite',
    name,
    arity: 2,
    gradInputs: [],
    doc: `${name}(x, n), torch 1.13's recurrence; n truncated to an integer, 0 for n < 0; no gradient`,
    plan: (ins, { steps }) => {
      checkIntAtLeast(name, 'steps', steps, 0);
      return {
        shape: broadcastShapes(
          name,
          ins.map((m) => m.shape),
        ),
      };
    },
    compose: (b, [x0, n0], { steps }) => {
      const s = (v: number) => b.scalar(v);
      const where = (c: typeof x0, t: typeof x0, f: typeof x0) => b.op('where', [c, t, f]);
      const x = r.shifted ? b.op('sub', [s2(b, b.detach(x0)), s(1)]) : b.detach(x0);
      const n = b.op('trunc', [b.detach(n0)]);
      const is = (k: number) => b.op('eq', [n, s(k)]);
      let [p, q] = [s(1), r.first(b, x)];
      // n = 0 → 1, n = 1 → P₁, n < 0 (and degrees past steps) → 0; then each k keeps Pₖ where n = k
      let out = where(is(0), s(1), where(is(1), q, s(0)));
      for (let k = 1; k < steps; k++) {
        [p, q] = [q, r.next(b, x, q, p, k)];
        out = where(is(k + 1), q, out);
      }
      if (!r.trig) return out;
      const inside = b.op('mul', [b.op('lt', [b.op('abs', [x]), s(1)]), b.op('gt', [n, s(r.trig.above)])]);
      const theta = b.op('acos', [where(inside, x, s(0))]);
      return where(inside, r.trig.f(b, theta, n), out);
    },
    tests: { cases: cases(xDomain) },
  };
}

const shift = (r: Recurrence): Recurrence => ({ ...r, shifted: true });
const CHEBYSHEV_X: Domain = [-1.5, 1.5];
const SHIFTED_X: Domain = [-0.25, 1.25];

export const SPECIAL_POLYNOMIAL_OPS = defineOps(
  polynomial('chebyshevPolynomialT', T_, CHEBYSHEV_X),
  polynomial('chebyshevPolynomialU', U_, CHEBYSHEV_X),
  polynomial('chebyshevPolynomialV', V_, CHEBYSHEV_X),
  polynomial('chebyshevPolynomialW', W_, CHEBYSHEV_X),
  polynomial('shiftedChebyshevPolynomialT', shift(T_), SHIFTED_X),
  polynomial('shiftedChebyshevPolynomialU', shift(U_), SHIFTED_X),
  polynomial('shiftedChebyshevPolynomialV', shift(V_), SHIFTED_X),
  polynomial('shiftedChebyshevPolynomialW', shift(W_), SHIFTED_X),
  polynomial('hermitePolynomialH', H_, [-3, 3]),
  polynomial('hermitePolynomialHe', HE_, [-3, 3]),
  polynomial('laguerrePolynomialL', L_, [-2, 10]),
  polynomial('legendrePolynomialP', P_, CHEBYSHEV_X),
);
