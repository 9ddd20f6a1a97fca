// --layers: forward + backward time of each layer type of W6–W8 alone, ours (the layer's step in
// wg.compile, and eager) vs PyTorch one-thread, at the shapes the layer sees in its workload, so the
// gaps behind a missed W6–W8 target are visible. One call = zero the gradients, forward,
// loss = sum of the output (the cross-entropy row: the loss itself), backward (input gradient too,
// except for the first conv, whose input is the data). Same timing protocol as the workloads
// (timing.mjs: warm-up, rotating rounds, medians of per-round ratios), with "samples" = calls.
import { CNN, GPT, LSTM, WORKLOADS, fmtRatio } from './common.mjs';
import { loadWasmgrad } from './runner-wasmgrad.mjs';
import { torchLayerRunner } from './runner-torch.mjs';
import { loadText } from './text.mjs';
import { timer } from './timing.mjs';

/** The layer rows of a workload: { label, layer: { type, … } (read by runner-torch.py too), input shape, inputGrad }. */
function layerRows(id, vocab) {
  const w = WORKLOADS[id];
  if (id === 'W6') {
    const { c1, c2, k, pad } = CNN;
    const B = w.batch;
    return [
      { label: `conv 3×3 1→${c1} pad 1, [${B}, 1, 28, 28]`, layer: { type: 'conv', in: 1, out: c1, k, pad }, shape: [B, 1, 28, 28], inputGrad: false },
      { label: `BatchNorm2d(${c1}), [${B}, ${c1}, 28, 28]`, layer: { type: 'bn', c: c1 }, shape: [B, c1, 28, 28] },
      { label: `conv 3×3 ${c1}→${c2} pad 1, [${B}, ${c1}, 28, 28]`, layer: { type: 'conv', in: c1, out: c2, k, pad }, shape: [B, c1, 28, 28] },
      { label: `BatchNorm2d(${c2}), [${B}, ${c2}, 28, 28]`, layer: { type: 'bn', c: c2 }, shape: [B, c2, 28, 28] },
      { label: `linear ${CNN.fcIn}→${CNN.classes}, [${B}, ${CNN.fcIn}]`, layer: { type: 'linear', in: CNN.fcIn, out: CNN.classes }, shape: [B, CNN.fcIn] },
      { label: `cross-entropy, [${B}, ${CNN.classes}]`, layer: { type: 'ce' }, shape: [B, CNN.classes] },
    ];
  }
  const [B, T] = [w.batch, w.seq];
  if (id === 'W7') {
    const { dModel: d, heads, ff } = GPT;
    return [
      { label: `attention: MultiheadAttention(${d}, ${heads} heads), causal, [${B}, ${T}, ${d}]`, layer: { type: 'mha', d, heads }, shape: [B, T, d] },
      { label: `LayerNorm(${d}), [${B}, ${T}, ${d}]`, layer: { type: 'ln', d }, shape: [B, T, d] },
      { label: `linear ${d}→${ff}, [${B}, ${T}, ${d}]`, layer: { type: 'linear', in: d, out: ff }, shape: [B, T, d] },
      { label: `linear ${d}→${vocab} (head), [${B}, ${T}, ${d}]`, layer: { type: 'linear', in: d, out: vocab }, shape: [B, T, d] },
      { label: `cross-entropy, [${B * T}, ${vocab}]`, layer: { type: 'ce' }, shape: [B * T, vocab] },
    ];
  }
  const { embed: e, hidden: h } = LSTM;
  return [
    { label: `LSTM(${e}, ${h}), batch first, [${B}, ${T}, ${e}]`, layer: { type: 'lstm', in: e, hidden: h }, shape: [B, T, e] },
    { label: `linear ${h}→${vocab} (head), [${B}, ${T}, ${h}]`, layer: { type: 'linear', in: h, out: vocab }, shape: [B, T, h] },
    { label: `cross-entropy, [${B * T}, ${vocab}]`, layer: { type: 'ce' }, shape: [B * T, vocab] },
  ];
}

