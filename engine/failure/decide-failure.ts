/**
 * What happens to a record whose processing failed: retry it later (after how long, refreshing
 * what), pause its account, or dead-letter it. Decided from the error's `onFailure` rule
 * (engine/errors.ts), the attempt count, the server's Retry-After (carried by the error) and a
 * random source for the jitter — nothing else, so it is a table of cases (decide-failure.test.ts).
 * The worker applies the decision; it names no error code.
 */
import { isEngineError, type EngineError, type ErrorKind } from '../errors.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { backoffDelay, DURABLE_BACKOFF, FIXED_RETRY, type BackoffOptions } from './schedules.ts';

export type FailureDecision =
  | { action: 'retry'; delayMs: number; refresh: 'directory' | null }
  | { action: 'pause' }
  /** `error` is what the dead letter records: the failure itself, or ENGINE_ERR_RETRIES_EXHAUSTED naming it. */
  | { action: 'dead'; error: EngineError };

export interface FailureContext {
  /** The attempt that just failed, the first being 1. */
  attempts: number;
  /** The durable schedule (the worker's option; tests shorten it). Default: DURABLE_BACKOFF. */
  backoff?: BackoffOptions;
  random?: () => number;
}

export function decideFailure(error: EngineError, ctx: FailureContext): FailureDecision {
  const rule = error.onFailure;
  if (rule.action === 'pause') return { action: 'pause' };
  if (rule.action === 'dead') return { action: 'dead', error };
  const backoff = ctx.backoff ?? DURABLE_BACKOFF;
  const limit = rule.limit ?? (rule.schedule === 'backoff' ? backoff.maxAttempts : FIXED_RETRY.limit);
  if (ctx.attempts >= limit) {
    const final = standsAsItself(error.kind)
      ? error
      : PipelineErrors.ENGINE_ERR_RETRIES_EXHAUSTED({ attempts: ctx.attempts, code: error.code, detail: error.message });
    return { action: 'dead', error: final };
  }
  const retryAfterMs = retryAfterOf(error);
  const delayMs = rule.schedule === 'fixed'
    ? Math.max(FIXED_RETRY.delayMs, retryAfterMs ?? 0)
    : backoffDelay(ctx.attempts, backoff, retryAfterMs, ctx.random ?? Math.random);
  return { action: 'retry', delayMs, refresh: rule.refresh ?? null };
}

/**
 * At its retry limit, is the record dead-lettered with the error itself? A transient failure that
 * outlasted its schedule is recorded as retries exhausted (naming it); an error that was given a
 * second look (a permanent one retried after a refresh) stands as itself.
 */
export function standsAsItself(kind: ErrorKind): boolean {
  return kind !== 'retryable';
}

/**
 * True for the remote side's passing trouble — a rate limit, a timeout, a reset connection, a 5xx:
 * the errors whose rule has the client retry them within the request before anyone else sees
 * them. Expected in the normal course of things and retried, they are logged as warnings without
 * a stack (engine/log/log-failure.ts); anything else is a fault to look into.
 */
export function isTransient(err: unknown): err is EngineError {
  return isEngineError(err) && err.onFailure.action === 'retry' && err.onFailure.inRequest === true;
}

/** True when an error stops its whole account rather than one record (a refused API key). */
export function pausesAccount(error: EngineError): boolean {
  return error.onFailure.action === 'pause';
}

/** The server's Retry-After, which classification put in the error's params, in ms. */
function retryAfterOf(error: EngineError): number | null {
  const v = error.params.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}
