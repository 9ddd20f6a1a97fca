/**
 * Progress output of fit: a cli-progress bar per epoch in a Node TTY, or one summary line per
 * epoch, or nothing. cli-progress is loaded with a dynamic import only when a bar is shown, so
 * browsers (and bundlers targeting them) never load it.
 */
import type { BatchLogs, EpochLogs } from './types.js';

export interface Reporter {
  epochBegin(epoch: number, epochs: number, batches: number): void;
  batch(logs: BatchLogs, samplesPerSecond: number): void;
  epochEnd(logs: EpochLogs, epochs: number): void;
  /** Stops a bar still running (training ended by an error). Idempotent. */
  close(): void;
}

type Out = { write(s: string): unknown; isTTY?: boolean };

function stdout(): Out | null {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout && typeof p.stdout.write === 'function' ? p.stdout : null;
}

const fmtRate = (r: number) => (Number.isFinite(r) ? String(Math.round(r)) : '-');
const fmtPct = (a: number) => `${(a * 100).toFixed(2)}%`;

/** The one-line summary of an epoch. */
export function summaryLine(l: EpochLogs, epochs: number): string {
  let s = `epoch ${l.epoch}/${epochs}  loss ${l.loss.toFixed(4)}`;
  if (l.accuracy !== undefined) s += `  accuracy ${fmtPct(l.accuracy)}`;
  if (l.valLoss !== undefined) s += `  valLoss ${l.valLoss.toFixed(4)}`;
  if (l.valAccuracy !== undefined) s += `  valAccuracy ${fmtPct(l.valAccuracy)}`;
  return `${s}  ${l.seconds.toFixed(1)}s  ${fmtRate(l.samplesPerSecond)} samples/s`;
}

const silent: Reporter = { epochBegin() {}, batch() {}, epochEnd() {}, close() {} };

function lines(): Reporter {
  const out = stdout();
  const print = (s: string) => (out ? out.write(`${s}\n`) : console.log(s));
  return { ...silent, epochEnd: (l, epochs) => print(summaryLine(l, epochs)) };
}

async function bar(out: Out): Promise<Reporter | null> {
  let cp: typeof import('cli-progress');
  try {
    const mod = await import('cli-progress');
    cp = (mod as { default?: typeof import('cli-progress') }).default ?? mod;
  } catch {
    return null;
  }
  const b = new cp.SingleBar(
    {
      format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss}{acc} | {rate} samples/s',
      // process.stdout in Node; typed loosely here so this file carries no Node types.
      stream: out as unknown as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cp.Presets.shades_classic,
  );
  let running = false;
  let last = 0;
  return {
    epochBegin(epoch, epochs, batches) {
      b.start(batches, 0, { epoch, epochs, loss: '-', acc: '', rate: '-' });
      running = true;
      last = 0;
    },
    batch(l, rate) {
      // The bar redraws at most 10 times a second: skip the payload formatting in between.
      const t = performance.now();
      if (t - last < 50 && l.batch < l.batches) return;
      last = t;
      b.update(l.batch, { loss: l.meanLoss.toFixed(4), acc: l.accuracy === undefined ? '' : ` | accuracy ${fmtPct(l.accuracy)}`, rate: fmtRate(rate) });
    },
    epochEnd(l, epochs) {
      if (running) b.stop();
      running = false;
      out.write(`${summaryLine(l, epochs)}\n`);
    },
    close() {
      if (running) b.stop();
      running = false;
    },
  };
}

/**
 * progress 'auto': the bar in a TTY, else nothing (or lines with verbose); true: the bar in a
 * TTY, else lines; false: nothing, or lines with verbose.
 */
export async function makeReporter(progress: boolean | 'auto', verbose: boolean): Promise<Reporter> {
  const out = stdout();
  const tty = out !== null && out.isTTY === true;
  if (progress !== false && tty) return (await bar(out)) ?? lines();
  return progress === true || verbose ? lines() : silent;
}
