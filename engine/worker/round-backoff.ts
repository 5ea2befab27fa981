/**
 * When a round fails for reasons outside any record (the store refuses writes, the disk is full),
 * the worker waits before the next one: exponential with jitter, capped, so a failing store is
 * neither hammered nor waited on for long once it is back. The log says so once per change of
 * state (failing, failing otherwise, recovered), never once per attempt.
 */
export interface RoundBackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const ROUND_BACKOFF: RoundBackoffOptions = { baseMs: 250, maxMs: 30_000 };

export interface RoundFailure {
  delayMs: number;
  /** True when this failure starts a failing state, or changes why it fails: log it. */
  news: boolean;
}

export class RoundBackoff {
  private streak = 0;
  private why: string | null = null;

  constructor(
    private readonly opts: RoundBackoffOptions = ROUND_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get failing(): boolean {
    return this.streak > 0;
  }

  /** Rounds failed in a row. */
  get failures(): number {
    return this.streak;
  }

  failed(why: string): RoundFailure {
    this.streak++;
    const news = why !== this.why;
    this.why = why;
    const exp = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.min(30, this.streak - 1));
    return { delayMs: exp / 2 + (this.random() * exp) / 2, news };
  }

  /** A round went through; returns how many had failed before it (0: nothing to report). */
  succeeded(): number {
    const n = this.streak;
    this.streak = 0;
    this.why = null;
    return n;
  }
}