/** Our side of a row: the module with its default init, a random input (and labels for cross-entropy). */
function oursLayer(wg, row, compiled) {
  const { nn } = wg;
  const l = row.layer;
  const x = wg.randn(row.shape, { requiresGrad: row.inputGrad !== false });
  const labels = wg.randint(0, row.shape.at(-1), [row.shape[0]], { dtype: 'int32' });
  const module = {
    conv: () => new nn.Conv2d(l.in, l.out, l.k, { padding: l.pad }),
    bn: () => new nn.BatchNorm2d(l.c),
    ln: () => new nn.LayerNorm(l.d),
    linear: () => new nn.Linear(l.in, l.out),
    mha: () => new nn.MultiheadAttention(l.d, l.heads, { batchFirst: true }),
    lstm: () => new nn.LSTM(l.in, l.hidden, { batchFirst: true }),
    ce: () => undefined,
  }[l.type]();
  const forward =
    {
      mha: () => module.forward(x, x, x, { isCausal: true, needWeights: false })[0].sum(),
      lstm: () => module.forward(x)[0].sum(),
      ce: () => wg.losses.crossEntropy(x, labels),
    }[l.type] ?? (() => module.forward(x).sum());
  let call = () => {
    module?.zeroGrad();
    x.grad = null;
    const loss = forward();
    loss.backward();
    return loss;
  };
  if (compiled) call = wg.compile(call);
  return {
    step: (i, wantLoss) => {
      const loss = call();
      return wantLoss ? loss.item() : undefined;
    },
    sync() {},
  };
}

/** Times every layer row of the workloads in `ids` (W6–W8): returns [{ id, rows: [{ label, cs: { name: { ms, ratio, error } } }] }]. */
export async function measureLayers(ids, { cfg, log, settle, torch, api }) {
  const wg = await loadWasmgrad();
  const { vocab } = loadText();
  const { measureWith } = timer({ cfg: { ...cfg, rounds: Math.min(cfg.rounds, 5), chunkSec: cfg.chunkSec / 2, warmSec: cfg.warmSec / 2 }, settle, log });
  const out = [];
  for (const id of ids.filter((x) => ['W6', 'W7', 'W8'].includes(x))) {
    const rows = [];
    for (const row of layerRows(id, vocab)) {
      const defs = [
        { name: 'wasmgrad', make: () => oursLayer(wg, row, api === 'compiled') },
        ...(api === 'compiled' ? [{ name: 'wasmgrad eager', make: () => oursLayer(wg, row, false) }] : []),
        ...(torch ? [{ name: 'PyTorch', make: () => torchLayerRunner(row) }] : []),
      ];
      const r = await measureWith({ id: `${id} layer`, title: row.label, batch: 1 }, defs);
      const cs = {};
      for (const [name, c] of Object.entries(r.contenders)) cs[name] = { ms: c.rate ? 1000 / c.rate : undefined, ratio: c.ratio, error: c.error };
      rows.push({ label: row.label, cs });
    }
    out.push({ id, rows });
  }
  return out;
}

/** The --layers section of the report. */
export function layersReport(layers) {
  const names = ['wasmgrad', 'wasmgrad eager', 'PyTorch'].filter((n) => layers.some((w) => w.rows.some((r) => r.cs[n])));
  const L = ['', '## Per layer: forward + backward (ms per call, lower is better)', ''];
  L.push(
    'Each layer alone at its shape in the workload: zero the gradients, forward, sum of the output (cross-entropy: the loss), backward, input gradient included (not for the first conv). Medians of rotating rounds; (×r) = PyTorch time / ours (> 1: wasmgrad faster; in the eager column: eager time / compiled).',
    '',
  );
  L.push(`| workload | layer | ${names.join(' | ')} |`, `|---|---|${names.map(() => '---:').join('|')}|`);
  for (const w of layers)
    for (const r of w.rows) {
      const cells = names.map((n) => {
        const c = r.cs[n];
        if (!c) return '';
        if (c.ms === undefined) return c.error ?? 'failed';
        return `${c.ms.toFixed(3)}${c.ratio !== undefined ? ` (${fmtRatio(c.ratio)})` : ''}`;
      });
      L.push(`| ${w.id} | ${r.label} | ${cells.join(' | ')} |`);
    }
  return L.join('\n') + '\n';
}
