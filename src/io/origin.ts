/**
 * Where a state being loaded into an optimizer or LR scheduler comes from, so that a load error
 * names the entry the way the user sees it and has the right class: a state dict object
 * (opt.loadStateDict(sd): 'state[0].exp_avg', StateDictError) or a checkpoint file
 * (wg.loadCheckpoint: "the checkpoint's tensor 'optimizer.state.0.exp_avg'", FileFormatError when
 * the file is wrong in itself, StateDictError when a well-formed state does not fit the target).
 */
import { FileFormatError, StateDictError, ValueError, WasmgradError } from '../errors.js';
import { detailOf } from './errors.js';

/** An entry of the state: a field of its JSON-like part, or a state tensor of parameter `param`. */
export type StatePath = { field: string } | { param: number | string; entry?: string };

export interface LoadOrigin {
  /** The entry as the message names it. */
  name(at: StatePath): string;
  /**
   * The error for `message` (phrased with name()): `malformed` when the state is wrong in itself
   * (types, unknown or missing entries), else it is well-formed but does not fit the target.
   */
  error(message: string, malformed: boolean): WasmgradError;
  /** Re-raises the target's own hyperparameter check failing on the value at `at`. */
  invalid(e: unknown, at: StatePath): WasmgradError;
}

/**
 * A state dict object passed to `<fn>.loadStateDict` (fn 'optim.Adam', 'optim.lr.StepLR'): entries
 * are named by their path ('paramGroups[0]', 'state[0].exp_avg'), every problem is a
 * StateDictError, and an invalid hyperparameter is the target's own ValueError.
 */
export function stateDictOrigin(fn: string): LoadOrigin {
  return {
    name: (at) => ('field' in at ? at.field : at.entry === undefined ? `state[${at.param}]` : `state[${at.param}].${at.entry}`),
    error: (message) => new StateDictError(fn, `loadStateDict: ${message}`),
    invalid: (e) => (e instanceof WasmgradError ? e : new ValueError(fn, detailOf(e), { cause: e })),
  };
}

/**
 * A checkpoint file read by `fn`: fields live in the JSON of metadata key `metaKey` under
 * `fieldPrefix`, state tensors are named `<tensorPrefix><param>.<entry>`.
 */
export function checkpointOrigin(fn: string, metaKey: string, fieldPrefix: string, tensorPrefix: string): LoadOrigin {
  const name = (at: StatePath): string =>
    'field' in at
      ? `the checkpoint's metadata key '${metaKey}' (${fieldPrefix}${at.field})`
      : at.entry === undefined
        ? `the checkpoint's ${tensorPrefix}${at.param}`
        : `the checkpoint's tensor '${tensorPrefix}${at.param}.${at.entry}'`;
  return {
    name,
    error: (message, malformed) => (malformed ? new FileFormatError(fn, message) : new StateDictError(fn, message)),
    invalid: (e, at) => new FileFormatError(fn, `${name(at)} is invalid: ${detailOf(e)}`, { cause: e }),
  };
}
