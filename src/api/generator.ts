/**
 * torch.Generator: a random stream of its own, and torch.default_generator, the global one
 * (wg.manualSeed's). Every random function here draws from the global stream (JavaScript draws and
 * the WebAssembly kernels alike), so a call given `{ generator: g }` runs with g's state swapped
 * into the global stream's place and swapped back after: the call's draws advance g and leave the
 * global stream as it was. Values are sfc32's (src/random.ts), not torch's Mersenne Twister.
 */
import { isRecord } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { CompileError, ValueError, fmtValue } from '../errors.js';
import {
  checkRngState,
  checkSeed,
  getRngState,
  initialSeed,
  manualSeed,
  nondeterministicSeed,
  restoreStream,
  saveStream,
  seed as seedGlobal,
  setRngState,
  sfc32State,
} from '../random.js';

/** torch's default seed of a new Generator (c10's default_rng_seed_val). */
const DEFAULT_SEED = 67280421310721;

/** The state of each Generator of its own; the default generator has none: it is the global stream. */
const streams = new WeakMap<Generator, { words: Int32Array; seed: number }>();

export class Generator {
  /** torch.Generator(device = 'cpu'): a stream of its own, seeded with torch's default seed. */
  constructor(device: string = 'cpu') {
    if (device !== 'cpu') throw new ValueError('Generator', `wasmgrad computes on the CPU: the device must be 'cpu', got ${fmtValue(device)}`);
    streams.set(this, { words: sfc32State(DEFAULT_SEED), seed: DEFAULT_SEED });
  }

  get device(): 'cpu' {
    return 'cpu';
  }

  /** Seeds the stream; returns the generator (torch's g.manual_seed(s)). */
  manualSeed(seed: number): this {
    const own = streams.get(this);
    if (own === undefined) manualSeed(seed);
    else {
      own.words = sfc32State(checkSeed('Generator.manualSeed', seed));
      own.seed = seed;
    }
    return this;
  }

  /** Seeds the stream from a non-deterministic source and returns the seed (torch's g.seed()). */
  seed(): number {
    if (!streams.has(this)) return seedGlobal();
    const s = nondeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /** The seed the stream started from (torch's g.initial_seed()). */
  initialSeed(): number {
    return streams.get(this)?.seed ?? initialSeed();
  }

  /** The stream's state: 4 unsigned 32-bit words, a copy (torch's g.get_state(), in wg.getRngState's form). */
  getState(): Uint32Array {
    const own = streams.get(this);
    return own === undefined ? getRngState() : Uint32Array.from(own.words);
  }

  /** Sets the stream's state to one getState returned; returns the generator (torch's g.set_state). */
  setState(state: ArrayLike<number>): this {
    const own = streams.get(this);
    if (own === undefined) setRngState(state);
    else own.words = checkRngState('Generator.setState', state);
    return this;
  }
}

/** torch.default_generator: the global stream (wg.manualSeed, wg.getRngState) as a Generator (no own state). */
export const defaultGenerator: Generator = /* @__PURE__ */ Object.create(Generator.prototype) as Generator;

/** f run with `g`'s stream in the global stream's place (g null or the default generator: the global stream itself). */
export function withGenerator<T>(fn: string, g: Generator | null | undefined, f: () => T): T {
  if (g === null || g === undefined) return f();
  if (!(g instanceof Generator)) throw new ValueError(fn, `generator must be a wg.Generator or null, got ${fmtValue(g)}`);
  const own = streams.get(g);
  if (own === undefined) return f();
  // A compiled step replays its kernels with the global stream: the swap is JavaScript it would not see.
  if (sink.mode !== 'off')
    throw new CompileError(
      fn,
      'a generator is swapped in by JavaScript, which a compiled step does not re-run: draw from the global stream (wg.manualSeed) inside wg.compile',
    );
  const global = saveStream();
  restoreStream(own.words);
  try {
    return f();
  } finally {
    own.words = saveStream();
    restoreStream(global);
  }
}

/**
 * A random function that also takes torch's `generator` keyword: in the trailing options object
 * (`wg.randn(2, 3, { generator: g })`, `x.uniform_(0, 1, { generator: g })`). The key is taken out
 * (an object left empty is dropped) and the call runs on the generator's stream.
 */
export function acceptGenerator<F extends (...args: never[]) => unknown>(name: string, impl: F): WithGenerator<F> {
  const call = impl as unknown as (...a: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const last = args[args.length - 1];
    if (!isRecord(last) || !('generator' in last)) return call.apply(this, args);
    const { generator, ...rest } = last as { generator?: unknown };
    const callArgs = Object.keys(rest).length > 0 ? [...args.slice(0, -1), rest] : args.slice(0, -1);
    return withGenerator(name, generator as Generator | null, () => call.apply(this, callArgs));
  };
  return wrapped as unknown as WithGenerator<F>;
}

/** torch's `generator` keyword, in the options object a random function takes last. */
export interface GeneratorOption {
  generator?: Generator | null;
}

/** F's own signatures, and any of its calls with `{ generator }` last (TypeScript sees the key; the call's other arguments are F's). */
export type WithGenerator<F extends (...args: never[]) => unknown> = F & ((...args: [...unknown[], GeneratorOption]) => ReturnType<F>);
