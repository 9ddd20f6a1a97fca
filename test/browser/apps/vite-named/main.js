// Vite, no configuration, an app that names what it uses: the bundler tree-shakes the package's
// ESM module tree (the unused nn layers, optimizers, compile and IO go), which works only while
// package.json `sideEffects` keeps the module that installs the Tensor methods.
import { info, init, losses, manualSeed, nn, optim, randn, tensor } from 'wasmgrad';
import { run } from '../run.js';

// the names train() reads, each by a static member access so that nothing else is kept
const wg = {
  info,
  init,
  manualSeed,
  randn,
  tensor,
  nn: { Sequential: nn.Sequential, Linear: nn.Linear, Tanh: nn.Tanh },
  optim: { Adam: optim.Adam },
  losses: { mse: losses.mse },
};
run(wg);
