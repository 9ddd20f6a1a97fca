/**
 * The fuzzer's graphs (test/helpers/fuzz.ts): every node is a leaf tensor or one call of the public
 * API (a Tensor method or a `wg.*` function) on earlier nodes, kept as data so that the same node
 * is printed as code and run on either backend.
 */
import * as wg from '../../src/index.js';
import type { BackendName } from '../../src/engine/backend/types.js';
import type { Domain, InputSpec } from '../../src/ops/types.js';
import { makeData, rng } from './harness.js';

/** An earlier node among a call's arguments. */
export class Ref {
  constructor(readonly id: number) {}
}
export type Arg = number | boolean | string | null | Ref | readonly Arg[] | { readonly [k: string]: Arg };

/** The nodes an argument refers to, added to acc. */
export function refsIn(a: Arg, acc: Ref[] = []): Ref[] {
  if (a instanceof Ref) acc.push(a);
  else if (Array.isArray(a)) a.forEach((x) => refsIn(x, acc));
  else if (a !== null && typeof a === 'object') Object.values(a).forEach((x) => refsIn(x as Arg, acc));
  return acc;
}

/**
 * The branch every element takes at the op's kinks (where its derivative jumps or its output
 * switches: relu at 0, the winner of a max, a comparison), from one run's values (`self` is the
 * call's own id). Float32 rounding can push an input to the other side of a kink: a run is
 * compared with the reference only where both took the same branches.
 */
export type Branches = (values: (id: number) => Float64Array, self: number) => number[];

interface NodeInfo {
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Bounds of every value: the domains of later ops, and magnitudes kept small. */
  lo: number;
  hi: number;
  /** A gradient flows into it. */
  grad: boolean;
}
export interface LeafNode extends NodeInfo {
  kind: 'leaf';
  /** How its values are drawn (harness.ts makeData). */
  spec: InputSpec;
}
export interface CallNode extends NodeInfo {
  kind: 'call';
  /** A Tensor method called on `self`, or a path under the wg namespace ('wg.cat', 'wg.losses.mse'). */
  fn: string;
  self?: number;
  args: Arg[];
  branches?: Branches;
}
export type Node = LeafNode | CallNode;

export interface Graph {
  seed: number;
  nodes: Node[];
  /** The scalar that backward() starts from. */
  loss: number;
}

export function nodeName(g: Graph, id: number): string {
  const n = g.nodes[id];
  return `${n.kind === 'call' ? 't' : n.grad ? 'x' : 'c'}${id}`;
}

/** The leaves' values of one attempt: float32-rounded (int32 exact), so both backends see the same inputs. */
export function leafValues(g: Graph, attempt: number): Float64Array[] {
  const u = rng(((g.seed * 0x9e3779b1) ^ (attempt * 0x85ebca6b)) >>> 0);
  return g.nodes.map((n) => (n.kind === 'leaf' ? makeData(n.spec, u) : new Float64Array(0)));
}

/** Shortest decimal that reads back as the same float32. */
function fmtNum(x: number): string {
  for (let p = 1; p < 17; p++) {
    const s = Number(x.toPrecision(p));
    if (Math.fround(s) === x) return String(s);
  }
  return String(x);
}

function fmtArg(g: Graph, a: Arg): string {
  if (a instanceof Ref) return nodeName(g, a.id);
  if (typeof a === 'number') return fmtNum(a);
  if (typeof a === 'string') return `'${a}'`;
  if (a === null || typeof a === 'boolean') return String(a);
  if (Array.isArray(a)) return `[${a.map((x) => fmtArg(g, x)).join(', ')}]`;
  return `{ ${Object.entries(a)
    .map(([k, v]) => `${k}: ${fmtArg(g, v)}`)
    .join(', ')} }`;
}

/** Leaves printed with their values up to this many elements, larger ones as leaf[id]. */
const INLINE_VALUES = 8;

/**
 * The graph as code: one const per node, then the backward pass; it runs as pasted, given wg and
 * (for leaves too large to print) fuzzGraph and leafValues from test/helpers/fuzz.ts.
 */
