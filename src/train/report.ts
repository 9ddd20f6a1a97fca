/**
 * What fit's progress output is made of: the Reporter interface and the epoch summary line. Shared
 * by the line reporter (src/train/progress.ts) and the Node terminal bar (src/node/progress.ts);
 * it imports nothing that loads the Node entry, so the two sides do not import each other.
 */
import type { BatchLogs, EpochLogs } from './types.js';

export interface Reporter {
  epochBegin(epoch: number, epochs: number, batches: number): void;
  batch(logs: BatchLogs, samplesPerSecond: number): void;
  epochEnd(logs: EpochLogs, epochs: number): void;
  /** Stops a bar still running (training ended by an error). Idempotent. */
  close(): void;
}

export type Out = { write(s: string): unknown; isTTY?: boolean };

export const fmtRate = (r: number) => (Number.isFinite(r) ? String(Math.round(r)) : '-');
export const fmtPct = (a: number) => `${(a * 100).toFixed(2)}%`;

/** The one-line summary of an epoch. */
export function summaryLine(l: EpochLogs, epochs: number): string {
  let s = `epoch ${l.epoch}/${epochs}  loss ${l.loss.toFixed(4)}`;
  if (l.accuracy !== undefined) s += `  accuracy ${fmtPct(l.accuracy)}`;
  if (l.valLoss !== undefined) s += `  valLoss ${l.valLoss.toFixed(4)}`;
  if (l.valAccuracy !== undefined) s += `  valAccuracy ${fmtPct(l.valAccuracy)}`;
  return `${s}  ${l.seconds.toFixed(1)}s  ${fmtRate(l.samplesPerSecond)} samples/s`;
}
