// classify: status + `errors` keys → one ML_ERR_ code and kind; message text never consulted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allErrors } from '../../engine/errors.ts';
import { classify } from './errors.ts';

const cases: Array<[number, unknown, string | null, string | null]> = [
  [200, {}, null, null],
  [201, {}, null, null],
  [204, null, null, null],
  [429, { message: 'Too Many Attempts.' }, 'ML_ERR_RATE_LIMITED', 'retryable'],
  [408, {}, 'ML_ERR_REQUEST_TIMEOUT', 'retryable'],
  [500, 'Server Error', 'ML_ERR_SERVER', 'retryable'],
  [503, null, 'ML_ERR_SERVER', 'retryable'],
  [401, { message: 'Unauthenticated.' }, 'ML_ERR_UNAUTHENTICATED', 'halting'],
  [403, {}, 'ML_ERR_FORBIDDEN', 'halting'],
  [400, {}, 'ML_ERR_BAD_REQUEST', 'permanent'],
  [404, { message: 'Resource not found.' }, 'ML_ERR_NOT_FOUND', 'permanent'],
  [422, { errors: { email: ['x'] }, subscriber: '18014398510465001' }, 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED', 'permanent'],
  [422, { errors: { email: ['x'] } }, 'ML_ERR_INVALID_EMAIL', 'permanent'],
  [422, { errors: { 'groups.3': ['x'] } }, 'ML_ERR_UNKNOWN_GROUP', 'permanent'],
  [422, { errors: { 'fields.donor_id': ['x'] } }, 'ML_ERR_UNKNOWN_FIELD', 'permanent'],
  [422, { errors: { name: ['Field name must be unique'] } }, 'ML_ERR_VALIDATION', 'permanent'],
  [422, { message: 'This subscriber is unsubscribed' }, 'ML_ERR_VALIDATION', 'permanent'],
  [409, {}, 'ML_ERR_CLIENT', 'permanent'],
];

for (const [status, body, code, kind] of cases) {
  test(`classify ${status} ${JSON.stringify(body)} → ${code ?? 'ok'}`, () => {
    const err = classify(status, body);
    assert.equal(err?.code ?? null, code);
    assert.equal(err?.kind ?? null, kind);
  });
}

test('the unsubscribed error exposes the subscriber id; the rate-limit error carries retryAfterMs', () => {
  assert.equal(classify(422, { errors: { email: [] }, subscriber: '18014398510465001' })!.params.subscriberId, '18014398510465001');
  assert.equal(classify(429, {}, { retryAfterMs: 1500 })!.params.retryAfterMs, 1500);
});

test('every ML_ERR_ code is in the project table with a kind', () => {
  const ml = [...allErrors()].filter(([code]) => code.startsWith('ML_ERR_'));
  assert.ok(ml.length >= 15);
  for (const [, def] of ml) assert.ok(['retryable', 'permanent', 'halting', 'input'].includes(def.kind));
});
