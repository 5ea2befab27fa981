/** The throughput chart's data: one column per time bucket, one series per outcome seen, zeros filled. */
import type { Outcome, ThroughputBucket } from '../store/types.ts';

export interface ThroughputChart {
  /** Bucket starts in seconds (uPlot's x unit). */
  times: number[];
  series: { outcome: Outcome; counts: number[] }[];
  total: number;
}

const ORDER: readonly Outcome[] = ['created', 'updated', 'skipped', 'failed', 'dead'];

export function throughputChart(buckets: readonly ThroughputBucket[], now: number, bucketMs: number, count: number): ThroughputChart {
  const last = now - (now % bucketMs);
  const first = last - (count - 1) * bucketMs;
  const times = Array.from({ length: count }, (_, i) => (first + i * bucketMs) / 1000);
  const byOutcome = new Map<Outcome, number[]>();
  let total = 0;
  for (const b of buckets) {
    const i = Math.round((b.at - first) / bucketMs);
    if (i < 0 || i >= count) continue;
    const counts = byOutcome.get(b.outcome) ?? new Array<number>(count).fill(0);
    counts[i] = (counts[i] ?? 0) + b.count;
    byOutcome.set(b.outcome, counts);
    total += b.count;
  }
  return { times, series: ORDER.filter((o) => byOutcome.has(o)).map((outcome) => ({ outcome, counts: byOutcome.get(outcome)! })), total };
}
