// decideFailure as a table: (rule, attempt, Retry-After, random) → retry(delay, refresh) / pause / dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlErrors } from '../../adapters/mailerlite/index.ts';
import { EngineError, type ErrorDef, type ErrorParams } from '../errors.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { decideFailure, pausesAccount, type FailureDecision } from './decide-failure.ts';
import { FIXED_RETRY, type BackoffOptions } from './schedules.ts';

const BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 8_000, maxAttempts: 5 };

const def = (d: Partial<ErrorDef> & Pick<ErrorDef, 'kind'>): ErrorDef => ({ message: 'failed: {detail}', ...d });
const err = (d: ErrorDef, params: ErrorParams = {}): EngineError => new EngineError('TEST_ERR_CASE', d, params);

/** The decision, with a dead letter reduced to its code so cases compare as data. */
type Expected =
  | { action: 'retry'; delayMs: number; refresh: 'directory' | null }
  | { action: 'pause' }
  | { action: 'dead'; code: string };

interface Case {
  name: string;
  error: EngineError;
  attempts: number;
  random?: number;
  expect: Expected;
}

const transient = def({ kind: 'retryable' });
const cases: Case[] = [
  // Defaults by kind.
  { name: 'retryable: backoff, no jitter drawn low', error: err(transient), attempts: 1, random: 0, expect: { action: 'retry', delayMs: 500, refresh: null } },
  { name: 'retryable: backoff, jitter drawn high', error: err(transient), attempts: 1, random: 1, expect: { action: 'retry', delayMs: 1_000, refresh: null } },
  { name: 'retryable: doubles each attempt', error: err(transient), attempts: 3, random: 1, expect: { action: 'retry', delayMs: 4_000, refresh: null } },
  { name: 'retryable: capped at maxMs', error: err(transient), attempts: 4, random: 1, expect: { action: 'retry', delayMs: 8_000, refresh: null } },
  { name: "retryable: never sooner than the server's Retry-After", error: err(transient, { retryAfterMs: 20_000 }), attempts: 1, random: 1, expect: { action: 'retry', delayMs: 20_000, refresh: null } },
  { name: 'retryable: a Retry-After shorter than the backoff does not shorten it', error: err(transient, { retryAfterMs: 10 }), attempts: 2, random: 1, expect: { action: 'retry', delayMs: 2_000, refresh: null } },
  { name: 'retryable: an unusable Retry-After is ignored', error: err(transient, { retryAfterMs: null }), attempts: 1, random: 1, expect: { action: 'retry', delayMs: 1_000, refresh: null } },
  { name: 'retryable: the last attempt dead-letters as retries exhausted', error: err(transient), attempts: 5, expect: { action: 'dead', code: 'ENGINE_ERR_RETRIES_EXHAUSTED' } },
  { name: 'halting: pauses, whatever the attempt', error: err(def({ kind: 'halting' })), attempts: 1, expect: { action: 'pause' } },
  { name: 'halting: pauses even past the retry limit', error: err(def({ kind: 'halting' })), attempts: 99, expect: { action: 'pause' } },
  { name: 'permanent: dead at once with its own code', error: err(def({ kind: 'permanent' })), attempts: 1, expect: { action: 'dead', code: 'TEST_ERR_CASE' } },
  { name: 'input: dead at once with its own code', error: err(def({ kind: 'input' })), attempts: 1, expect: { action: 'dead', code: 'TEST_ERR_CASE' } },
  // Rules stated in the definition.
  {
    name: 'fixed with a refresh: a second look soon, the directory reloaded',
    error: err(def({ kind: 'permanent', onFailure: { action: 'retry', schedule: 'fixed', refresh: 'directory' } })),
    attempts: 1, random: 1,
    expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: 'directory' },
  },
  {
    name: 'fixed: no jitter and no growth',
    error: err(def({ kind: 'permanent', onFailure: { action: 'retry', schedule: 'fixed', refresh: 'directory' } })),
    attempts: FIXED_RETRY.limit - 1, random: 0,
    expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: 'directory' },
  },
  {
    name: 'fixed on a permanent error: at its limit the error stands as itself',
    error: err(def({ kind: 'permanent', onFailure: { action: 'retry', schedule: 'fixed', refresh: 'directory' } })),
    attempts: FIXED_RETRY.limit,
    expect: { action: 'dead', code: 'TEST_ERR_CASE' },
  },
  {
    name: 'fixed on a retryable error: at its limit, retries exhausted',
    error: err(def({ kind: 'retryable', onFailure: { action: 'retry', schedule: 'fixed' } })),
    attempts: FIXED_RETRY.limit,
    expect: { action: 'dead', code: 'ENGINE_ERR_RETRIES_EXHAUSTED' },
  },
  {
    name: "a definition's limit overrides the schedule's",
    error: err(def({ kind: 'retryable', onFailure: { action: 'retry', schedule: 'backoff', limit: 2 } })),
    attempts: 2,
    expect: { action: 'dead', code: 'ENGINE_ERR_RETRIES_EXHAUSTED' },
  },
  {
    name: "a limit above the schedule's keeps retrying",
    error: err(def({ kind: 'retryable', onFailure: { action: 'retry', schedule: 'fixed', limit: 6 } })),
    attempts: 5, random: 0,
    expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: null },
  },
  {
    name: 'a retryable error ruled dead is dead at once',
    error: err(def({ kind: 'retryable', onFailure: { action: 'dead' } })),
    attempts: 1,
    expect: { action: 'dead', code: 'TEST_ERR_CASE' },
  },
  // The project's own definitions whose rule is not their kind's default.
  { name: 'ML_ERR_BAD_RESPONSE: retried on the durable schedule', error: MlErrors.ML_ERR_BAD_RESPONSE({ reason: 'x' }), attempts: 1, random: 0, expect: { action: 'retry', delayMs: 500, refresh: null } },
  { name: 'ML_ERR_BAD_RESPONSE: exhausted like any transient failure', error: MlErrors.ML_ERR_BAD_RESPONSE({ reason: 'x' }), attempts: 5, expect: { action: 'dead', code: 'ENGINE_ERR_RETRIES_EXHAUSTED' } },
  { name: 'ML_ERR_RATE_LIMITED: Retry-After honoured', error: MlErrors.ML_ERR_RATE_LIMITED({ retryAfterMs: 30_000 }), attempts: 1, random: 0, expect: { action: 'retry', delayMs: 30_000, refresh: null } },
  { name: 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED: looked at again with a refresh', error: MlErrors.ML_ERR_SUBSCRIBER_UNSUBSCRIBED({ subscriberId: '1' }), attempts: 1, expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: 'directory' } },
  { name: 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED: dead as itself at the limit', error: MlErrors.ML_ERR_SUBSCRIBER_UNSUBSCRIBED({ subscriberId: '1' }), attempts: FIXED_RETRY.limit, expect: { action: 'dead', code: 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED' } },
  { name: 'ML_ERR_UNKNOWN_GROUP: looked at again with a refresh', error: MlErrors.ML_ERR_UNKNOWN_GROUP({ key: 'groups.0' }), attempts: 2, expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: 'directory' } },
  { name: 'ENGINE_ERR_UNKNOWN_GROUP: looked at again with a refresh, not a pause', error: PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group: 'VIP', slot: 'new' }), attempts: 1, expect: { action: 'retry', delayMs: FIXED_RETRY.delayMs, refresh: 'directory' } },
  { name: 'ENGINE_ERR_UNKNOWN_GROUP: dead as itself at the limit', error: PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group: 'VIP', slot: 'new' }), attempts: FIXED_RETRY.limit, expect: { action: 'dead', code: 'ENGINE_ERR_UNKNOWN_GROUP' } },
  { name: 'ML_ERR_UNAUTHENTICATED: pauses the account', error: MlErrors.ML_ERR_UNAUTHENTICATED(), attempts: 1, expect: { action: 'pause' } },
  { name: 'ML_ERR_UNKNOWN_FIELD: dead at once', error: MlErrors.ML_ERR_UNKNOWN_FIELD({ key: 'fields.x' }), attempts: 1, expect: { action: 'dead', code: 'ML_ERR_UNKNOWN_FIELD' } },
];

