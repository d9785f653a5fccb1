// Small measurement helpers: percentiles (nearest-rank), a bounded-concurrency loop, rounding.

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? NaN;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Runs `task` for 0..count-1 with at most `concurrency` in flight; `onDone` sees the running total. */
export async function forEachLimited(count: number, concurrency: number, task: (index: number) => Promise<void>, onDone?: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** A progress printer that says something at most every `everyMs`. */
export function progress(label: string, total: number, everyMs = 5_000): (done: number) => void {
  let last = 0;
  const started = Date.now();
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < everyMs) return;
    last = now;
    console.log(`  ${label}: ${done}/${total} (${((now - started) / 1000).toFixed(1)} s)`);
  };
}
