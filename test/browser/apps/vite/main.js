// Vite, no configuration, the way apps write it: `import * as wg` and names read from it
// (wg.nn.Linear, wg.optim.Adam, …), which Vite tree-shakes as it does named imports; the .wasm
// builds are emitted as assets from the package's new URL(…, import.meta.url). The page is served
// cross-origin isolated: its threads build runs on 2 threads (the pool's workers from Blob URLs).
import * as wg from 'wasmgrad';
import { run } from '../run.js';

// the names train() reads (test/browser/pages/train.js), each by a static member access
const lib = {
  info: wg.info,
  init: wg.init,
  manualSeed: wg.manualSeed,
  randn: wg.randn,
  tensor: wg.tensor,
  nn: { Sequential: wg.nn.Sequential, Linear: wg.nn.Linear, Tanh: wg.nn.Tanh },
  optim: { Adam: wg.optim.Adam },
  losses: { mse: wg.losses.mse },
};
run(lib, { threads: 2 });
