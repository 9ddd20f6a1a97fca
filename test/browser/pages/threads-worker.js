// A module Worker for test/browser/threads.test.ts: the engine (ESM entry) runs here, starting its
// pool's workers from inside this one; { threads } in, run()'s result (or { error }) out.
/* global postMessage, addEventListener */
import * as wg from '../../../dist/index.js';
import { run, watchJobs } from './threads.js';

const jobsNow = watchJobs();
addEventListener('message', ({ data }) =>
  run(wg, data.threads, jobsNow).then(
    (r) => postMessage(r),
    (e) => postMessage({ error: String(e?.stack ?? e) }),
  ),
);
