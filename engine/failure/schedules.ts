/**
 * The retry clocks: one home for every retry number. Two layers retry, each for its own reason:
 *
 * 1. In the request (adapters/mailerlite/retry.ts, p-retry; seconds). The MailerLite client
 *    retries an error whose rule says `inRequest` — 429, 408, 5xx, timeouts, network failures —
 *    within one call or batch, so a blip costs the record no attempt. A garbled answer is not
 *    retried here: its writes may have happened, and only a fresh look-up can say.
 * 2. Durable (the worker, through engine/failure/decide-failure.ts; minutes to hours). What the
 *    client gave up on, or what needs a second look, is rescheduled in the store, where it
 *    survives restarts; each retry starts again with a look-up of the subscriber. `backoff` is
 *    for outages, `fixed` for a second look after the account directory was reloaded.
 *
 * Which layer retries which error is data: its `onFailure` rule (engine/errors.ts).
 */

/** The durable exponential schedule. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Attempts (the first included) after which a still-failing record becomes a dead letter. */
  maxAttempts: number;
}

/** Hours, not seconds: MailerLite outages can be long, and a record waits in the store meanwhile. */
export const DURABLE_BACKOFF: BackoffOptions = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 25 };

/**
 * Delay before attempt `attempt + 1`: exponential with jitter (half fixed, half random, so a burst
 * of failures does not come back as a burst), and never sooner than the server's Retry-After.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs?: number | null, random = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** The `fixed` schedule: a second look soon after a refresh; a few tries, since waiting longer would not help. */
export const FIXED_RETRY = { delayMs: 1_000, limit: 3 } as const;

/** The in-request schedule of the MailerLite client (p-retry). */
export interface InRequestSchedule {
  /** Retries after the first attempt. */
  retries: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  maxRetryTimeMs: number;
  /** First backoff; doubles each retry, times a random factor in [1, 2). */
  minBackoffMs: number;
  /** Cap on one backoff. */
  maxBackoffMs: number;
}

/** A minute at most: longer than that, the durable schedule takes over. */
export const IN_REQUEST_RETRY: InRequestSchedule = {
  retries: 4,
  maxRetryTimeMs: 60_000,
  minBackoffMs: 250,
  maxBackoffMs: 10_000,
};
