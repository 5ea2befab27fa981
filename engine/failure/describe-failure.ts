/**
 * A definition's failure rule in words and in resolved numbers, for `engine errors`: the limit
 * and delays the rule leaves to its schedule are filled in from engine/failure/schedules.ts.
 */
import type { ResolvedErrorDef } from '../errors.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { standsAsItself } from './decide-failure.ts';
import { DURABLE_BACKOFF, FIXED_RETRY, IN_REQUEST_RETRY } from './schedules.ts';

export type FailureFacts =
  | {
      action: 'retry';
      /** The client's in-request retries first, or null when the request is not repeated. */
      inRequest: { retries: number; minBackoffMs: number; maxBackoffMs: number; maxRetryTimeMs: number } | null;
      schedule: 'backoff' | 'fixed';
      /** Delay before the first durable retry, and its cap (equal for `fixed`). */
      firstDelayMs: number;
      maxDelayMs: number;
      /** Attempts, the first included, before the record is dead-lettered. */
      limit: number;
      refresh: 'directory' | null;
      /** The code the dead letter carries once the limit is reached. */
      deadAs: string;
    }
  | { action: 'pause' }
  | { action: 'dead' };

export function failureFacts(code: string, def: ResolvedErrorDef): FailureFacts {
  const rule = def.onFailure;
  if (rule.action === 'pause') return { action: 'pause' };
  if (rule.action === 'dead') return { action: 'dead' };
  const fixed = rule.schedule === 'fixed';
  const { retries, minBackoffMs, maxBackoffMs, maxRetryTimeMs } = IN_REQUEST_RETRY;
  return {
    action: 'retry',
    inRequest: rule.inRequest ? { retries, minBackoffMs, maxBackoffMs, maxRetryTimeMs } : null,
    schedule: rule.schedule,
    firstDelayMs: fixed ? FIXED_RETRY.delayMs : DURABLE_BACKOFF.baseMs,
    maxDelayMs: fixed ? FIXED_RETRY.delayMs : DURABLE_BACKOFF.maxMs,
    limit: rule.limit ?? (fixed ? FIXED_RETRY.limit : DURABLE_BACKOFF.maxAttempts),
    refresh: rule.refresh ?? null,
    deadAs: standsAsItself(def.kind) ? code : PipelineErrors.ENGINE_ERR_RETRIES_EXHAUSTED.code,
  };
}

export function describeFailure(facts: FailureFacts): string {
  if (facts.action !== 'retry') {
    return facts.action === 'pause' ? 'pause the account' : 'dead-letter';
  }
  const parts: string[] = [];
  if (facts.inRequest) {
    const r = facts.inRequest;
    parts.push(`in request ${r.retries}x ${ms(r.minBackoffMs)}..${ms(r.maxBackoffMs)} (<= ${ms(r.maxRetryTimeMs)})`);
  }
  if (facts.refresh) parts.push(`refresh ${facts.refresh}`);
  parts.push(facts.schedule === 'fixed' ? `every ${ms(facts.firstDelayMs)}` : `backoff ${ms(facts.firstDelayMs)}..${ms(facts.maxDelayMs)}`);
  parts.push(`${facts.limit} attempts, then dead as ${facts.deadAs}`);
  return `retry: ${parts.join(', ')}`;
}

function ms(n: number): string {
  if (n % 3_600_000 === 0) return `${n / 3_600_000} h`;
  if (n % 60_000 === 0) return `${n / 60_000} min`;
  if (n % 1_000 === 0) return `${n / 1_000} s`;
  return `${n} ms`;
}
