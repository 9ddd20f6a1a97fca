/**
 * Progress output of fit: a cli-progress bar per epoch in a Node TTY, or one summary line per
 * epoch, or nothing. The bar (src/node/progress.ts) comes from the Node entry, loaded only when a
 * bar is shown, so browsers (and bundlers targeting them) never load it or cli-progress.
 */
import { nodeHost } from '../engine/host.js';
import { summaryLine, type Out, type Reporter } from './report.js';

function stdout(): Out | null {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout && typeof p.stdout.write === 'function' ? p.stdout : null;
}

export const silent: Reporter = { epochBegin() {}, batch() {}, epochEnd() {}, close() {} };

function lines(): Reporter {
  const out = stdout();
  const print = (s: string) => (out ? out.write(`${s}\n`) : console.log(s));
  return { ...silent, epochEnd: (l, epochs) => print(summaryLine(l, epochs)) };
}

/**
 * progress 'auto': the bar in a TTY, else nothing (or lines with verbose); true: the bar in a
 * TTY, else lines; false: nothing, or lines with verbose.
 */
export async function makeReporter(progress: boolean | 'auto', verbose: boolean): Promise<Reporter> {
  const out = stdout();
  const tty = out !== null && out.isTTY === true;
  if (progress !== false && tty) {
    const bar = await nodeHost('fit', 'no terminal bar outside Node').then(
      (h) => h.terminalBar(out),
      () => null,
    );
    return bar ?? lines();
  }
  return progress === true || verbose ? lines() : silent;
}
