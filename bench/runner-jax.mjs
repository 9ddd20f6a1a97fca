// jax-js peer on its 'wasm' device: the whole training step (value, gradient and the SGD update)
// in one jit(...) around valueAndGrad, as JAX users write it. Arrays are reference-counted:
// every argument passed is consumed, so batches are passed as `.ref`.
import { LR, transpose2d } from './common.mjs';

let jax;
/** Imports and initialises jax-js once on the wasm device. */
export async function loadJax() {
  if (jax) return jax;
  // Node 20 has no global navigator (jax-js reads navigator.hardwareConcurrency / userAgent).
  globalThis.navigator ??= {};
  jax = await import('@jax-js/jax');
  const devices = await jax.init('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not start (got ${JSON.stringify(devices)})`);
  jax.defaultDevice('wasm');
  return jax;
}

/** jax-js starts worker threads only when SharedArrayBuffer and a global Worker exist (browsers, Node ≥ 22). */
export const jaxThreads = () =>
  typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined'
    ? 'workers (multi-thread)'
    : `one thread (no ${typeof Worker === 'undefined' ? 'global Worker in this Node' : 'SharedArrayBuffer: the page is not cross-origin isolated'})`;

export async function jaxRunner(spec, init, batches) {
  const { numpy: np, nn, lax, tree, jit, valueAndGrad, blockUntilReady } = await loadJax();
  const B = spec.batch;
  let params = {
    lin: init.linear.map((l) => {
      const [out, inF] = l.weight.shape;
      return { w: np.array(transpose2d(l.weight.data, out, inF)).reshape([inF, out]), b: np.array(l.bias.data) };
    }),
    conv: (init.conv ?? []).map((c) => ({ w: np.array(c.weight.data).reshape(c.weight.shape), b: np.array(c.bias.data).reshape([c.weight.shape[0], 1, 1]) })),
  };
  const pads = (init.conv ?? []).map((c) => [
    [c.pad, c.pad],
    [c.pad, c.pad],
  ]);
  const mlp = (lin, h) => {
    lin.forEach((l, i) => {
      h = np.dot(h, l.w).add(l.b);
      if (i < lin.length - 1) h = nn.relu(h);
    });
    return h;
  };
  const forward = (p, x) => {
    if (spec.kind === 'mlp') return mlp(p.lin, x);
    let h = x;
    p.conv.forEach((c, i) => {
      h = lax.reduceWindow(nn.relu(lax.convGeneralDilated(h, c.w, [1, 1], pads[i]).add(c.b)), np.max, [2, 2], [2, 2]);
    });
    return mlp(p.lin, h.reshape([B, -1]));
  };
  // Mean softmax cross-entropy with one-hot targets.
  const lossFn = (p, x, y) =>
    nn
      .logSoftmax(forward(p, x), -1)
      .mul(y)
      .sum()
      .mul(-1 / B);
  const update = jit((p, x, y) => {
    const [loss, g] = valueAndGrad(lossFn)(tree.ref(p), x, y);
    return [loss, tree.map((w, gw) => w.sub(gw.mul(LR)), p, g)];
  });
  const shapeX = spec.kind === 'mlp' ? [B, 784] : [B, 1, 28, 28];
  const data = batches.map((b) => ({ x: np.array(b.x).reshape(shapeX), y: np.array(b.onehot).reshape([B, 10]) }));
  // jax-js evaluates lazily: left alone, the queue of pending steps grows and each step gets slower
  // (measured: 1.0 ms/step at W1 when realized every step, 2.7 ms over 270 unrealized steps, 9.8 ms
  // over 600). So every step is realized before the next, in one of two ways, and the harness keeps
  // whichever is faster for the workload (`variants`):
  //  - 'read': loss.dataSync() each step (reading the loss, as a training loop that logs it does);
  //  - 'await': await blockUntilReady(params) each step (the jax-js MNIST demo's loop).
  const run = (i) => {
    const { x, y } = data[i % data.length];
    const [loss, next] = update(params, x.ref, y.ref);
    params = next;
    return loss;
  };
  const read = (i) => run(i).dataSync()[0]; // dataSync consumes the loss
  const variants = {
    read: (i) => read(i),
    await: (i, wantLoss) => {
      if (wantLoss) return read(i);
      run(i).dispose();
      return blockUntilReady(tree.ref(params)).then((p) => {
        tree.dispose(p);
        return undefined;
      });
    },
  };
  return {
    name: 'jax-js',
    note: `jax-js wasm, ${jaxThreads()}`,
    step: variants.read,
    variants,
    // Wait for every queued kernel before the clock stops.
    async sync() {
      await blockUntilReady(tree.ref(params)).then((p) => tree.dispose(p));
    },
    dispose() {
      tree.dispose(params);
      for (const d of data) tree.dispose([d.x, d.y]);
      update.dispose();
    },
  };
}

/** GEMM on jax-js (G1 peer column). */
export async function jaxGemm(n, form) {
  const { numpy: np, jit, random } = await loadJax();
  const key = random.key(0);
  const [k1, k2] = random.split(key, 2);
  const a = random.uniform(k1, [n, n]),
    b = random.uniform(k2, [n, n]);
  const f = jit(form === 'AB' ? (x, y) => np.matmul(x, y) : form === 'ABt' ? (x, y) => np.matmul(x, y.transpose()) : (x, y) => np.matmul(x.transpose(), y));
  return {
    run() {
      f(a.ref, b.ref).dataSync();
    },
  };
}
