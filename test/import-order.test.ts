/** Any module can be imported first: an op group before the package entry used to hit an import cycle. */
import { expect, test } from 'vitest';
import { LINALG_OPS } from '../src/ops/linalg.js';
import * as wg from '../src/index.js';
import { OPS } from '../src/ops/index.js';
import { OPS_BY_CODE } from '../src/ops/types.js';
import { initWasm } from './helpers/setup.js';

test('an op group imported before src/index.ts: the table is complete and ops run', async () => {
  await initWasm();
  expect(LINALG_OPS.map((op) => OPS_BY_CODE[op.opcode])).toEqual(LINALG_OPS);
  expect(OPS_BY_CODE.filter(Boolean).length).toBe(OPS.length);
  expect(wg.matmul(wg.ones([2, 3]), wg.ones([3, 2])).toArray()).toEqual([[3, 3], [3, 3]]);
});
