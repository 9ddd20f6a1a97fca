/**
 * torch.nn.DataParallel on a machine without CUDA devices, which is wasmgrad's case: torch then
 * keeps no device ids and its forward calls the wrapped module. Its use here is torch's: code and
 * checkpoints written for it run and load (the state dict's keys carry the `module.` prefix).
 */
import { ValueError, fmtValue } from '../errors.js';
import { Module, type AnyModule, type Forward } from './module.js';

export class DataParallel<M extends AnyModule = AnyModule> extends Module<M['forward']> {
  readonly module: M;
  /** torch's device_ids without CUDA: empty. */
  readonly deviceIds: number[] = [];
  readonly outputDevice: null = null;
  readonly dim: number;

  /** torch's (module, device_ids, output_device, dim); device ids name CUDA devices, of which there are none: ignored as torch does then. */
  constructor(module: M, deviceIds: readonly number[] | null = null, outputDevice: unknown = null, dim = 0) {
    super();
    const fn = 'nn.DataParallel';
    if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
    if (deviceIds !== null && !Array.isArray(deviceIds)) throw new ValueError(fn, `deviceIds must be an array or null, got ${fmtValue(deviceIds)}`);
    if (!Number.isInteger(dim)) throw new ValueError(fn, `dim must be an integer, got ${fmtValue(dim)}`);
    void outputDevice;
    this.module = this.registerModule('module', module);
    this.dim = dim;
  }

  forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    return (this.module.forward as Forward)(...args) as ReturnType<M['forward']>;
  }
}
