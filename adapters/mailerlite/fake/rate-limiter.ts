/**
 * The fake's rate limits, per token: a sliding window over the last (scaled) minute. Refused
 * requests are not counted, as with Laravel's throttle. Retry-After is in scaled seconds,
 * rounded up, so it is never shorter than the real wait.
 */
export interface Take {
  ok: boolean;
  /** When refused: seconds (scaled) until a slot frees. */
  retryAfter?: number;
}

export class SlidingLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: () => number,
    private readonly timeScale: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  private windowMs(): number {
    return 60_000 * this.timeScale();
  }

  private live(token: string): number[] {
    let list = this.hits.get(token);
    if (!list) {
      list = [];
      this.hits.set(token, list);
    }
    const cutoff = this.now() - this.windowMs();
    let n = 0;
    while (n < list.length && list[n]! <= cutoff) n++;
    if (n) list.splice(0, n);
    return list;
  }

  take(token: string): Take {
    const list = this.live(token);
    if (list.length >= this.limit()) {
      const waitMs = list[0]! + this.windowMs() - this.now();
      return { ok: false, retryAfter: Math.max(1, Math.ceil(waitMs / (1000 * this.timeScale()))) };
    }
    list.push(this.now());
    return { ok: true };
  }

  remaining(token: string): number {
    return Math.max(0, this.limit() - this.live(token).length);
  }

  currentLimit(): number {
    return this.limit();
  }

  reset(): void {
    this.hits.clear();
  }
}
