/**
 * Builds a fuzz graph (fuzz-graph.ts) node by node: leaves, calls with the bookkeeping every op
 * needs (value bounds, which nodes carry a gradient), operand picking that reuses
 * nodes (fan-out) or makes new leaves, and the shape and interval helpers of the op catalogue.
 */
import type { Domain } from '../../src/ops/types.js';
import { Ref, refsIn, type Arg, type Branches, type Node } from './fuzz-graph.js';

/** Values stay within ±LIMIT: float32 rounding stays far below the tolerance, and exp(x) stays finite. */
export const LIMIT = 40;
/** Elements per tensor at most, so that the reference backend stays fast. */
export const MAX_SIZE = 120;
/** Leaves that require a gradient, at most (later leaves are constants). */
const MAX_GRAD_LEAVES = 4;

export type Iv = [number, number];
/** A second operand: a node, or a number broadcast as a scalar. */
export type Operand = Ref | number;

export const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
/** The larger magnitude of an interval. */
export const mag = ([lo, hi]: Iv) => Math.max(Math.abs(lo), Math.abs(hi));
export const fits = (iv: Iv) => mag(iv) <= LIMIT; // false for NaN
export const hull = (...ivs: Iv[]): Iv => [Math.min(...ivs.map((v) => v[0])), Math.max(...ivs.map((v) => v[1]))];
/** Bounds of x·y for x, y in the intervals. */
export function products(a: Iv, b: Iv): Iv {
  const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  return [Math.min(...p), Math.max(...p)];
}

/** NumPy broadcasting of two shapes, or null where they do not broadcast (0 against 1 gives 0). */
export function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1,
      y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** dim in 0..r−1 for a tensor of rank r (0-d tensors take 0 and −1, as rank 1). */
export const normDim = (dim: number, rank: number) => (dim < 0 ? dim + Math.max(rank, 1) : dim);

const DOMAIN_BOUNDS: Record<Exclude<Domain, [number, number]>, Iv> = {
  any: [-2, 2],
  positive: [0.2, 2],
  unit: [0.05, 0.95],
  awayFromZero: [-2, 2],
  mask: [0, 1],
};

interface Out {
  shape: number[];
  iv: Iv;
  dtype?: 'float32' | 'int32';
  /** Overrides "a gradient flows in when one flows into an input" (comparisons carry none). */
  grad?: boolean;
  branches?: Branches;
}

export class Builder {
  readonly nodes: Node[] = [];
  private readonly uses: number[] = [];
  private gradLeaves = 0;

  constructor(private readonly u: () => number) {}

  /** An integer in lo..hi. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.u() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.u() * xs.length)];
  }
  /** A random one of xs, each as likely as its weight. */
  pickWeighted<T extends { weight: number }>(xs: readonly T[]): T {
    let r = this.u() * xs.reduce((a, x) => a + x.weight, 0);
    for (const x of xs) if ((r -= x.weight) < 0) return x;
    return xs[xs.length - 1];
  }
  /** xs in a random order (a new array). */
  shuffle<T>(xs: readonly T[]): T[] {
    const s = [...xs];
    for (let i = s.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [s[i], s[j]] = [s[j], s[i]];
    }
    return s;
  }
  node(r: Ref): Node {
    return this.nodes[r.id];
  }
  iv(o: Operand): Iv {
    return typeof o === 'number' ? [o, o] : [this.node(o).lo, this.node(o).hi];
  }
  shapeOf(o: Operand): number[] {
    return typeof o === 'number' ? [] : this.node(o).shape;
  }

