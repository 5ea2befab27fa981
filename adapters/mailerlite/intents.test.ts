import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Subscriber, SubscriberStatus } from '../../engine/ports/directory.ts';
import type { Intent, UpdateIntent } from '../../engine/ports/intents.ts';
import { classify } from './errors.ts';
import { composeRound, describe, readRound, requestsFor, WRITE_BY_STATE } from './intents.ts';

function sub(status: SubscriberStatus, id = '555'): Subscriber {
  return { id, email: 'jane@example.org', status, fields: {}, groups: [] };
}
const update = (status: SubscriberStatus, over: Partial<UpdateIntent> = {}): UpdateIntent => ({
  kind: 'update', email: 'jane@example.org', subscriber: sub(status), fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' }, groups: ['101'], ...over,
});
const allFields = { name: 'Jane', street_address: '1 Main St', city: 'Oakland' };

test('create: one upsert with status, group ids and field keys', () => {
  assert.deepEqual(requestsFor({ kind: 'create', email: 'jane@example.org', fields: allFields, groups: ['101'], status: 'unconfirmed' }), [{
    method: 'POST', path: 'api/subscribers',
    body: { email: 'jane@example.org', fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' }, groups: ['101'], status: 'unconfirmed' },
  }]);
});

test('update of an active subscriber: upsert without status, only changed fields and new groups', () => {
  const ops = requestsFor(update('active', { fields: { street_address: '1 Main St' } }));
  assert.deepEqual(ops, [{ method: 'POST', path: 'api/subscribers', body: { email: 'jane@example.org', fields: { street_address: '1 Main St' }, groups: ['101'] } }]);
  assert.ok(!('status' in (ops[0]!.body as object)));
});

test('update of an unsubscribed subscriber: PUT with fields only (never groups), groups one by one', () => {
  assert.deepEqual(requestsFor(update('unsubscribed')), [
    { method: 'PUT', path: 'api/subscribers/555', body: { fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' } } },
    { method: 'POST', path: 'api/subscribers/555/groups/101' },
  ]);
});

test('unsubscribed/bounced/junk are written fields then groups; active/unconfirmed by upsert', () => {
  const expected: Record<SubscriberStatus, string> = {
    active: 'upsert',
    unconfirmed: 'upsert',
    unsubscribed: 'fields_then_groups',
    bounced: 'fields_then_groups',
    junk: 'fields_then_groups',
  };
  for (const state of Object.keys(expected) as SubscriberStatus[]) {
    assert.equal(WRITE_BY_STATE[state], expected[state], state);
    const methods = requestsFor(update(state)).map((o) => o.method).join(',');
    assert.equal(methods, expected[state] === 'upsert' ? 'POST' : 'PUT,POST', state);
  }
});

test('ids and emails in paths are URL-encoded', () => {
  assert.deepEqual(requestsFor({ kind: 'look_up', email: 'a+b@example.org' }), [{ method: 'GET', path: 'api/subscribers/a%2Bb%40example.org' }]);
  const ops = requestsFor(update('junk', { subscriber: sub('junk', 'x/1'), fields: {}, groups: ['g 2'] }));
  assert.deepEqual(ops, [{ method: 'POST', path: 'api/subscribers/x%2F1/groups/g%202' }]);
});

test('a round of writes alone gets one look-up, so it is not an import; with no room it stays as it is', () => {
  const create: Intent = { kind: 'create', email: 'jane@example.org', fields: {}, groups: [] };
  const padded = composeRound([create, update('active')], 50);
  assert.deepEqual(padded.spans, [1, 1]);
  assert.deepEqual(padded.ops.at(-1), { method: 'GET', path: 'api/subscribers/jane%40example.org' });
  assert.equal(composeRound([create, update('active')], 2).ops.length, 2);
  // A look-up already makes it an ordinary batch; a PUT is no upsert either.
  assert.equal(composeRound([create, { kind: 'look_up', email: 'x@example.org' }], 50).ops.length, 2);
  assert.equal(composeRound([update('junk')], 50).ops.length, 2);
});

test('answers become per-intent results: 404 is "not found", a failing call fails its intent', () => {
  const intents: Intent[] = [
    { kind: 'look_up', email: 'a@example.org' },
    { kind: 'look_up', email: 'b@example.org' },
    { kind: 'create', email: 'c@example.org', fields: {}, groups: [], status: 'active' },
    update('unsubscribed'),
  ];
  const round = composeRound(intents, 50);
  const results = readRound(intents, round, [
    { code: 404, body: {} },
    { code: 200, body: { data: sub('active', '7') } },
    { code: 201, body: { data: { id: '8' } } },
    { code: 200, body: { data: { id: '555' } } },
    { code: 422, body: { message: 'The subscriber is unsubscribed.', errors: {} } },
  ], (r) => classify(r.code, r.body));
  assert.deepEqual(results[0], { ok: true, subscriberId: null, created: false, found: null });
  assert.deepEqual(results[1], { ok: true, subscriberId: '7', created: false, found: sub('active', '7') });
  assert.deepEqual(results[2], { ok: true, subscriberId: '8', created: true, found: null });
  assert.equal(results[3]!.ok, false);
});

test('describe: the requests, emails in paths masked', () => {
  assert.deepEqual(describe(update('bounced')).map((d) => d.request), ['PUT api/subscribers/555', 'POST api/subscribers/555/groups/101']);
  assert.deepEqual(describe(update('active'))[0], { request: 'POST api/subscribers', body: { email: 'jane@example.org', fields: allFields, groups: ['101'] } });
});
