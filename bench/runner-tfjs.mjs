// TensorFlow.js peers: the pure-JS 'cpu' backend and the 'wasm' backend (XNNPACK, SIMD), one thread.
// The idiomatic tfjs training step: tf.variable parameters, optimizer.minimize(() => loss) with
// tf.train.sgd, tf.losses.softmaxCrossEntropy (mean over the batch), dense weights [in, out], NHWC.
import { LENET, LR, oihwToHwio, transpose2d } from './common.mjs';

let tf;
let wasmReady;

/** The folder of tfjs-backend-wasm's .wasm files in Node (a page passes its URL to loadTfjs instead). */
async function nodeWasmDir() {
  const [{ createRequire }, path] = await Promise.all([import('node:module'), import('node:path')]);
  const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return path.join(dir, 'dist') + path.sep;
}

/** Imports tfjs once and registers the wasm backend pinned to one thread; `wasmDir` = where its .wasm files are (Node: found). */
export async function loadTfjs(wasmDir) {
  if (tf) return tf;
  // tfjs prints a hint about tfjs-node on import: keep the bench output clean.
  const warn = console.warn,
    log = console.log;
  console.warn = console.log = () => {};
  try {
    tf = await import('@tensorflow/tfjs');
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    wasmBackend.setWasmPaths(wasmDir ?? (await nodeWasmDir()));
    wasmBackend.setThreadsCount(1);
    wasmReady = wasmBackend;
    // The cpu backend prints a tfjs-node hint at its first tensor write.
    await tf.setBackend('cpu');
    tf.tensor1d([0]).dispose();
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return tf;
}

/** Makes `backend` the active tfjs backend ('cpu' | 'wasm'); throws if it cannot start. */
async function use(backend) {
  if (tf.getBackend() === backend) return;
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`tfjs: backend '${backend}' failed to initialise`);
}

/** Details of the tfjs setup, for the report. */
export async function tfjsInfo(backend) {
  await loadTfjs();
  await use(backend);
  if (backend !== 'wasm') return `tfjs ${tf.version.tfjs} cpu`;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return `tfjs ${tf.version.tfjs} wasm (SIMD ${simd ? 'on' : 'off'}, threads ${wasmReady?.getThreadsCount?.() ?? '?'}${threads ? '' : ', multithread unsupported here'})`;
}

export async function tfjsRunner(backend, spec, init, batches) {
  await loadTfjs();
  await use(backend);
  const B = spec.batch;
  const dense = init.linear.map((l) => {
    const [out, inF] = l.weight.shape;
    return { w: tf.variable(tf.tensor2d(transpose2d(l.weight.data, out, inF), [inF, out])), b: tf.variable(tf.tensor1d(l.bias.data)) };
  });
  const conv = (init.conv ?? []).map((c) => ({
    w: tf.variable(tf.tensor4d(oihwToHwio(c.weight.data, c.weight.shape), [c.weight.shape[2], c.weight.shape[3], c.weight.shape[1], c.weight.shape[0]])),
    b: tf.variable(tf.tensor1d(c.bias.data)),
    pad: c.pad,
  }));
  const mlp = (h) => {
    dense.forEach((d, i) => {
      h = tf.add(tf.matMul(h, d.w), d.b);
      if (i < dense.length - 1) h = tf.relu(h);
    });
    return h;
  };
  const forward =
    spec.kind === 'mlp'
      ? mlp
      : (x) => {
          let h = x;
          for (const c of conv) h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c.w, 1, c.pad === 0 ? 'valid' : c.pad), c.b)), 2, 2, 'valid');
          // NHWC → NCHW before flattening, so fc1 sees the features in PyTorch's order (same weights).
          return mlp(tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [B, LENET.fc[0]]));
        };
  const data = batches.map((b) => ({
    x: spec.kind === 'mlp' ? tf.tensor2d(b.x, [B, 784]) : tf.tensor4d(b.x, [B, 28, 28, 1]),
    y: tf.tensor2d(b.onehot, [B, 10]),
  }));
  const opt = tf.train.sgd(LR);
  const step = (i, wantLoss) => {
    const { x, y } = data[i % data.length];
    const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)), wantLoss);
    if (!wantLoss) return undefined;
    const v = cost.dataSync()[0];
    cost.dispose();
    return v;
  };
  return {
    name: `tfjs-${backend}`,
    note: await tfjsInfo(backend),
    enter: () => use(backend),
    step,
    sync() {},
    async dispose() {
      await use(backend);
      for (const d of data) tf.dispose([d.x, d.y]);
      for (const v of [...dense, ...conv]) tf.dispose([v.w, v.b]);
      opt.dispose();
    },
  };
}

/** GEMM on tfjs (G1 peer column): returns a function running one product of the given form. */
export async function tfjsGemm(backend, n, form) {
  await loadTfjs();
  await use(backend);
  const a = tf.randomUniform([n, n]),
    b = tf.randomUniform([n, n]);
  const ta = form === 'AtB',
    tb = form === 'ABt';
  return {
    enter: () => use(backend),
    run() {
      // cpu and wasm kernels run synchronously: the product is done when matMul returns.
      tf.matMul(a, b, ta, tb).dispose();
    },
  };
}
