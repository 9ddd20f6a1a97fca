// Two builds of wasmgrad side by side, for changes that must not slow anything down:
//   node bench/versus.mjs --base ../other-checkout/dist/index.js [--only W1,W3] [--rounds 3]
// Each round runs bench/run.mjs once per build (its eager step as the only peer, one measuring round), alternating which
// build goes first, and reads the compiled and eager samples/s of each workload from its table.
// Prints per workload the median over rounds of the per-round ratios this build / base (> 1: this
// build is faster); "this build" is ../dist/index.js unless WASMGRAD_DIST says otherwise.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const base = arg('base');
if (!base) {
  console.error('bench/versus: --base PATH/dist/index.js is required (the build to compare against)');
  process.exit(2);
}
const ONLY = arg('only', 'W1,W2,W3,W4,W5').split(',');
const ROUNDS = Number(arg('rounds', 3));
const RUN = fileURLToPath(new URL('./run.mjs', import.meta.url));
const builds = {
  this: process.env.WASMGRAD_DIST ? resolve(process.env.WASMGRAD_DIST) : fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  base: resolve(base),
};

/** samples/s of one workload in one process: { compiled, eager } read from run.mjs's table. */
function measure(which, w) {
  const r = spawnSync(process.execPath, [RUN, '--only', w, '--peers=wasmgrad eager', '--no-save', '--rounds', '1'], {
    env: { ...process.env, WASMGRAD_DIST: builds[which] },
    encoding: 'utf8',
  });
  const row = r.stdout.split('\n').find((l) => l.startsWith(`| ${w} `));
  if (r.status !== 0 || row === undefined) throw new Error(`bench/versus: run.mjs failed for ${which} ${w}:\n${r.stderr}`);
  const [compiled, eager] = row
    .split('|')
    .slice(2, 4)
    .map((c) => Number(c.trim().split(' ')[0].replace(/,/g, '')));
  return { compiled, eager };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`this build: ${builds.this}\nbase:       ${builds.base}\n`);
console.log('| workload | compiled this / base | eager this / base | per-round compiled ratios |');
console.log('|---|---:|---:|---|');
for (const w of ONLY) {
  const ratios = { compiled: [], eager: [] };
  for (let k = 0; k < ROUNDS; k++) {
    const order = k % 2 === 0 ? ['this', 'base'] : ['base', 'this'];
    const got = Object.fromEntries(order.map((which) => [which, measure(which, w)]));
    for (const m of ['compiled', 'eager']) ratios[m].push(got.this[m] / got.base[m]);
  }
  const f = (x) => `×${x.toFixed(3)}`;
  console.log(`| ${w} | ${f(median(ratios.compiled))} | ${f(median(ratios.eager))} | ${ratios.compiled.map(f).join(' ')} |`);
}