  /** A dim size: mostly 2..5, often 1, sometimes 6..9 (around the 8 lanes of two f32x4 vectors) or 0. */
  dim(): number {
    const r = this.u();
    return r < 0.04 ? 0 : r < 0.25 ? 1 : r < 0.85 ? this.int(2, 5) : this.int(6, 9);
  }
  /** A random shape of rank minRank..maxRank with at most MAX_SIZE elements. */
  shape(minRank: number, maxRank: number): number[] {
    const s = Array.from({ length: this.int(minRank, maxRank) }, () => this.dim());
    while (size(s) > MAX_SIZE) {
      const k = s.indexOf(Math.max(...s));
      s[k] = Math.ceil(s[k] / 2);
    }
    return s;
  }
  /** A shape that broadcasts with s: s itself, a suffix of it, some dims set to 1, or 1-dims widened (the result grows). */
  partnerShape(s: readonly number[]): number[] {
    switch (this.int(0, 3)) {
      case 0:
        return [...s];
      case 1:
        return s.slice(this.int(0, s.length));
      case 2:
        return s.map((d) => (this.chance(0.4) ? 1 : d));
      default: {
        const wide = s.map((d) => (d === 1 && this.chance(0.6) ? this.int(2, 4) : d));
        return size(wide) * 3 <= MAX_SIZE && s.length < 4 && this.chance(0.4) ? [this.int(1, 3), ...wide] : wide;
      }
    }
  }

  /** A new leaf; it requires a gradient (while fewer than MAX_GRAD_LEAVES do) unless it is a mask or grad is false. */
  leaf(shape: number[], domain: Domain = 'any', grad = true): Ref {
    const g = grad && domain !== 'mask' && this.gradLeaves < MAX_GRAD_LEAVES;
    if (g) this.gradLeaves++;
    const [lo, hi] = Array.isArray(domain) ? domain : DOMAIN_BOUNDS[domain];
    return this.push({ kind: 'leaf', spec: { shape, domain }, shape, dtype: 'float32', lo, hi, grad: g });
  }
  /** A leaf of int32 class ids in 0..classes−1. */
  indices(shape: number[], classes: number): Ref {
    return this.push({ kind: 'leaf', spec: { shape, dtype: 'int32', int: [0, classes] }, shape, dtype: 'int32', lo: 0, hi: classes - 1, grad: false });
  }

  /** Records `self.fn(...args)` (or `fn(...args)` for a wg.* path) with what it yields. */
  call(fn: string, self: Ref | undefined, args: Arg[], out: Out): Ref {
    const inputs = refsIn(args, self ? [self] : []);
    for (const r of inputs) this.uses[r.id]++;
    return this.push({
      kind: 'call',
      fn,
      self: self?.id,
      args,
      shape: out.shape,
      dtype: out.dtype ?? 'float32',
      lo: out.iv[0],
      hi: out.iv[1],
      grad: out.grad ?? inputs.some((r) => this.node(r).grad),
      branches: out.branches,
    });
  }

  private push(n: Node): Ref {
    this.nodes.push(n);
    this.uses.push(0);
    return new Ref(this.nodes.length - 1);
  }

  /**
   * A float node for which ok holds, or undefined: mostly one no call uses yet (the graph grows
   * deeper), else any (fan-out); recent nodes are likelier.
   */
  find(ok: (n: Node) => boolean): Ref | undefined {
    const ids = this.nodes.flatMap((n, id) => (n.dtype === 'float32' && ok(n) ? [id] : []));
    const fresh = ids.filter((id) => this.uses[id] === 0);
    const from = fresh.length > 0 && this.chance(0.7) ? fresh : ids;
    if (from.length === 0) return undefined;
    return new Ref(from[Math.floor(from.length * Math.sqrt(this.u()))]);
  }
  /** Half the time an existing node for which ok holds, else (or when none does) a new leaf of shape(). */
  operand(ok: (n: Node) => boolean, shape: () => number[], domain: Domain = 'any'): Ref {
    return (this.chance(0.5) ? this.find(ok) : undefined) ?? this.leaf(shape(), domain);
  }
  /** A second operand for x in a broadcasting op: x itself, a number, or a node or new leaf whose shape broadcasts with x's. */
  partner(x: Ref): Operand {
    const r = this.u();
    if (r < 0.15) return x;
    if (r < 0.3) return this.pick([0.5, -1.5, 2, 0.25, -0.75, 3]);
    const xs = this.node(x).shape;
    const ok = (n: Node) => {
      const s = broadcast(n.shape, xs);
      return s !== null && size(s) <= MAX_SIZE;
    };
    return this.operand(ok, () => this.partnerShape(xs));
  }

  /** Float results that carry a gradient and feed no later call. */
  sinks(): Ref[] {
    return this.nodes.flatMap((n, id) => (n.dtype === 'float32' && n.grad && this.uses[id] === 0 ? [new Ref(id)] : []));
  }
}
