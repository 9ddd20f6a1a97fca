// CPU time per step of contenders timed in interleaved rounds (each round runs all of them back to
// back, in alternating order), so that machine noise hits them alike: bench/composite.ts and
// bench/accumulate.ts. CPU time of this process rather than wall time: on a shared machine the wall
// clock also counts the time other jobs hold the core.

/** ms per step of each contender in each round: times[contender][round], after one warm-up chunk each. */
export function cpuRounds(steps: (() => void)[], perChunk: number, rounds: number): number[][] {
  const chunk = (step: () => void) => {
    const t0 = process.cpuUsage();
    for (let s = 0; s < perChunk; s++) step();
    const dt = process.cpuUsage(t0);
    return (dt.user + dt.system) / 1000 / perChunk;
  };
  steps.forEach(chunk); // warm-up
  const order = steps.map((_, i) => i);
  const times: number[][] = steps.map(() => []);
  for (let r = 0; r < rounds; r++) for (const i of r % 2 ? [...order].reverse() : order) times[i].push(chunk(steps[i]));
  return times;
}

export const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
