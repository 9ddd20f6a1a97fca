// Runs W1–W5 in this page with the Node bench's timing protocol (../timing.mjs), runners
// (../runner-*.mjs) and workloads (../common.mjs). The driver (./chromium.mjs) calls
// globalThis.benchWorkload(id, options) once per workload and reads back a plain result object.
import { WORKLOADS } from '../common.mjs';
import { jaxRunner } from '../runner-jax.mjs';
import { loadTfjs, tfjsRunner } from '../runner-tfjs.mjs';
import { loadWasmgrad, wasmgradRunner } from '../runner-wasmgrad.mjs';
import { timer } from '../timing.mjs';

const TFJS_WASM_DIR = '/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist/';

/** The MNIST arrays the driver serves: 8,000 × 784 float32 pixels, then 8,000 int32 labels. */
async function mnist() {
  const res = await fetch('/__bench/mnist.bin');
  if (!res.ok) throw new Error(`bench page: /__bench/mnist.bin answered HTTP ${res.status}`);
  const buf = await res.arrayBuffer();
  const n = buf.byteLength / (785 * 4);
  return { x: new Float32Array(buf, 0, n * 784), y: new Int32Array(buf, n * 784 * 4, n) };
}

/**
 * Before each timed chunk, as in Node: a full GC (Chromium is started with --expose-gc) and two
 * macrotask turns. A MessageChannel turn, not setTimeout, which Chromium clamps to 4 ms when nested.
 */
const turn = () =>
  new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
async function settle() {
  globalThis.gc?.();
  await turn();
  await turn();
}

let train;
/** Measures one workload; options = { cfg, api, peers (names to run, all when undefined) }. Returns the Node bench's result shape plus the wasmgrad build. */
globalThis.benchWorkload = async (id, { cfg, api, peers }) => {
  train ??= await mnist();
  const wg = await loadWasmgrad();
  // A peer that fails to load fails in its make(): its row shows the error, the others still run.
  const defs = [
    { name: 'wasmgrad', make: (s, i, b) => wasmgradRunner(s, i, b, { api }) },
    { name: 'tfjs-wasm', make: async (s, i, b) => (await loadTfjs(TFJS_WASM_DIR), tfjsRunner('wasm', s, i, b)) },
    { name: 'jax-js', make: jaxRunner },
  ].filter((d) => d.name === 'wasmgrad' || !peers || peers.includes(d.name));
  const result = await timer({ cfg, settle, log: console.log }).measure(WORKLOADS[id], defs, train);
  return { ...result, build: wg.info().build };
};
globalThis.benchReady = true;
