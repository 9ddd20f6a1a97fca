// A module Worker that imports the ESM entry, trains and posts its losses back.
/* global postMessage */
import * as wg from '../../../dist/index.js';
import { train } from './train.js';

train(wg).then(
  (losses) => postMessage({ losses, build: wg.info().build }),
  (e) => postMessage({ error: String(e?.stack ?? e) }),
);
