/**
 * The fake's rate limits, per token, over a fixed or a sliding window (FakeOptions.rateWindow).
 * Refused requests are not counted, as with Laravel's throttle. Retry-After is in scaled
 * seconds, rounded up, so it is never shorter than the real wait.
 */
export interface Take {
  ok: boolean;
  /** When refused: seconds (scaled) until a slot frees. */
  retryAfter?: number;
}

export interface LimiterSettings {
  limit: () => number;
  timeScale: () => number;
  mode: () => 'fixed' | 'sliding';
  windowSeconds: () => number;
}

interface FixedWindow {
  start: number;
  count: number;
}

export class RateLimiter {
  /** Sliding mode: the times of the requests still inside the window, oldest first. */
  private readonly hits = new Map<string, number[]>();
  /** Fixed mode: the open window of each token. */
  private readonly windows = new Map<string, FixedWindow>();

  constructor(
    private readonly settings: LimiterSettings,
    private readonly now: () => number = Date.now,
  ) {}

  private windowMs(): number {
    return this.settings.windowSeconds() * 1000 * this.settings.timeScale();
  }

  private retryAfter(waitMs: number): number {
    return Math.max(1, Math.ceil(waitMs / (1000 * this.settings.timeScale())));
  }

  take(token: string): Take {
    return this.settings.mode() === 'fixed' ? this.takeFixed(token) : this.takeSliding(token);
  }

  remaining(token: string): number {
    const used = this.settings.mode() === 'fixed' ? (this.openWindow(token)?.count ?? 0) : this.live(token).length;
    return Math.max(0, this.settings.limit() - used);
  }

  currentLimit(): number {
    return this.settings.limit();
  }

  reset(): void {
    this.hits.clear();
    this.windows.clear();
  }

  private openWindow(token: string): FixedWindow | undefined {
    const w = this.windows.get(token);
    if (w && this.now() - w.start < this.windowMs()) return w;
    this.windows.delete(token);
    return undefined;
  }

  private takeFixed(token: string): Take {
    let w = this.openWindow(token);
    if (!w) {
      w = { start: this.now(), count: 0 };
      this.windows.set(token, w);
    }
    if (w.count >= this.settings.limit()) return { ok: false, retryAfter: this.retryAfter(w.start + this.windowMs() - this.now()) };
    w.count++;
    return { ok: true };
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

  private takeSliding(token: string): Take {
    const list = this.live(token);
    if (list.length >= this.settings.limit()) return { ok: false, retryAfter: this.retryAfter(list[0]! + this.windowMs() - this.now()) };
    list.push(this.now());
    return { ok: true };
  }
}
