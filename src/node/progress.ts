/**
 * fit's terminal progress bar (Node TTYs): a cli-progress bar per epoch and the epoch's summary line when it ends. Part of the Node entry, so browser bundles
 * never contain cli-progress.
 */
import cp from 'cli-progress';
import { fmtPct, fmtRate, summaryLine, type Out, type Reporter } from '../train/report.js';

export function terminalBar(out: Out): Reporter {
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
