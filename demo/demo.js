// The demo page: loads the packed digits, hands them to the training Worker, charts its progress
// and asks it for predictions of what is drawn on the pad. All the maths runs in worker.js.
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const EPOCHS = Math.max(1, Number(params.get('epochs')) || 8);
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let digits = null; // { images, labels, nTrain } as read from data/mnist-10k.bin
let hasModel = false;

function setStatus(status, detail = '') {
  document.body.dataset.status = status;
  $('status').textContent = detail ? `${status}: ${detail}` : status;
  const busy = status === 'training' || status === 'loading';
  $('start').disabled = busy || !digits;
  $('stop').disabled = status !== 'training';
  $('model').disabled = busy;
}

const pct = (v) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

// ---- data -------------------------------------------------------------------------------------
async function loadDigits() {
  const res = await fetch(new URL('./data/mnist-10k.bin', import.meta.url));
  if (!res.ok) throw new Error(`data/mnist-10k.bin: HTTP ${res.status} (run \`npm run build:demo\`)`);
  const buf = await res.arrayBuffer();
  const view = new DataView(buf);
  if (buf.byteLength < 12 || view.getUint32(0, false) !== 0x57474d4e)
    throw new Error('data/mnist-10k.bin is not a packed digit file (rebuild it: `npm run build:demo`)');
  const n = view.getUint32(4, true),
    nTrain = view.getUint32(8, true);
  return { labels: new Uint8Array(buf, 12, n), images: new Uint8Array(buf, 12 + n, n * 784), nTrain };
}

// ---- training ---------------------------------------------------------------------------------
/** Chart series: per progress message { t: epochs done (fractional), loss, acc }; per epoch { t, val }. */
let series = { points: [], val: [], epochs: EPOCHS };

function start() {
  const model = $('model').value;
  series = { points: [], val: [], epochs: EPOCHS };
  for (const id of ['loss', 'accuracy', 'val-accuracy', 'samples', 'epoch']) $(id).textContent = '–';
  $('download').hidden = true;
  document.body.dataset.epoch = '0';
  setStatus('training');
  drawChart();
  // Copies: the worker takes ownership of what it is sent, and Start may be pressed again.
  const images = digits.images.slice(),
    labels = digits.labels.slice();
  worker.postMessage({ type: 'train', images, labels, nTrain: digits.nTrain, options: { model, epochs: EPOCHS } }, [images.buffer, labels.buffer]);
}

const handlers = {
  ready({ build, simd, threads }) {
    $('build').textContent = build ?? (simd ? 'simd' : 'scalar');
    $('threads').textContent = String(threads);
  },
  progress(m) {
    document.body.dataset.epoch = String(m.epoch);
    $('epoch').textContent = `${m.epoch} / ${m.epochs}`;
    $('loss').textContent = m.loss.toFixed(4);
    $('accuracy').textContent = pct(m.accuracy);
    $('samples').textContent = Math.round(m.samplesPerSec).toLocaleString('en-US');
    series.points.push({ t: m.epoch - 1 + m.batch / m.batches, loss: m.loss, acc: m.accuracy });
    hasModel = true;
    scheduleChart();
    if (padHasInk) requestPrediction();
  },
  epoch(m) {
    $('val-accuracy').textContent = pct(m.valAccuracy);
    series.val.push({ t: m.epoch, val: m.valAccuracy });
    scheduleChart();
  },
  done({ history, weights }) {
    setStatus(history.stopped ? 'stopped' : 'done');
    const link = $('download');
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([weights], { type: 'application/octet-stream' }));
    link.hidden = false;
    if (padHasInk) requestPrediction();
  },
  prediction({ id, probs }) {
    if (id === predictionId && probs) showProbs(probs);
    inFlight = false;
    if (pendingPrediction) requestPrediction();
  },
  error({ message }) {
    setStatus('error', message);
  },
};
worker.onmessage = ({ data }) => handlers[data.type]?.(data);
worker.onerror = (e) => setStatus('error', e.message || 'the worker failed to start');

$('start').onclick = start;
$('stop').onclick = () => worker.postMessage({ type: 'stop' });

// ---- chart ------------------------------------------------------------------------------------
let chartQueued = false;
function scheduleChart() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    drawChart();
  });
}

/** Loss on the left axis (0 to the largest loss seen), accuracy on the right (0–100 %), epochs along x. */
function drawChart() {
  const canvas = $('chart');
  const dpr = devicePixelRatio || 1;
  const w = canvas.clientWidth,
    h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const pad = { l: 40, r: 42, t: 8, b: 22 };
  const pw = w - pad.l - pad.r,
    ph = h - pad.t - pad.b;
  const { points, val, epochs } = series;
  const maxLoss = Math.max(0.5, ...points.map((p) => p.loss)) * 1.05;
  const X = (t) => pad.l + (t / epochs) * pw;
  const YL = (v) => pad.t + ph * (1 - v / maxLoss);
  const YA = (v) => pad.t + ph * (1 - v);

  g.font = `11px ${getComputedStyle(document.body).fontFamily}`;
  g.lineWidth = 1;
  g.strokeStyle = css('--line');
  g.fillStyle = css('--muted');
  g.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + (ph * i) / 4;
    g.beginPath();
    g.moveTo(pad.l, Math.round(y) + 0.5);
    g.lineTo(pad.l + pw, Math.round(y) + 0.5);
    g.stroke();
    g.textAlign = 'right';
    g.fillText((maxLoss * (1 - i / 4)).toFixed(2), pad.l - 6, y);
    g.textAlign = 'left';
    g.fillText(`${100 - 25 * i}%`, pad.l + pw + 6, y);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  const step = Math.ceil(epochs / Math.max(1, Math.floor(pw / 40)));
  for (let e = 0; e <= epochs; e += step) g.fillText(String(e), X(e), pad.t + ph + 6);

  const line = (key, Y, color) => {
    const pts = points.filter((p) => p[key] !== undefined);
    if (!pts.length) return;
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.lineJoin = 'round';
    g.beginPath();
    pts.forEach((p, i) => (i ? g.lineTo(X(p.t), Y(p[key])) : g.moveTo(X(p.t), Y(p[key]))));
    g.stroke();
  };
  line('acc', YA, css('--acc'));
  line('loss', YL, css('--loss'));
  g.fillStyle = css('--val');
  for (const p of val) {
    g.beginPath();
    g.arc(X(p.t), YA(p.val), 4, 0, 2 * Math.PI);
    g.fill();
  }
}
new ResizeObserver(scheduleChart).observe($('chart'));

