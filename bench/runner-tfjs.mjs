// TensorFlow.js peers: the pure-JS 'cpu' backend and the 'wasm' backend (XNNPACK, SIMD), one thread.
// The idiomatic tfjs training step: tf.variable parameters, optimizer.minimize(() => loss) with
// tf.train.sgd, tf.losses.softmaxCrossEntropy (mean over the batch), dense weights [in, out], NHWC.
import { CNN, LENET, LR, oihwToHwio, transpose2d } from './common.mjs';

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

/** tfjs variables of a [out, in] linear layer ([in, out] in tfjs) and of an OIHW conv (HWIO in tfjs). */
const denseVar = (weight, bias) => {
  const [out, inF] = weight.shape;
  return { w: tf.variable(tf.tensor2d(transpose2d(weight.data, out, inF), [inF, out])), b: tf.variable(tf.tensor1d(bias.data)) };
};
const convVar = (weight, bias) => {
  const [o, i, h, w] = weight.shape;
  return { w: tf.variable(tf.tensor4d(oihwToHwio(weight.data, weight.shape), [h, w, i, o])), b: tf.variable(tf.tensor1d(bias.data)) };
};

/**
 * W6 in tfjs (NHWC): conv 'same' (= pad 1 for 3×3), batch norm with the batch's statistics
 * (tf.moments: biased variance, as PyTorch normalises with in training; tfjs keeps no running
 * statistics, so it does a little less work), ReLU, max pool, tf.dropout, NCHW flatten, linear.
 */
function cnnModel(init) {
  const p = Object.fromEntries(init.named);
  const [c1, n1, c2, n2] = ['0', '1', '3', '4'];
  const conv = [convVar(p[`${c1}.weight`], p[`${c1}.bias`]), convVar(p[`${c2}.weight`], p[`${c2}.bias`])];
  const norm = [n1, n2].map((n) => ({ g: tf.variable(tf.tensor1d(p[`${n}.weight`].data)), b: tf.variable(tf.tensor1d(p[`${n}.bias`].data)) }));
  const fc = denseVar(p['9.weight'], p['9.bias']);
  const state = { dropout: false };
  const forward = (x) => {
    let h = x;
    conv.forEach((c, i) => {
      h = tf.add(tf.conv2d(h, c.w, 1, 'same'), c.b);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.relu(tf.batchNorm(h, mean, variance, norm[i].b, norm[i].g, 1e-5));
    });
    h = tf.maxPool(h, 2, 2, 'valid');
    if (state.dropout) h = tf.dropout(h, CNN.dropout);
    return tf.add(tf.matMul(tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [x.shape[0], CNN.fcIn]), fc.w), fc.b);
  };
  const vars = [...conv.flatMap((c) => [c.w, c.b]), ...norm.flatMap((n) => [n.g, n.b]), fc.w, fc.b];
  return { forward, vars, afterCheck: () => (state.dropout = true) };
}

/** W1–W5 in tfjs: dense layers (and LeNet's convs, NHWC). */
function classicModel(spec, init) {
  const B = spec.batch;
  const dense = init.linear.map((l) => denseVar(l.weight, l.bias));
  const conv = (init.conv ?? []).map((c) => ({ ...convVar(c.weight, c.bias), pad: c.pad }));
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
  return { forward, vars: [...dense, ...conv].flatMap((v) => [v.w, v.b]) };
}

export async function tfjsRunner(backend, spec, init, batches) {
  await loadTfjs();
  await use(backend);
  const B = spec.batch;
  const { forward, vars, afterCheck } = spec.kind === 'cnn' ? cnnModel(init) : classicModel(spec, init);
  const data = batches.map((b) => ({
    x: spec.kind === 'mlp' ? tf.tensor2d(b.x, [B, 784]) : tf.tensor4d(b.x, [B, 28, 28, 1]),
    y: tf.tensor2d(b.onehot, [B, 10]),
  }));
  // Adam with PyTorch's ε (tfjs defaults to 1e-7).
  const opt = spec.opt ? tf.train.adam(spec.opt.lr, 0.9, 0.999, 1e-8) : tf.train.sgd(LR);
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
    afterCheck,
    sync() {},
    async dispose() {
      await use(backend);
      for (const d of data) tf.dispose([d.x, d.y]);
      tf.dispose(vars);
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
