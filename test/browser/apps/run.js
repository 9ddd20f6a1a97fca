// The bundler apps' page script: train with the library the app imported and write the result
// (the losses and the build, or the error) into #result for the test to read.
/* global document */
import { train } from '../pages/train.js';

export function run(wg) {
  const out = document.querySelector('#result');
  train(wg).then(
    (losses) => (out.textContent = JSON.stringify({ losses, build: wg.info().build })),
    (e) => (out.textContent = JSON.stringify({ error: String(e?.stack ?? e) })),
  );
}
