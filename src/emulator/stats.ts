/** Latency statistics (pure). */

/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[sorted.length - 1]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

export function latencySummary(samples: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: round(percentile(arr, 50)),
    p99: round(percentile(arr, 99)),
    max: round(percentile(arr, 100)),
  };
}

/**
 * Keeps every sample up to `cap`, then a uniform reservoir (algorithm R), so a run of any length
 * keeps bounded memory while p50/p99 stay unbiased.
 */
export class LatencyReservoir {
  readonly samples: number[] = [];
  private seen = 0;
  constructor(
    private readonly cap = 100_000,
    private readonly random: () => number = Math.random,
  ) {}
  add(ms: number): void {
    this.seen++;
    if (this.samples.length < this.cap) {
      this.samples.push(ms);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.cap) this.samples[j] = ms;
  }
}
