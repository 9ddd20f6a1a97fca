/**
 * wg.random: torch.random's functions. The seeding and state functions are the top-level ones;
 * forkRng is torch.random.fork_rng as a block.
 */
import { checkOptions } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';
import { forkState } from '../random.js';
import { checkBool } from '../ops/types.js';
import { inBlock } from './grad-mode.js';

export { manualSeed, seed, initialSeed, getRngState, setRngState } from '../random.js';

export interface ForkRngOptions {
  /** false runs fn without saving or restoring anything (torch's enabled=False). Default true. */
  enabled?: boolean;
  /** torch's CUDA devices to fork too: there are none here, so only an empty list is accepted. */
  devices?: readonly number[];
}

/**
 * torch.random.fork_rng as a block: the global stream's state (and initialSeed()) is saved, fn
 * runs, and the state is restored, also when fn throws; returns fn's result. Random draws inside
 * (initialisers, dropout, shuffles) leave the stream outside as it was.
 */
export function forkRng<T>(fn: () => T, options?: ForkRngOptions): T {
  const name = 'random.forkRng';
  const opts = checkOptions<ForkRngOptions>(name, options, ['enabled', 'devices']);
  checkBool(name, 'enabled', opts.enabled);
  if (opts.devices !== undefined && (!Array.isArray(opts.devices) || opts.devices.length > 0))
    throw new ValueError(
      name,
      `devices lists CUDA devices to fork, and there are none here (the CPU stream is always forked): pass [] or omit it, got ${fmtValue(opts.devices)}`,
    );
  return inBlock(name, fn, opts.enabled === false ? () => () => undefined : forkState);
}
