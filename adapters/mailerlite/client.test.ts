// The client against the fake over loopback HTTP: error classes, retries, Retry-After, timeouts,
// partial batches, halting 401. Small limits and a scaled minute keep it fast; timing checks are
// lower bounds read from the fake's request log, never upper bounds on wall time.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../engine/errors.ts';
import { startFakeMailerLite, type FakeMailerLite } from './fake/index.ts';
import { createClient, type MailerLiteClientOptions } from './index.ts';
import { RateBudget } from './rate-budget.ts';
import type { ExchangeReport } from '../../engine/ports/destination.ts';

const TOKEN = 'tok-client';
const SCALE = 0.02; // a MailerLite minute lasts 1.2 s, a second 20 ms
let fake: FakeMailerLite;

before(async () => {
  fake = await startFakeMailerLite({
    accounts: {
      [TOKEN]: {
        groups: ['Newsletter'],
        fields: [{ name: 'Street address' }],
        subscribers: [{ email: 'gone@example.org', status: 'unsubscribed' }, { email: 'kept@example.org', fields: { name: 'Kept' } }],
      },
    },
  });
});
after(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setOptions({ requestsPerMinute: 1000, importsPerMinute: 100, timeScale: SCALE });
});

// Each client gets a budget of its own, so a Retry-After in one test does not hold up the next.
function client(extra: Partial<MailerLiteClientOptions> = {}) {
  const budget = new RateBudget({ requestsPerMinute: extra.requestsPerMinute ?? 1000, importsPerMinute: extra.importsPerMinute ?? 100, timeScale: SCALE });
  return createClient({
    apiKey: TOKEN,
    baseUrl: `${fake.url}/`,
    timeScale: SCALE,
    retry: { retries: 3, minBackoffMs: 5, maxBackoffMs: 20, maxRetryTimeMs: 5000 },
    budget,
    ...extra,
  });
}

const groupId = () => String(fake.account(TOKEN).groups()[0]!.id);

async function rejectsWith(p: Promise<unknown>, code: string, kind: string): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.kind, kind);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('operations', () => {
  test('find (URL-encoded, 404 → null), upsert 201/200, update fields only, add to group', async () => {
    const c = client();
    assert.equal(await c.findSubscriber('nobody+x@example.org'), null);
    const created = await c.upsertSubscriber({ email: 'A+B@example.org', fields: { name: 'A' }, status: 'unconfirmed' });
    assert.equal(created.created, true);
    assert.equal(created.subscriber.email, 'a+b@example.org');
    assert.ok(BigInt(created.subscriber.id) > 2n ** 53n);
    const again = await c.upsertSubscriber({ email: 'a+b@example.org', groups: [groupId()] });
    assert.equal(again.created, false);
    const found = await c.findSubscriber('a+b@example.org');
    assert.equal(found!.id, created.subscriber.id);
    assert.deepEqual(found!.groups.map((g) => g.name), ['Newsletter']);
    const updated = await c.updateSubscriberFields(found!.id, { street_address: '1 Main St' });
    assert.equal(updated.fields.street_address, '1 Main St');
    assert.equal(updated.fields.name, 'A');
    assert.equal(updated.status, 'unconfirmed');
    assert.equal(updated.groups.length, 1);
    const put = fake.requests(TOKEN).find((r) => r.method === 'PUT')!;
    assert.deepEqual(put.body, { fields: { street_address: '1 Main St' } });
    const kept = (await c.findSubscriber('kept@example.org'))!;
    await c.addToGroup(kept.id, groupId());
    assert.equal((await c.findSubscriber('kept@example.org'))!.groups.length, 1);
  });

  test('sends Authorization, Accept and Content-Type application/json, X-Version', async () => {
    await client().listGroups();
    const r = fake.requests(TOKEN)[0]!;
    assert.equal(r.token, TOKEN);
    assert.equal(r.headers.accept, 'application/json');
    assert.equal(r.headers.contentType, 'application/json');
    assert.match(r.headers.xVersion ?? '', /^\d{4}-\d{2}-\d{2}$/);
  });

  test('lists every page of groups and fields; creates groups and fields; delete and forget', async () => {
    const c = client({ pageSize: 2 });
    for (let i = 0; i < 4; i++) await c.createGroup(`G${i}`);
    const groups = await c.listGroups();
    assert.equal(groups.length, 5);
    assert.equal(new Set(groups.map((g) => g.id)).size, 5);
    const field = await c.createField('Donor Since', 'date');
    assert.equal(field.key, 'donor_since');
    const fields = await c.listFields();
    assert.equal(fields.length, 10);
    assert.ok(fields.some((f) => f.key === 'donor_since' && f.type === 'date'));
    assert.ok(fake.requests(TOKEN).filter((r) => r.path.startsWith('/api/fields?')).length >= 5);
    const kept = (await c.findSubscriber('kept@example.org'))!;
    await c.deleteSubscriber(kept.id);
    await c.deleteSubscriber(kept.id); // already gone: done
    assert.equal(await c.findSubscriber('kept@example.org'), null);
    const s = (await c.upsertSubscriber({ email: 'f@example.org' })).subscriber;
    await c.forgetSubscriber(s.id);
    assert.equal(await c.findSubscriber('f@example.org'), null);
  });
});

