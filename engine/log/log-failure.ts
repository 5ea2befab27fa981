/**
 * How a failure is logged. The remote side's passing trouble that will be retried (a rate limit, a
 * timeout, a reset connection, a 5xx: engine/failure/decide-failure.ts says which) is a warning
 * without a stack — its code and message say all there is, and a stack trace of a 429 would only
 * make it look like a fault. Anything else is an error with its stack, for someone to look into.
 */
import { isTransient } from '../failure/decide-failure.ts';
import type { Logger } from './logger.ts';
import { redactError } from './redact.ts';

export function logFailure(log: Logger, err: unknown, fields: Record<string, unknown>, msg: string): void {
  if (isTransient(err)) log.warn({ ...fields, err: redactError(err, { stack: false }) }, msg);
  else log.error({ ...fields, err }, msg);
}
