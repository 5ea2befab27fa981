/**
 * Bounded retries inside the client (p-retry: exponential backoff with jitter) — the first of the
 * two retry layers (engine/failure/schedules.ts holds both clocks). An error is retried here only
 * when its definition's rule says `inRequest`; everything else goes straight out, and so does a
 * retried one once the attempts or the time are spent, for the durable worker to reschedule.
 * Retry-After is enforced by the rate budget, not here: the backoff sleep and the budget's block
 * run concurrently, so the next attempt goes out when both have elapsed.
 */
import pRetry from 'p-retry';
import { isEngineError, type EngineError } from '../../engine/errors.ts';
import { IN_REQUEST_RETRY, type InRequestSchedule } from '../../engine/failure/schedules.ts';
import type { RateBudget } from './rate-budget.ts';

/** The client's in-request schedule; the numbers' one home is IN_REQUEST_RETRY. */
export type RetryPolicy = InRequestSchedule;

export const defaultRetryPolicy: RetryPolicy = IN_REQUEST_RETRY;

/** True when the error's rule lets the client repeat the request before giving it back. */
export function retriedInRequest(err: EngineError): boolean {
  return err.onFailure.action === 'retry' && err.onFailure.inRequest === true;
}

/**
 * True when MailerLite certainly did not carry the request out (429, 408): the only failures after
 * which a request that writes may be repeated at once. After a lost answer (a reset, a timeout, a
 * 5xx from somewhere on the way) the writes may have happened; repeating them blindly writes twice.
 */
export function notCarriedOut(err: EngineError): boolean {
  return err.status === 429 || err.status === 408;
}

export async function withRetries<T>(
  policy: RetryPolicy,
  budget: RateBudget,
  attempt: () => Promise<T>,
  /** Narrows which retryable errors may be retried (e.g. not a timeout of a non-idempotent call). */
  mayRetry: (err: EngineError) => boolean = () => true,
): Promise<T> {
  const started = performance.now();
  return pRetry(attempt, {
    retries: policy.retries,
    minTimeout: policy.minBackoffMs,
    maxTimeout: policy.maxBackoffMs,
    factor: 2,
    randomize: true,
    maxRetryTime: policy.maxRetryTimeMs,
    shouldRetry: ({ error }) => {
      if (!isEngineError(error) || !retriedInRequest(error) || !mayRetry(error)) return false;
      // A Retry-After longer than the time left: hand it to the caller instead of sleeping on it.
      const left = policy.maxRetryTimeMs - (performance.now() - started);
      return budget.blockedForMs() < left;
    },
  });
}
