/**
 * Seeded random streams. sfc32: small, fast, passes PractRand. The global stream (wg.manualSeed)
 * gives the same parameters, shuffles and dropout seeds on both backends; fit makes local ones.
 * Its state is 4 words [a, b, c, d]: a plain array until wg.init() moves them into WASM memory
 * (moveStream), where the WebAssembly dropout kernel advances them with the same step as
 * sfc32Next when it runs (assembly/kernels/shape.ts), so JS draws and kernel draws form one stream.
 */
import { ValueError, fmtValue } from './errors.js';

/** One sfc32 step: advances the state s = [a, b, c, d] in place and returns 32 random bits (unsigned). */
export function sfc32Next(s: Int32Array): number {
  const a = s[0],
    b = s[1],
    c = s[2],
    d = s[3];
  const t = (((a + b) | 0) + d) | 0;
  s[0] = b ^ (b >>> 9);
  s[1] = (c + (c << 3)) | 0;
  s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
  s[3] = (d + 1) | 0;
  return t >>> 0;
}

/** The state of sfc32 seeded with `seed` (its upper bits folded into d), after 15 discarded steps. */
export function sfc32State(seed: number): Int32Array {
  const s = Int32Array.of(0x9e3779b9, 0x243f6a88, 0xb7e15162, (seed >>> 0) ^ Math.floor(seed / 2 ** 32));
  for (let i = 0; i < 15; i++) sfc32Next(s);
  return s;
}

/** A sfc32 generator seeded with `seed`: each call returns 32 random bits as an unsigned integer. */
export function sfc32(seed: number): () => number {
  const s = sfc32State(seed);
  return () => sfc32Next(s);
}

let words = sfc32State(0);
/** Re-makes the view of the state's home after WASM memory grew (which detaches old views: length 0). */
let rehome: () => Int32Array = () => words;

/** The global stream's state where it lives now. */
function state(): Int32Array {
  if (words.length === 0) words = rehome();
  return words;
}

/** Moves the global stream's state (its current value) into the 4 words `view()` returns; `view` is called again when they detach. */
export function moveStream(view: () => Int32Array): void {
  const home = view();
  home.set(state());
  words = home;
  rehome = view;
}

/** A copy of the global stream's state (wg.compile places the stream where an eager kernel would find it). */
export function saveStream(): Int32Array {
  return Int32Array.from(state());
}

/** Sets the global stream's state to a saved one. */
export function restoreStream(saved: Int32Array): void {
  state().set(saved);
}

/** f run with the global stream left as it was: modules built only to be overwritten (a lazy module's probe, a fused copy) draw nothing. */
export function withoutDraws<T>(f: () => T): T {
  const saved = saveStream();
  try {
    return f();
  } finally {
    restoreStream(saved);
  }
}

/**
 * The global stream's state (as torch.get_rng_state): 4 unsigned 32-bit words, a copy. Restoring
 * it with setRngState replays the same random numbers: parameters, shuffles and dropout masks.
 */
export function getRngState(): Uint32Array {
  return Uint32Array.from(state());
}

/** Sets the global stream's state to one getRngState returned (4 integers in [0, 2^32)). */
export function setRngState(s: ArrayLike<number>): void {
  state().set(checkRngState('setRngState', s));
}

/** The 4 words of a stream state, validated: a ValueError naming `fn` otherwise. */
export function checkRngState(fn: string, s: unknown): Int32Array {
  const ok = (s instanceof Uint32Array || s instanceof Int32Array || Array.isArray(s)) && s.length === 4;
  if (!ok || !Array.from(s as ArrayLike<number>).every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 32))
    throw new ValueError(fn, `a random state is 4 integers in [0, 2^32) as wg.getRngState() returns, got ${fmtValue(s)}`);
  return Int32Array.from(s as ArrayLike<number>, (v) => v | 0);
}

/** The seed the stream started from: 0 at load, else the last given to manualSeed or drawn by seed(). */
let lastSeed = 0;

/** A seed as manualSeed takes it: a finite number (a ValueError naming `fn` otherwise). */
export function checkSeed(fn: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ValueError(fn, `seed must be a finite number, got ${fmtValue(seed)}`);
  return seed;
}

export function manualSeed(seed: number): void {
  state().set(sfc32State(checkSeed('manualSeed', seed)));
  lastSeed = seed;
}

/** The seed the global stream started from (torch.initial_seed): 0 until manualSeed or seed() sets one. */
export function initialSeed(): number {
  return lastSeed;
}

/**
 * Saves the global stream's state and its initial seed; the function returned puts both back
 * (torch.random.fork_rng restores the generator's whole state, initial_seed() included).
 */
export function forkState(): () => void {
  const saved = saveStream();
  const seedThen = lastSeed;
  return () => {
    restoreStream(saved);
    lastSeed = seedThen;
  };
}

/**
 * Seeds the global stream from a non-deterministic source (torch.seed) and returns the seed, a
 * non-negative safe integer that manualSeed takes to replay the run.
 */
export function seed(): number {
  const s = nondeterministicSeed();
  manualSeed(s);
  return s;
}

/** A seed from a non-deterministic source (crypto.getRandomValues): a non-negative safe integer. */
export function nondeterministicSeed(): number {
  const words = new Uint32Array(2);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(words);
  else words.set([Math.random() * 2 ** 32, Math.random() * 2 ** 32]);
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}

/** Next 32 random bits of the global stream as an unsigned integer. */
export function nextU32(): number {
  return sfc32Next(state());
}

/** Uniform in [0, 1). */
export function uniform(): number {
  return nextU32() / 4294967296;
}

/** Standard normal (Box–Muller; 1 - u keeps the log argument in (0, 1]). */
export function normal(): number {
  const u = 1 - uniform();
  const v = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