// ---- drawing pad --------------------------------------------------------------------------------
const padCanvas = $('pad');
const pen = padCanvas.getContext('2d', { willReadFrequently: true });
let padHasInk = false,
  drawing = false,
  lastPoint = null;

/** Pointer position in canvas pixels (the canvas is scaled by CSS). */
function at(e) {
  const r = padCanvas.getBoundingClientRect();
  return [((e.clientX - r.left) / r.width) * padCanvas.width, ((e.clientY - r.top) / r.height) * padCanvas.height];
}
padCanvas.addEventListener('pointerdown', (e) => {
  drawing = true;
  padCanvas.setPointerCapture(e.pointerId);
  lastPoint = at(e);
  stroke(lastPoint, lastPoint);
});
padCanvas.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = at(e);
  stroke(lastPoint, p);
  lastPoint = p;
});
for (const type of ['pointerup', 'pointercancel']) padCanvas.addEventListener(type, () => (drawing = false));

function stroke(a, b) {
  // ~1/14 of the pad: after scaling the digit into MNIST's 20-pixel box this is a 2-pixel pen, as in MNIST.
  pen.lineWidth = padCanvas.width / 14;
  pen.lineCap = 'round';
  pen.strokeStyle = '#1d2330';
  pen.beginPath();
  pen.moveTo(...a);
  pen.lineTo(...b);
  pen.stroke();
  padHasInk = true;
  requestPrediction();
}

$('clear').onclick = () => {
  pen.clearRect(0, 0, padCanvas.width, padCanvas.height);
  padHasInk = false;
  predictionId++;
  $('prediction').textContent = '';
  $('seen').getContext('2d').clearRect(0, 0, 28, 28);
  showProbs(null);
};

/**
 * The pad as MNIST would have it: the ink's bounding box scaled to fit 20 × 20 (aspect kept), placed
 * in 28 × 28, then shifted by whole pixels so its centre of mass sits at the centre (LeCun's
 * preprocessing). Returns 784 values in [0, 1] (ink = 1), or null when the pad is empty.
 */
function mnistPixels() {
  const { width: W, height: H } = padCanvas;
  const alpha = pen.getImageData(0, 0, W, H).data;
  let x0 = W,
    y0 = H,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (alpha[(y * W + x) * 4 + 3] > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1,
    s = 20 / Math.max(bw, bh);
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const sg = small.getContext('2d', { willReadFrequently: true });
  sg.imageSmoothingQuality = 'high';
  sg.drawImage(padCanvas, x0, y0, bw, bh, (28 - bw * s) / 2, (28 - bh * s) / 2, bw * s, bh * s);
  const a = sg.getImageData(0, 0, 28, 28).data;
  const px = new Float32Array(784);
  let m = 0,
    mx = 0,
    my = 0;
  for (let i = 0; i < 784; i++) {
    px[i] = a[i * 4 + 3] / 255;
    m += px[i];
    mx += px[i] * (i % 28);
    my += px[i] * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - mx / m),
    dy = Math.round(13.5 - my / m);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const sx = x - dx,
        sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = px[sy * 28 + sx];
    }
  return out;
}

function showSeen(px) {
  const g = $('seen').getContext('2d');
  const img = g.createImageData(28, 28);
  px.forEach((v, i) => {
    img.data.set([29, 35, 48, Math.round(v * 255)], i * 4);
  });
  g.clearRect(0, 0, 28, 28);
  g.putImageData(img, 0, 0);
}

// One prediction in flight at a time; strokes made meanwhile ask again when it comes back.
let predictionId = 0,
  inFlight = false,
  pendingPrediction = false;
function requestPrediction() {
  if (!hasModel) return;
  if (inFlight) {
    pendingPrediction = true;
    return;
  }
  pendingPrediction = false;
  const px = mnistPixels();
  if (!px) return;
  showSeen(px);
  inFlight = true;
  worker.postMessage({ type: 'predict', id: ++predictionId, pixels: px }, [px.buffer]);
}

function showProbs(probs) {
  const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
  $('prediction').textContent = probs ? String(best) : '';
  $('probs').replaceChildren(
    ...Array.from({ length: 10 }, (_, d) => {
      const li = document.createElement('li');
      li.className = d === best ? 'bar top' : 'bar';
      const p = probs ? probs[d] : 0;
      li.innerHTML = `<span>${d}</span><i><b style="width:${(p * 100).toFixed(1)}%"></b></i><span>${probs ? Math.round(p * 100) + '%' : ''}</span>`;
      return li;
    }),
  );
}
showProbs(null);

// ---- start --------------------------------------------------------------------------------------
$('model').value = params.get('model') === 'mlp' ? 'mlp' : 'lenet';
$('isolation').textContent = self.crossOriginIsolated ? '(cross-origin isolated)' : '';
try {
  digits = await loadDigits();
  setStatus('ready');
  if (params.get('autostart') !== '0') start();
} catch (e) {
  setStatus('error', e.message);
}
