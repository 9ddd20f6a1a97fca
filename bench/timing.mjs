// The timing protocol shared by the Node bench (run.mjs) and the in-page browser bench
// (browser/page.mjs): build each contender, check its loss at steps 1 and 5, warm it up, then time
// rounds of chunks in rotating order. Plain ESM with no Node import, so a page can load it.
//
// `env` = { cfg, settle, log }: cfg holds the durations (see CFG in run.mjs), settle() runs before
// every timed chunk (a full GC and event-loop turns where the host allows), log(...) reports progress.
import { cellError, fmtRate, initParams, isNotReady, makeBatches, median } from './common.mjs';

const now = () => performance.now();

export function describeError(e, who) {
  if (who === 'wasmgrad' && isNotReady(e)) return `n/a (op not ready: ${cellError(e)})`;
  return `failed: ${cellError(e)}`;
}

/** Returns { measure(spec, contenders, train), measureWith(spec, contenders, init, batches) } for one host; contenders = [{ name, make(spec, init, batches) }], ours first. */
export function timer({ cfg, settle, log }) {
  /** Runs `steps` training steps of a contender and returns the elapsed ms (clock stopped after sync). */
  async function chunk(c, steps) {
    await c.runner.enter?.();
    await settle();
    if (c.runner.chunk) {
      // A peer in another process (PyTorch) times its own steps: the message passing is not billed.
      const ms = await c.runner.chunk(c.next, steps);
      c.next += steps;
      return ms;
    }
    const step = c.runner.step;
    const t0 = now();
    for (let k = 0; k < steps; k++) {
      const r = step(c.next++, false);
      if (r !== undefined) await r; // a runner whose step is asynchronous (jax-js 'await')
    }
    await c.runner.sync();
    return now() - t0;
  }

  /**
   * For a runner offering several equivalent ways to run a step (jax-js: how each step is realized),
   * keeps the fastest on this workload: each variant is warmed up, then timed in alternation.
   */
  async function pickVariant(c) {
    const names = Object.keys(c.runner.variants);
    const per = {};
    for (const v of names) {
      c.runner.step = c.runner.variants[v];
      let n = 2;
      for (let k = 0; k < 4; k++) n = Math.max(2, Math.round((cfg.warmSec * 100) / ((await chunk(c, n)) / n)));
      per[v] = { n, ms: [] };
    }
    for (let r = 0; r < 3; r++) {
      for (const v of names) {
        c.runner.step = c.runner.variants[v];
        per[v].ms.push((await chunk(c, per[v].n)) / per[v].n);
      }
    }
    const best = names.reduce((a, b) => (median(per[a].ms) <= median(per[b].ms) ? a : b));
    c.runner.step = c.runner.variants[best];
    c.variant = `${best} (${names.map((v) => `${v} ${median(per[v].ms).toFixed(3)}`).join(' / ')} ms/step)`;
    log(`  ${c.name.padEnd(10)} variant: ${c.variant}`);
  }

  /** Builds a contender, records its loss at steps 1 and 5 (same batches, same weights), warms it up and sizes its chunks. */
  async function prepare(c, spec, init, batches) {
    try {
      c.runner = await c.make(spec, init, batches);
      await c.runner.enter?.();
      c.loss1 = await c.runner.step(0, true);
      for (let k = 1; k < 5; k++) {
        const v = await c.runner.step(k, k === 4);
        if (k === 4) c.loss5 = v;
      }
      c.next = 5;
      // Dropout is off for the five checked steps (masks come from each library's own generator).
      await c.runner.afterCheck?.();
      if (c.runner.variants) await pickVariant(c);
      // Warm-up in synced chunks (≥ 3, ≥ warmSec in all): wasm code tiers up from Liftoff to
      // TurboFan only on later calls, and jax-js compiles its kernels lazily at the first sync.
      const t0 = now();
      // Stop once two consecutive chunks agree within 15 % (or after 4 × warmSec).
      let steps = 0,
        per = cfg.minWarmSteps,
        chunks = 0,
        msPerStep = Infinity,
        prev = Infinity;
      for (;;) {
        const ms = await chunk(c, per);
        steps += per;
        chunks++;
        [prev, msPerStep] = [msPerStep, ms / per];
        const elapsed = now() - t0;
        const stable = Math.abs(msPerStep - prev) <= 0.15 * Math.max(msPerStep, prev);
        if (chunks >= 3 && elapsed >= cfg.warmSec * 1000 && (stable || elapsed >= 4 * cfg.warmSec * 1000)) break;
        per = Math.max(1, Math.round((cfg.warmSec * 200) / msPerStep));
      }
      c.chunkSteps = Math.max(cfg.minChunkSteps, Math.round((cfg.chunkSec * 1000) / msPerStep));
      c.note = c.runner.note;
      log(`  ${c.name.padEnd(10)} ready: ${steps + 5} warm-up steps, ${msPerStep.toFixed(3)} ms/step, ${c.chunkSteps} steps per chunk (${c.note ?? ''})`);
    } catch (e) {
      c.error = describeError(e, c.name);
      log(`  ${c.name.padEnd(10)} ${c.error}`);
      if (globalThis.process?.env?.BENCH_DEBUG) log(e);
    }
  }

  /** Measures one workload on `train` (MNIST { x, y }, and the text's { text, vocab } for W7/W8); the result holds no runner (it can be posted). */
  function measure(spec, defs, train) {
    return measureWith(spec, defs, initParams(spec, train), makeBatches(spec, train));
  }

  /** As measure, with the initial weights and batches given (undefined for runners that bring their own). */
  async function measureWith(spec, defs, init, batches) {
    log(`\n[${spec.id}] ${spec.title}`);
    const cs = defs.map((d) => ({ name: d.name, make: d.make, samples: [], perRound: [] }));
    for (const c of cs) await prepare(c, spec, init, batches);
    for (let r = 0; r < cfg.rounds; r++) {
      const order = cs.map((_, i) => cs[(i + r) % cs.length]);
      const round = {};
      for (const c of order) {
        if (c.error) continue;
        try {
          const ms = await chunk(c, c.chunkSteps);
          round[c.name] = (c.chunkSteps * spec.batch * 1000) / ms;
          c.samples.push(round[c.name]);
        } catch (e) {
          c.error = describeError(e, c.name);
          log(`  ${c.name} ${c.error}`);
        }
      }
      for (const c of cs) c.perRound.push(round[c.name]);
      log(
        `  round ${r + 1}/${cfg.rounds}: ${cs
          .filter((c) => round[c.name])
          .map((c) => `${c.name} ${fmtRate(round[c.name])}`)
          .join(', ')}`,
      );
    }
    for (const c of cs) {
      try {
        await c.runner?.dispose?.();
      } catch {
        // a peer that fails to free its tensors does not change the measurements
      }
    }
    const ours = cs[0];
    const result = { spec, contenders: {} };
    for (const c of cs) {
      const ratios = c === ours ? [] : c.perRound.map((v, i) => (v && ours.perRound[i] ? ours.perRound[i] / v : undefined)).filter((x) => x !== undefined);
      result.contenders[c.name] = {
        error: c.error,
        note: c.note,
        variant: c.variant,
        rate: c.samples.length ? median(c.samples) : undefined,
        ratio: ratios.length ? median(ratios) : undefined,
        perRound: c.perRound, // samples/s per round (undefined where it failed), for other ratios (run.mjs --threads)
        loss1: c.loss1,
        loss5: c.loss5,
        lossComparable: c.runner?.lossComparable !== false,
      };
    }
    return result;
  }

  return { measure, measureWith };
}
