/**
 * The MailerLite adapter's error table. A MailerLite answer is classified from its HTTP status and
 * the keys of its `errors` object, never from `message` text (MailerLite rewords it). Messages
 * name statuses, error keys and ids, never emails or field values.
 */
import { defineErrors, type EngineError, type FailureRule } from '../../engine/errors.ts';

/** Retried by the client within the request first (seconds), then by the worker's durable backoff. */
const inRequestThenBackoff: FailureRule = { action: 'retry', schedule: 'backoff', inRequest: true };
/** Looked at again soon, after reloading the account's groups and fields; a few times, then dead. */
const secondLook: FailureRule = { action: 'retry', schedule: 'fixed', refresh: 'directory' };

export const MlErrors = defineErrors({
  // Retryable: try again later (engine/failure/schedules.ts says which layer retries what).
  ML_ERR_RATE_LIMITED: { kind: 'retryable', status: 429, message: 'MailerLite rate limit reached (retry after {retryAfterMs} ms)', onFailure: inRequestThenBackoff },
  ML_ERR_REQUEST_TIMEOUT: { kind: 'retryable', status: 408, message: 'MailerLite answered 408 Request Timeout', onFailure: inRequestThenBackoff },
  ML_ERR_SERVER: { kind: 'retryable', status: 502, message: 'MailerLite server error {status}', onFailure: inRequestThenBackoff },
  ML_ERR_TIMEOUT: { kind: 'retryable', status: 504, message: 'no answer from MailerLite within {timeoutMs} ms', onFailure: inRequestThenBackoff },
  ML_ERR_NETWORK: { kind: 'retryable', status: 502, message: 'cannot reach MailerLite ({reason})', onFailure: inRequestThenBackoff },
  // A 200 the client cannot read (invalid JSON, a batch answer with too few items): the writes
  // may or may not have happened, so the request is not repeated blindly here. The worker retries
  // the record on its durable schedule, and each retry starts with a fresh look-up.
  ML_ERR_BAD_RESPONSE: { kind: 'retryable', status: 502, message: 'unexpected MailerLite answer: {reason}' },

  // Halting: the key itself is unusable; pause the account until it is fixed.
  ML_ERR_UNAUTHENTICATED: { kind: 'halting', status: 401, message: 'MailerLite refused the API key (401): missing, wrong or revoked' },
  ML_ERR_FORBIDDEN: { kind: 'halting', status: 403, message: 'MailerLite API key lacks access (403)' },

  // Permanent: the same request fails the same way every time. Two of them mean the engine's
  // picture of the account is stale, not that the record is wrong: the record is looked at again
  // (a fresh look-up decides anew, e.g. a PUT for a subscriber who unsubscribed meanwhile).
  ML_ERR_SUBSCRIBER_UNSUBSCRIBED: {
    kind: 'permanent',
    status: 422,
    message: 'subscriber {subscriberId} is unsubscribed (or otherwise not importable) and cannot be upserted',
    onFailure: secondLook,
  },
  ML_ERR_UNKNOWN_GROUP: { kind: 'permanent', status: 422, message: 'MailerLite does not know the group at {key}', onFailure: secondLook },
  // A change MailerLite took in part: the fields (and any groups listed as joined) landed, the
  // group joins were refused, as MailerLite may do for an unsubscribed subscriber. Sent again it
  // would be refused again: dead-lettered at once, saying what landed and which groups did not.
  ML_ERR_GROUP_JOIN_REFUSED: {
    kind: 'permanent',
    status: 422,
    message: 'written in part: {written}; MailerLite refused to add {state} subscriber {subscriberId} to {groups}',
    onFailure: { action: 'dead' },
  },
  ML_ERR_UNKNOWN_FIELD: { kind: 'permanent', status: 422, message: 'MailerLite does not know the field at {key}' },
  ML_ERR_INVALID_EMAIL: { kind: 'permanent', status: 422, message: 'MailerLite refused the email address as invalid' },
  ML_ERR_VALIDATION: { kind: 'permanent', status: 422, message: 'MailerLite refused the request as invalid ({keys})' },
  ML_ERR_NOT_FOUND: { kind: 'permanent', status: 404, message: 'MailerLite resource not found' },
  ML_ERR_BAD_REQUEST: { kind: 'permanent', status: 400, message: 'MailerLite refused the request as malformed (400)' },
  ML_ERR_CLIENT: { kind: 'permanent', status: 400, message: 'MailerLite refused the request ({status})' },

  // Input: the caller misused the client.
  ML_ERR_BATCH_TOO_LARGE: { kind: 'input', status: 400, message: 'a batch holds at most {limit} operations, not {count}' },
  ML_ERR_BATCH_EMPTY: { kind: 'input', status: 400, message: 'a batch needs at least one operation' },
});

export interface ClassifyExtra {
  /** From the answer's Retry-After header, already in this process's milliseconds. */
  retryAfterMs?: number;
}

/**
 * The error an answer stands for, or null for a 2xx. The one classification used for single calls
 * and for each item of a batch alike.
 */
export function classify(code: number, body: unknown, extra: ClassifyExtra = {}): EngineError | null {
  if (code >= 200 && code < 300) return null;
  if (code === 429) return MlErrors.ML_ERR_RATE_LIMITED({ status: code, retryAfterMs: extra.retryAfterMs ?? null });
  if (code === 408) return MlErrors.ML_ERR_REQUEST_TIMEOUT({ status: code });
  if (code >= 500) return MlErrors.ML_ERR_SERVER({ status: code });
  if (code === 401) return MlErrors.ML_ERR_UNAUTHENTICATED({ status: code });
  if (code === 403) return MlErrors.ML_ERR_FORBIDDEN({ status: code });
  if (code === 404) return MlErrors.ML_ERR_NOT_FOUND({ status: code });
  if (code === 400) return MlErrors.ML_ERR_BAD_REQUEST({ status: code });
  if (code === 422) return classifyValidation(body);
  return MlErrors.ML_ERR_CLIENT({ status: code });
}

function classifyValidation(body: unknown): EngineError {
  const errors = isObject(body) && isObject(body.errors) ? body.errors : {};
  const keys = Object.keys(errors);
  const group = keys.find((k) => k.startsWith('groups.'));
  if (group) return MlErrors.ML_ERR_UNKNOWN_GROUP({ status: 422, key: group });
  const field = keys.find((k) => k.startsWith('fields.'));
  if (field) return MlErrors.ML_ERR_UNKNOWN_FIELD({ status: 422, key: field, field: field.slice('fields.'.length) });
  if (keys.includes('email')) {
    const subscriber = isObject(body) ? body.subscriber : undefined;
    // The unsubscribed rule is the only 422 on `email` that names an existing subscriber.
    if (typeof subscriber === 'string' || typeof subscriber === 'number') {
      return MlErrors.ML_ERR_SUBSCRIBER_UNSUBSCRIBED({ status: 422, subscriberId: String(subscriber) });
    }
    return MlErrors.ML_ERR_INVALID_EMAIL({ status: 422 });
  }
  return MlErrors.ML_ERR_VALIDATION({ status: 422, keys: keys.length ? keys.join(',') : 'no error keys' });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