describe('error classes', () => {
  test('unsubscribed: permanent ML_ERR_SUBSCRIBER_UNSUBSCRIBED exposing the subscriber id', async () => {
    const id = fake.account(TOKEN).subscriber('gone@example.org')!.id;
    const err = await rejectsWith(client().upsertSubscriber({ email: 'gone@example.org' }), 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED', 'permanent');
    assert.equal(err.params.subscriberId, id);
    assert.ok(!err.message.includes('gone@'));
  });

  test('unknown group, invalid email, unknown field, not found, validation: permanent, not retried', async () => {
    const c = client();
    await rejectsWith(c.upsertSubscriber({ email: 'x@example.org', groups: ['42'] }), 'ML_ERR_UNKNOWN_GROUP', 'permanent');
    await rejectsWith(c.upsertSubscriber({ email: 'nope' }), 'ML_ERR_INVALID_EMAIL', 'permanent');
    fake.setOptions({ unknownFieldKeys: 'reject' });
    const f = await rejectsWith(c.upsertSubscriber({ email: 'x@example.org', fields: { nope: 1 } }), 'ML_ERR_UNKNOWN_FIELD', 'permanent');
    assert.equal(f.params.field, 'nope');
    await rejectsWith(c.updateSubscriberFields('123', { name: 'x' }), 'ML_ERR_NOT_FOUND', 'permanent');
    await rejectsWith(c.createField('City', 'text'), 'ML_ERR_VALIDATION', 'permanent');
    assert.equal(fake.requests(TOKEN).length, 5);
  });

  test('401 is halting and thrown at once, without retries', async () => {
    const c = createClient({ apiKey: 'wrong-key', baseUrl: fake.url, retry: { retries: 5, minBackoffMs: 1 } });
    await rejectsWith(c.listGroups(), 'ML_ERR_UNAUTHENTICATED', 'halting');
    assert.equal(fake.requests('wrong-key').length, 1);
  });

  test('403 is halting', async () => {
    fake.inject({ status: 403 });
    await rejectsWith(client().listGroups(), 'ML_ERR_FORBIDDEN', 'halting');
    assert.equal(fake.requests(TOKEN).length, 1);
  });

  test('send returns permanent answers as results; classify maps them', async () => {
    const c = client();
    const r = await c.send({ method: 'GET', path: 'api/subscribers/nobody%40example.org' });
    assert.equal(r.code, 404);
    assert.equal(c.classify(r)?.code, 'ML_ERR_NOT_FOUND');
    assert.equal(c.classify({ code: 200, body: {} }), null);
  });
});

describe('retries', () => {
  test('5xx then success: retried, and the caller sees success', async () => {
    fake.inject({ path: '/api/groups', times: 2, status: 502 });
    const groups = await client().listGroups();
    assert.equal(groups.length, 1);
    assert.deepEqual(fake.requests(TOKEN).map((r) => r.status), [502, 502, 200]);
  });

  test('retryable failures past the bound throw the classified retryable error', async () => {
    fake.inject({ path: '/api/groups', times: Infinity, status: 500 });
    const err = await rejectsWith(client({ retry: { retries: 2, minBackoffMs: 1, maxBackoffMs: 2 } }).listGroups(), 'ML_ERR_SERVER', 'retryable');
    assert.equal(err.params.status, 500);
    assert.equal(fake.requests(TOKEN).length, 3);
  });

  test('429 with Retry-After: no request to the account before it elapses', async () => {
    fake.inject({ nth: 2, status: 429, retryAfter: 10 }); // 10 scaled seconds = 200 ms
    const c = client();
    const [a, b] = await Promise.all([c.listGroups(), c.findSubscriber('kept@example.org')]);
    assert.equal(a.length, 1);
    assert.equal(b!.email, 'kept@example.org');
    await c.listFields();
    const log = fake.requests(TOKEN);
    const limited = log.find((r) => r.status === 429)!;
    const later = log.filter((r) => r.seq > limited.seq);
    assert.ok(later.length >= 2);
    for (const r of later) assert.ok(r.at >= limited.respondedAt + 10 * 1000 * SCALE, `request ${r.seq} came ${r.at - limited.respondedAt} ms after the 429`);
  });

  test('a Retry-After longer than the retry time left is handed to the caller with retryAfterMs', async () => {
    fake.inject({ status: 429, retryAfter: 600 }); // 12 s here, beyond maxRetryTimeMs
    const err = await rejectsWith(client({ retry: { maxRetryTimeMs: 1000 } }).listGroups(), 'ML_ERR_RATE_LIMITED', 'retryable');
    assert.equal(err.params.retryAfterMs, 600 * 1000 * SCALE);
    assert.equal(fake.requests(TOKEN).length, 1);
  });

  test('timeout: retried, and after the bound thrown as ML_ERR_TIMEOUT (retryable)', async () => {
    fake.inject({ path: '/api/groups', delayMs: 400 });
    const groups = await client({ timeoutMs: 100 }).listGroups();
    assert.equal(groups.length, 1);
    assert.equal(fake.requests(TOKEN).length, 2);
    fake.clearFaults();
    fake.inject({ path: '/api/groups', delayMs: 400, times: Infinity });
    await rejectsWith(client({ timeoutMs: 100, retry: { retries: 1, minBackoffMs: 1 } }).listGroups(), 'ML_ERR_TIMEOUT', 'retryable');
    fake.clearFaults();
  });

  test('a timed-out create is not repeated (it may have landed)', async () => {
    fake.inject({ path: '/api/groups', method: 'POST', delayMs: 300 });
    await rejectsWith(client({ timeoutMs: 80 }).createGroup('Once'), 'ML_ERR_TIMEOUT', 'retryable');
    assert.equal(fake.requests(TOKEN).filter((r) => r.method === 'POST').length, 1);
  });

  test('network failure is ML_ERR_NETWORK (retryable)', async () => {
    const dead = await startFakeMailerLite({ accounts: { x: {} } });
    const url = dead.url;
    await dead.close();
    await rejectsWith(createClient({ apiKey: 'x', baseUrl: url, retry: { retries: 1, minBackoffMs: 1 } }).listGroups(), 'ML_ERR_NETWORK', 'retryable');
  });
});

describe('batch', () => {
  const upserts = (emails: string[]) => emails.map((email) => ({ method: 'POST' as const, path: 'api/subscribers', body: { email } }));

  test('results map back to their requests; permanent item failures come back as results', async () => {
    const c = client();
    const results = await c.batch([...upserts(['b1@example.org', 'gone@example.org']), { method: 'GET', path: 'api/subscribers/nobody%40example.org' }]);
    assert.deepEqual(results.map((r) => r.code), [201, 422, 404]);
    assert.equal(c.classify(results[1]!)?.code, 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED');
    assert.equal(fake.requests(TOKEN).length, 1);
  });

  test('partial failure: only the failed items are sent again', async () => {
    fake.inject({ scope: 'item', nth: 2, times: 2, status: 503 });
    const emails = ['p0@example.org', 'p1@example.org', 'p2@example.org', 'p3@example.org'];
    const results = await client().batch(upserts(emails));
    assert.deepEqual(results.map((r) => r.code), [201, 201, 201, 201]);
    assert.deepEqual(results.map((r) => (r.body as any).data.email), emails);
    const batches = fake.requests(TOKEN).filter((r) => r.path === '/api/batch');
    assert.equal(batches.length, 2);
    assert.deepEqual((batches[1]!.body as any).requests.map((q: any) => q.body.email), ['p1@example.org', 'p2@example.org']);
  });

  test('items that stay retryable past the bound come back with their last answer, settled ones kept', async () => {
    fake.inject({ scope: 'item', nth: 2, times: Infinity, status: 500 });
    const c = client({ retry: { retries: 2, minBackoffMs: 1, maxBackoffMs: 2 } });
    const results = await c.batch(upserts(['q0@example.org', 'q1@example.org']));
    assert.deepEqual(results.map((r) => r.code), [201, 500]);
    assert.equal(c.classify(results[1]!)?.kind, 'retryable');
    fake.clearFaults();
  });

  test('envelope 429 with Retry-After is retried after it; 401 envelope is halting', async () => {
    fake.inject({ path: '/api/batch', status: 429, retryAfter: 5 });
    const results = await client().batch(upserts(['e0@example.org']));
    assert.deepEqual(results.map((r) => r.code), [201]);
    const [first, second] = fake.requests(TOKEN);
    assert.ok(second!.at >= first!.respondedAt + 5 * 1000 * SCALE);
    const bad = createClient({ apiKey: 'nope', baseUrl: fake.url });
    await rejectsWith(bad.batch(upserts(['x@example.org'])), 'ML_ERR_UNAUTHENTICATED', 'halting');
  });

  test('a batch holding writes whose answer was lost (timeout, 5xx) is not sent again in the request; one of reads only is', async () => {
    const batches = () => fake.requests(TOKEN).filter((r) => r.path === '/api/batch');
    fake.inject({ path: '/api/batch', delayMs: 300 }); // carried out after the client gave up
    await rejectsWith(client({ timeoutMs: 80 }).batch(upserts(['lost0@example.org'])), 'ML_ERR_TIMEOUT', 'retryable');
    assert.equal(batches().length, 1, 'the engine looks the subscriber up before writing again');
    fake.inject({ path: '/api/batch', status: 503 });
    await rejectsWith(client().batch([{ method: 'GET', path: 'api/subscribers/kept%40example.org' }, ...upserts(['lost1@example.org'])]), 'ML_ERR_SERVER', 'retryable');
    assert.equal(batches().length, 2);
    fake.inject({ path: '/api/batch', delayMs: 300 });
    const reads = await client({ timeoutMs: 80 }).batch([{ method: 'GET', path: 'api/subscribers/kept%40example.org' }]);
    assert.deepEqual(reads.map((r) => r.code), [200]);
    assert.ok(batches().length >= 4, 'a look-up is repeated at once (more than once if a loaded machine makes the retry slow too)');
    // The delayed calls finish here, not in the next test's log.
    while (batches().some((b) => b.status === 0)) await new Promise((r) => setTimeout(r, 20));
  });

  test('a batch holding writes answered 429 or 408 as a whole was not carried out: sent again in the request', async () => {
    fake.inject({ path: '/api/batch', status: 408 });
    const results = await client().batch(upserts(['again@example.org']));
    assert.deepEqual(results.map((r) => r.code), [201]);
    assert.equal(fake.requests(TOKEN).filter((r) => r.path === '/api/batch').length, 2);
  });

  test('more than 50 operations is refused before sending', async () => {
    await rejectsWith(client().batch(upserts(Array.from({ length: 51 }, (_, i) => `m${i}@example.org`))), 'ML_ERR_BATCH_TOO_LARGE', 'input');
    assert.equal(fake.requests(TOKEN).length, 0);
  });

  test('all-upsert batches never go faster than the import limit', async () => {
    fake.setOptions({ importsPerMinute: 2 });
    const c = client({ importsPerMinute: 2 });
    const runs = await Promise.all([0, 1, 2, 3].map((i) => c.batch(upserts([`imp${i}@example.org`]))));
    assert.ok(runs.every((r) => r[0]!.code === 201));
    const log = fake.requests(TOKEN);
    assert.ok(log.every((r) => r.status === 200), 'no import was refused');
    const window = 60_000 * SCALE;
    for (let i = 2; i < log.length; i++) assert.ok(log[i]!.at >= log[i - 2]!.respondedAt + window - 1);
  });
});

describe('observed exchanges', () => {
  const seen = () => {
    const reports: ExchangeReport[] = [];
    return { reports, observe: (r: ExchangeReport) => void reports.push(r) };
  };

  test('a 429 while loading groups is reported, then the retried answer', async () => {
    fake.inject({ path: '/api/groups', status: 429, retryAfter: 1 });
    const { reports, observe } = seen();
    const c = client();
    assert.equal((await c.listGroups({ observe })).length, 1);
    await c.listFields({ observe });
    assert.deepEqual(reports.map((r) => [r.operation, r.status]), [['list_groups', 429], ['list_groups', 200], ['list_fields', 200]]);
    assert.ok(reports.every((r) => r.seconds >= 0 && r.seconds < 5 && r.items === undefined));
  });

  test('a round: an envelope 429 and its retry, then each item of the answer', async () => {
    fake.inject({ path: '/api/batch', status: 429, retryAfter: 1 });
    const { reports, observe } = seen();
    const results = await client().apply([{ kind: 'look_up', email: 'kept@example.org' }, { kind: 'look_up', email: 'nobody@example.org' }], { limit: 50, observe });
    assert.equal(results.length, 2);
    assert.deepEqual(reports.map((r) => [r.operation, r.status]), [['batch', 429], ['batch', 200]]);
    assert.equal(reports[0]!.items, undefined, 'a refused envelope carries no items');
    assert.deepEqual([...reports[1]!.items!].sort(), [200, 404]);
  });

  test('no answer: a timed-out attempt is reported without a status, after the time it waited', async () => {
    fake.inject({ path: '/api/groups', delayMs: 400 });
    const { reports, observe } = seen();
    await client({ timeoutMs: 100 }).listGroups({ observe });
    assert.deepEqual(reports.map((r) => r.status), [null, 200]);
    assert.ok(reports[0]!.seconds >= 0.09, `waited ${reports[0]!.seconds} s`);
  });

  test('a call without an observer is answered the same', async () => {
    fake.inject({ path: '/api/groups', status: 429, retryAfter: 1 });
    assert.equal((await client().listGroups()).length, 1);
    assert.deepEqual(fake.requests(TOKEN).map((r) => r.status), [429, 200]);
  });
});
