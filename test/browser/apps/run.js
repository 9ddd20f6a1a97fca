// The bundler apps' page script: init with `options`, train with the library the app imported and
// write the result (the losses, the build and thread count, or the error) into #result for the test.
/* global document */
import { train } from '../pages/train.js';

export function run(wg, options = {}) {
  const out = document.querySelector('#result');
  wg.init(options)
    .then(() => train(wg))
    .then(
      (losses) => (out.textContent = JSON.stringify({ losses, build: wg.info().build, threads: wg.info().threads })),
      (e) => (out.textContent = JSON.stringify({ error: String(e?.stack ?? e) })),
    );
}
