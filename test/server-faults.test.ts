/**
 * The worker against a misbehaving MailerLite (the fake's fault injection): rate limits, server
 * errors, timeouts, partial batch failures, a refused API key, suppressed subscribers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoggedItem } from '../adapters/mailerlite/index.ts';
import { fixtureBytes } from '../adapters/flipcause/index.ts';
import { flowYaml, startHarness, TOKEN, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';
import '../adapters/index.ts';
import { until } from './support/until.ts';

const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });
const WORKER = { idleMs: 20, probeMs: 100, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } };

function contact(n: number): Record<string, unknown> {
  return {
    webhook_record_id: String(700 + n), webhook_trigger_type: 'new_contact', user_id: '638', contact_id: `CID638-${3000 + n}`,
    first_name: 'Fault', last_name: `Case${n}`, email: `fault.case.${n}@example.org`, created_on: '2026-11-08 15:40:11',
  };
}

async function withHarness(fn: (h: Harness) => Promise<void>, flow = FLOW, account?: Parameters<typeof startHarness>[0]['account']): Promise<void> {
  const h = await startHarness({ flows: { hope: flow }, server: { worker: WORKER }, ...(account ? { account } : {}) });
  try {
    await fn(h);
    assertNoPii(h.logLines, ['fault.case.1@example.org', 'fault.case.2@example.org']);
  } finally {
    await h.close();
  }
}

function items(h: Harness): LoggedItem[] {
  return h.fake.requests(TOKEN).flatMap((r) => r.items ?? [{ method: r.method, path: r.path, body: r.body, status: r.status }]);
}

test('429 with Retry-After: the next batch waits for it, and the contact is created once', () =>
  withHarness(async (h) => {
    h.fake.inject({ path: '/api/batch', status: 429, retryAfter: 1 });
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    await h.settled();
    const batches = h.fake.requests(TOKEN).filter((r) => r.path === '/api/batch');
    const limited = batches.findIndex((r) => r.status === 429);
    assert.equal(limited, 0);
    assert.ok(batches[1]!.at - batches[0]!.respondedAt >= 950, 'the retry went out after Retry-After');
    assert.deepEqual(h.fake.account(TOKEN).subscribers().map((s) => s.email), ['fault.case.1@example.org']);
    assert.equal((await h.server.store.records({ flow: 'hope' }))[0]!.outcome, 'created');
  }));

test('a streak of 5xx longer than the client retries: the record is retried durably, then created once', () =>
  withHarness(async (h) => {
    h.fake.inject({ path: '/api/batch', status: 503, times: 6 });
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    await h.settled(20_000);
    const [record] = await h.server.store.records({ flow: 'hope' });
    assert.equal(record!.status, 'done');
    assert.equal(record!.outcome, 'created');
    const history = await h.server.store.history(record!.id);
    assert.deepEqual(history.map((e) => [e.outcome, e.errorCode ?? null]), [['failed', 'ML_ERR_SERVER'], ['created', null]]);
    assert.equal(h.fake.account(TOKEN).subscribers().length, 1);
  }));

test('a timed-out write that MailerLite carried out is not repeated into a second subscriber', () => {
  const flow = FLOW.replace('api_key: ${env:TEST_MAILERLITE_KEY}', 'api_key: ${env:TEST_MAILERLITE_KEY}\n    timeout_ms: 300');
  return withHarness(async (h) => {
    // Batch 1 holds the look-up, batch 2 the create: MailerLite creates, but answers too late.
    h.fake.inject({ path: '/api/batch', nth: 2, delayMs: 800 });
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    await h.settled(15_000);
    const [record] = await h.server.store.records({ flow: 'hope' });
    assert.equal(record!.status, 'done');
    assert.ok(record!.outcome === 'created' || record!.outcome === 'updated');
    assert.equal(h.fake.account(TOKEN).subscribers().length, 1);
    assert.ok(h.fake.requests(TOKEN).filter((r) => r.path === '/api/batch').length >= 3, 'the timed-out batch was retried');
  }, flow);
});

test('partial batch failure: the refused item is dead-lettered with its reason, the other contact is created', () =>
  withHarness(async (h) => {
    h.fake.inject({
      scope: 'item', method: 'POST', path: '/api/subscribers', status: 422,
      body: { message: 'The given data was invalid.', errors: { email: ['The email must be a valid email address.'] } },
    });
    assert.equal((await h.send('hope', [contact(1), contact(2)])).status, 200);
    await h.settled();
    const records = await h.server.store.records({ flow: 'hope' });
    const dead = records.filter((r) => r.status === 'dead');
    const done = records.filter((r) => r.status === 'done');
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.errorCode, 'ML_ERR_INVALID_EMAIL');
    assert.equal(done.length, 1);
    assert.equal(done[0]!.outcome, 'created');
    assert.equal(h.fake.account(TOKEN).subscribers().length, 1);
    // The dead letter was not retried: one create attempt per contact.
    assert.equal(items(h).filter((i) => i.method === 'POST' && i.path.replace(/^\//, '') === 'api/subscribers').length, 2);
  }));

test('401: the account pauses (one log line, records kept pending), and resumes when the key works again', () =>
  withHarness(async (h) => {
    const refuse = h.fake.inject({ token: TOKEN, status: 401, times: Infinity });
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    await until('the pause', () => h.server.fleet.accounts()[0]?.status().paused !== null);
    assert.equal((await h.send('hope', [contact(2)])).status, 200, 'intake stays open while paused');
    // Several probe rounds pass while paused.
    const probes = h.fake.requests(TOKEN).length;
    await until('more probes', () => h.fake.requests(TOKEN).length >= probes + 4);
    const records = await h.server.store.records({ flow: 'hope' });
    assert.deepEqual(records.map((r) => r.status), ['pending', 'pending']);
    assert.equal(records.filter((r) => r.attempts > 0).length, 0, 'a pause costs no attempts');
    const ready = (await (await fetch(`${h.server.url}/readyz`)).json()) as { accounts: { paused: { code: string } | null }[] };
    assert.equal(ready.accounts[0]!.paused?.code, 'ML_ERR_UNAUTHENTICATED');
    assert.match(await (await fetch(`${h.server.url}/metrics`)).text(), /engine_account_paused\{account="[^"]+"\} 1/);

    h.fake.removeFault(refuse);
    await h.settled();
    assert.deepEqual((await h.server.store.records({ flow: 'hope' })).map((r) => r.outcome), ['created', 'created']);
    assert.equal(h.fake.account(TOKEN).subscribers().length, 2);
    const paused = h.logLines.filter((l) => l.includes('account paused'));
    assert.equal(paused.length, 1);
    assert.equal(h.logLines.filter((l) => l.includes('account resumed')).length, 1);
    assert.match(await (await fetch(`${h.server.url}/metrics`)).text(), /engine_account_paused\{account="[^"]+"\} 0/);
  }));

test('an unsubscribed subscriber: fields updated by PUT, status kept, never an upsert', () =>
  withHarness(async (h) => {
    const body = fixtureBytes('new-contact').toString('utf8');
    assert.equal((await h.send('hope', body)).status, 200);
    await h.settled();
    assert.equal((await h.send('hope', body.replace('"5120"', '"5121"').replace('"Specimen"', '"Specimen-Changed"'))).status, 200);
    await h.settled();
    const sub = h.fake.account(TOKEN).subscribers()[0]!;
    assert.equal(sub.status, 'unconfirmed');
    h.fake.setStatus(TOKEN, 'chris.specimen@example.org', 'unsubscribed');
    h.fake.clearRequests();
    assert.equal((await h.send('hope', body.replace('"5120"', '"5122"').replace('"Specimen"', '"Specimen-Again"'))).status, 200);
    await h.settled();
    const after = h.fake.account(TOKEN).subscribers()[0]!;
    assert.equal(after.status, 'unsubscribed');
    assert.equal(after.fields.last_name, 'Specimen-Again');
    const writes = items(h).filter((i) => i.method !== 'GET');
    assert.ok(writes.length > 0);
    assert.ok(writes.every((i) => i.method === 'PUT' && i.status === 200), JSON.stringify(writes.map((i) => [i.method, i.status])));
    assert.equal(items(h).filter((i) => i.status === 422).length, 0);
    const last = (await h.server.store.records({ flow: 'hope' })).at(-1)!;
    assert.equal(last.outcome, 'updated');
  }));
