// PyTorch peer: one long-lived Python process (runner-torch.py, torch on one thread) fed the
// workload's initial weights and batches through files in a temp dir, then asked for steps and
// timed chunks over a line-per-message JSON pipe. Python is `BENCH_PYTHON` or /usr/bin/python3
// (Debian's python3-torch); without torch the column is skipped with a note, the bench goes on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CNN, GPT, LENET, LR, LSTM, inputShape } from './common.mjs';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runner-torch.py');

const servers = new Map(); // thread count → the Python process running torch on that many threads
/** Starts the Python process for `threads` once; resolves to { request(msg) → reply, version } or rejects with why torch is unavailable. */
function start(threads = 1) {
  if (servers.has(threads)) return servers.get(threads);
  const server = new Promise((resolve, reject) => {
    const n = String(threads);
    const child = spawn(PYTHON, [SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n, BENCH_TORCH_THREADS: n },
    });
    const waiting = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const fail = (why) => {
      const e = new Error(why);
      reject(e);
      for (const w of waiting.splice(0)) w.reject(e);
    };
    child.on('error', (e) => fail(`${PYTHON}: ${e.message}`));
    child.on('exit', (code) => fail(`${PYTHON} exited (${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line);
      const w = waiting.shift();
      if (reply.error) w.reject(new Error(reply.error));
      else w.resolve(reply);
    });
    const request = (msg) =>
      new Promise((res, rej) => {
        waiting.push({ resolve: res, reject: rej });
        child.stdin.write(JSON.stringify(msg) + '\n');
      });
    request({ cmd: 'hello' }).then((r) => resolve({ request, ...r }), reject);
  });
  servers.set(threads, server);
  return server;
}

/** { ok, note }: the PyTorch build (version, threads, BLAS and its measured GEMM rate), or why it is skipped. */
export async function torchInfo(threads = 1) {
  try {
    const s = await start(threads);
    return {
      ok: true,
      note: `PyTorch ${s.version} CPU, torch.set_num_threads(${s.threads}); its build's BLAS: ${s.blas}, torch.mm 512×512×512 ${s.gemm.toFixed(1)} GFLOP/s on this thread`,
    };
  } catch (e) {
    return { ok: false, note: `PyTorch skipped: ${e.message.split('\n')[0]} (install Debian's python3-torch, or set BENCH_PYTHON)` };
  }
}

/** G1 on the threads axis: (n, calls) → wall-clock ms of `calls` torch.mm n×n×n products on `threads` threads. */
export async function torchGemm(threads) {
  const { request } = await start(threads);
  return async (n, calls) => (await request({ cmd: 'gemm', n, calls })).ms;
}

/** Writes tensors [{ name, shape, data }] as the file runner-torch.py reads: a JSON header line, then the raw data. */
function writeTensors(file, tensors) {
  const header = tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.data instanceof Int32Array ? 'int32' : 'float32' }));
  const parts = [Buffer.from(JSON.stringify(header) + '\n'), ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  fs.writeFileSync(file, Buffer.concat(parts));
}

export async function torchRunner(spec, init, batches, threads = 1) {
  const { request, version, threads: got } = await start(threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmgrad-bench-torch-'));
  try {
    writeTensors(
      path.join(dir, 'params.bin'),
      init.named.map(([name, p]) => ({ name, ...p })),
    );
    writeTensors(
      path.join(dir, 'batches.bin'),
      batches.flatMap((b, i) => [
        { name: `x${i}`, shape: [b.x.length], data: b.x },
        { name: `y${i}`, shape: [b.y.length], data: b.y },
      ]),
    );
    await request({
      cmd: 'load',
      spec: { ...spec, lr: LR },
      shapes: { LENET, CNN, GPT, LSTM },
      vocab: init.vocab,
      params: path.join(dir, 'params.bin'),
      batches: path.join(dir, 'batches.bin'),
      count: batches.length,
      shapeX: inputShape(spec),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return loaded(request, version, got);
}

/** The runner of the workload (or layer) the Python process holds: steps, and chunks it times itself. */
function loaded(request, version, threads = 1) {
  return {
    name: 'PyTorch',
    note: `PyTorch ${version} CPU, ${threads === 1 ? 'one thread' : `${threads} threads`}; timed inside Python (time.perf_counter per chunk)`,
    step: async (i, wantLoss) => {
      const { loss } = await request({ cmd: 'step', i });
      return wantLoss ? loss : undefined;
    },
    chunk: async (from, steps) => (await request({ cmd: 'chunk', from, steps })).ms,
    afterCheck: () => request({ cmd: 'afterCheck' }),
    sync() {},
    dispose: () => request({ cmd: 'dispose' }),
  };
}

/** --layers: one layer row of layers.mjs ({ layer, shape, inputGrad }) in PyTorch. */
export async function torchLayerRunner(row) {
  const { request, version } = await start();
  await request({ cmd: 'loadLayer', layer: row.layer, shape: row.shape, inputGrad: row.inputGrad });
  return loaded(request, version);
}