function comparable(d: FailureDecision): Expected {
  return d.action === 'dead' ? { action: 'dead', code: d.error.code } : d;
}

for (const c of cases) {
  test(`decideFailure: ${c.name}`, () => {
    const decision = decideFailure(c.error, { attempts: c.attempts, backoff: BACKOFF, random: () => c.random ?? 0.5 });
    assert.deepEqual(comparable(decision), c.expect);
  });
}

test('a retries-exhausted dead letter names the failure it gave up on and the attempts', () => {
  const d = decideFailure(MlErrors.ML_ERR_SERVER({ status: 503 }), { attempts: 5, backoff: BACKOFF });
  assert.equal(d.action, 'dead');
  if (d.action !== 'dead') return;
  assert.match(d.error.message, /gave up after 5 attempts; last error ML_ERR_SERVER: MailerLite server error 503/);
});

test('without a backoff given, the durable schedule applies (25 attempts, 30 s first)', () => {
  const first = decideFailure(err(transient), { attempts: 1, random: () => 1 });
  assert.deepEqual(first, { action: 'retry', delayMs: 30_000, refresh: null });
  assert.equal(decideFailure(err(transient), { attempts: 24, random: () => 1 }).action, 'retry');
  assert.equal(decideFailure(err(transient), { attempts: 25 }).action, 'dead');
});

test('pausesAccount: halting errors only', () => {
  assert.equal(pausesAccount(MlErrors.ML_ERR_FORBIDDEN()), true);
  assert.equal(pausesAccount(PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group: 'VIP', slot: 'new' })), false);
  assert.equal(pausesAccount(MlErrors.ML_ERR_SERVER({ status: 500 })), false);
});