export function printGraph(g: Graph, values: Float64Array[], attempt: number): string {
  const inline = (id: number) => values[id].length <= INLINE_VALUES;
  const lines = [`// fuzz seed ${g.seed}`];
  if (g.nodes.some((n, id) => n.kind === 'leaf' && !inline(id))) lines.push(`const leaf = leafValues(fuzzGraph(${g.seed}), ${attempt});`);
  g.nodes.forEach((n, id) => {
    let rhs: string;
    if (n.kind === 'leaf') {
      const data = inline(id) ? fmtArg(g, Array.from(values[id])) : `leaf[${id}]`;
      const opts = [`shape: ${fmtArg(g, n.shape)}`, ...(n.grad ? ['requiresGrad: true'] : []), ...(n.dtype === 'int32' ? ["dtype: 'int32'"] : [])];
      rhs = `wg.tensor(${data}, { ${opts.join(', ')} }); // ${fmtDomain(n.spec)}`;
    } else rhs = `${n.self === undefined ? n.fn : `${nodeName(g, n.self)}.${n.fn}`}(${n.args.map((a) => fmtArg(g, a)).join(', ')});`;
    lines.push(`const ${nodeName(g, id)} = ${rhs}`);
  });
  lines.push(`${nodeName(g, g.loss)}.backward();`);
  return lines.join('\n');
}

function fmtDomain(s: InputSpec): string {
  if (s.dtype === 'int32') return `int32 in ${s.int![0]}..${s.int![1] - 1}`;
  const d: Domain = s.domain ?? 'any';
  return Array.isArray(d) ? `in [${d.join(', ')}]` : d;
}

export interface Run {
  /** Every node's values and shape (up to a failing call). */
  values: Float64Array[];
  shapes: number[][];
  /** Leaf gradients after one backward pass (null: none reached the leaf), and after a second one added to them. */
  grads: (Float64Array | null)[];
  twice: (Float64Array | null)[];
  /** What threw, and at which node. */
  error?: string;
}

const resolve = (a: Arg, ts: wg.Tensor[]): unknown =>
  a instanceof Ref
    ? ts[a.id]
    : Array.isArray(a)
      ? a.map((x) => resolve(x, ts))
      : a !== null && typeof a === 'object'
        ? Object.fromEntries(Object.entries(a).map(([k, v]) => [k, resolve(v as Arg, ts)]))
        : a;

function invoke(n: CallNode, ts: wg.Tensor[]): wg.Tensor {
  const args = n.args.map((a) => resolve(a, ts));
  if (n.self !== undefined) return (ts[n.self] as unknown as Record<string, (...a: unknown[]) => wg.Tensor>)[n.fn](...args);
  let f: unknown = wg;
  for (const part of n.fn.split('.').slice(1)) f = (f as Record<string, unknown>)[part];
  return (f as (...a: unknown[]) => wg.Tensor)(...args);
}

/**
 * Runs the graph on `backend`: forward, then two backward passes, the first keeping the graph.
 * With `held`, forward only, and the nodes it maps are made from the given values instead (as
 * constants: no gradient).
 */
export function runGraph(g: Graph, backend: BackendName, leaves: Float64Array[], held?: ReadonlyMap<number, Float64Array>): Run {
  wg.setBackend(backend);
  wg.manualSeed(g.seed); // dropout masks: the same stream on both backends
  const run: Run = { values: [], shapes: [], grads: [], twice: [] };
  const ts: wg.Tensor[] = [];
  let at = 'backward';
  try {
    g.nodes.forEach((n, id) => {
      at = nodeName(g, id);
      const values = n.kind === 'leaf' ? leaves[id] : held?.get(id);
      const t = values ? wg.tensor(values, { shape: n.shape, dtype: n.dtype, requiresGrad: n.kind === 'leaf' && n.grad }) : invoke(n as CallNode, ts);
      ts.push(t);
      run.values.push(Float64Array.from(t.rawValues()));
      run.shapes.push([...t.shape]);
    });
    if (held) return run;
    at = 'backward';
    const grads = () => ts.map((t, id) => (g.nodes[id].kind === 'leaf' && t.grad ? Float64Array.from(t.grad.rawValues()) : null));
    ts[g.loss].backward(undefined, { retainGraph: true });
    run.grads = grads();
    ts[g.loss].backward();
    run.twice = grads();
  } catch (e) {
    run.error = `${at}: ${(e as Error).message}`;
  }
  return run;
}
