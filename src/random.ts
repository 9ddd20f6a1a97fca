/**
 * Seeded random streams. sfc32: small, fast, passes PractRand. The global stream (wg.manualSeed)
 * gives the same parameters, shuffles and dropout seeds on both backends; fit makes local ones.
 */
import { ValueError, fmtValue } from './errors.js';

/** A sfc32 generator seeded with `seed`: each call returns 32 random bits as an unsigned integer. */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

let stream = sfc32(0);

export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ValueError('manualSeed', `seed must be a finite number, got ${fmtValue(seed)}`);
  stream = sfc32(seed);
}

/** Next 32 random bits of the global stream as an unsigned integer. */
export function nextU32(): number {
  return stream();
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
