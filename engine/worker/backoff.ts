/** Retry schedule of the durable worker: hours, not seconds (MailerLite outages can be long). */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Attempts after which a still-retryable record becomes a dead letter. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 25 };

/**
 * Delay before attempt `attempt + 1`: exponential with jitter (half fixed, half random, so a burst
 * of failures does not come back as a burst), and never sooner than the server's Retry-After.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs?: number | null, random = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return Math.max(jittered, retryAfterMs ?? 0);
}
