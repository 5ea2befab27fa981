/**
 * Bounded retries inside the client (p-retry: exponential backoff with jitter). Only retryable
 * EngineErrors are retried; halting and permanent ones go straight out, and so does a retryable
 * one once the attempts or the time are spent, for the caller (a durable worker) to reschedule.
 * Retry-After is enforced by the rate budget, not here: the backoff sleep and the budget's block
 * run concurrently, so the next attempt goes out when both have elapsed.
 */
import pRetry from 'p-retry';
import { isEngineError, type EngineError } from '../../engine/errors.ts';
import type { RateBudget } from './rate-budget.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (default 4). */
  retries: number;
  /** Stop retrying once this much time has passed since the first attempt (default 60 000 ms). */
  maxRetryTimeMs: number;
  /** First backoff; doubles each retry, times a random factor in [1, 2) (default 250 ms). */
  minBackoffMs: number;
  /** Cap on one backoff (default 10 000 ms). */
  maxBackoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 4,
  maxRetryTimeMs: 60_000,
  minBackoffMs: 250,
  maxBackoffMs: 10_000,
};

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
      if (!isEngineError(error) || error.kind !== 'retryable' || !mayRetry(error)) return false;
      // A Retry-After longer than the time left: hand it to the caller instead of sleeping on it.
      const left = policy.maxRetryTimeMs - (performance.now() - started);
      return budget.blockedForMs() < left;
    },
  });
}
