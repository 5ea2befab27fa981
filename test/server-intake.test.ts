/**
 * Intake guarantees, one delivery at a time: duplicates absorbed, bad input refused with a precise
 * 4xx and never half-stored, a store that cannot write answers 503, a closing server answers 503.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixtureBytes, fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, startHarness, TOKEN, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';
import '../adapters/index.ts';

const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness({ flows: { hope: FLOW } });
  try {
    await fn(h);
    assertNoPii(h.logLines);
  } finally {
    await h.close();
  }
}

async function answer(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('a repeated delivery is absorbed: 200 both times, each record stored once', () =>
  withHarness(async (h) => {
    const body = fixtureBytes('donation-with-opt-in').toString('utf8');
    assert.deepEqual(await answer(await h.send('hope', body)), { status: 200, body: { accepted: 3, duplicates: 0 } });
    assert.deepEqual(await answer(await h.send('hope', body)), { status: 200, body: { accepted: 0, duplicates: 3 } });
    // One record resent alone (Flipcause retries per delivery, deliveries regroup).
    const one = JSON.stringify(fixtureRecords('donation-with-opt-in').slice(1, 2));
    assert.deepEqual(await answer(await h.send('hope', one)), { status: 200, body: { accepted: 0, duplicates: 1 } });
    assert.equal((await h.server.store.records({ flow: 'hope' })).length, 3);
    await h.settled();
    assert.equal(h.fake.account(TOKEN).subscribers().length, 1);
  }));

test('concurrent duplicate deliveries: every one gets 200, the records are stored once', () =>
  withHarness(async (h) => {
    const body = fixtureBytes('donation-with-opt-in').toString('utf8');
    const answers = await Promise.all(Array.from({ length: 12 }, () => h.send('hope', body).then(answer)));
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(200));
    assert.equal(answers.reduce((n, a) => n + (a.body.accepted as number), 0), 3);
    assert.equal(answers.reduce((n, a) => n + (a.body.duplicates as number), 0), 33);
    const keys = (await h.server.store.records({ flow: 'hope' })).map((r) => r.dedupeKey).sort();
    assert.deepEqual(keys, ['new_activity:40211', 'new_activity:40212', 'new_transaction:90544']);
    await h.settled();
    assert.equal(h.fake.account(TOKEN).subscribers().length, 1);
  }));

test('malformed and oversized bodies get a precise 4xx with its code, and nothing is stored', () =>
  withHarness(async (h) => {
    const good = fixtureRecords('new-contact')[0]!;
    const cases: [string, string, number, string][] = [
      ['not JSON', '{"webhook_record_id": ', 400, 'FC_ERR_BODY_NOT_JSON'],
      ['empty', '', 400, 'FC_ERR_BODY_EMPTY'],
      ['a JSON number', '42', 400, 'FC_ERR_BODY_NOT_RECORDS'],
      ['a JSON string', '"hello"', 400, 'FC_ERR_BODY_NOT_RECORDS'],
      ['JSON null', 'null', 400, 'FC_ERR_BODY_NOT_RECORDS'],
      ['an empty array', '[]', 400, 'FC_ERR_NO_RECORDS'],
      ['an array of non-objects', '[1, 2]', 400, 'FC_ERR_RECORD_NOT_OBJECT'],
      ['a good record then a bad one', JSON.stringify([good, 'x']), 400, 'FC_ERR_RECORD_NOT_OBJECT'],
      ['a forbidden key', JSON.stringify([{ ...good, __proto__x: 1, constructor: { prototype: {} } }]), 400, 'FC_ERR_RECORD_FORBIDDEN_KEY'],
      ['over the source limit', JSON.stringify([{ ...good, pad: 'x'.repeat(1024 * 1024) }]), 413, 'FC_ERR_BODY_TOO_LARGE'],
      ['over what the HTTP layer reads', JSON.stringify([{ ...good, pad: 'x'.repeat(5 * 1024 * 1024) }]), 413, 'ENGINE_ERR_BODY_TOO_LARGE'],
    ];
    for (const [what, body, status, code] of cases) {
      const a = await answer(await h.send('hope', body));
      assert.equal(a.status, status, what);
      assert.equal(a.body.code, code, what);
      assert.equal(typeof a.body.message, 'string', what);
    }
    assert.equal((await h.server.store.records({})).length, 0);
    assert.deepEqual((await h.server.store.stats()).map((s) => s.lastDeliveryAt), []);
  }));

test('the HTTP read limit is configurable: a lower one cuts deliveries off before the source sees them', async () => {
  const h = await startHarness({ flows: { hope: FLOW }, server: { bodyLimit: 64 * 1024 } });
  try {
    const body = JSON.stringify([{ ...fixtureRecords('new-contact')[0]!, pad: 'x'.repeat(100 * 1024) }]);
    const a = await answer(await h.send('hope', body));
    assert.equal(a.status, 413);
    assert.equal(a.body.code, 'ENGINE_ERR_BODY_TOO_LARGE');
    assert.equal((await h.server.store.records({})).length, 0);
  } finally {
    await h.close();
  }
});

test('bad or missing signatures get 401 and the body is not stored; an unknown flow gets 404', () =>
  withHarness(async (h) => {
    const body = fixtureBytes('new-contact').toString('utf8');
    const wrong = await answer(await h.send('hope', body, { secret: 'whsec_not_the_secret' }));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.code, 'FC_ERR_SIGNATURE_INVALID');
    const missing = await answer(await fetch(`${h.server.url}/hooks/hope`, { method: 'POST', body }));
    assert.equal(missing.status, 401);
    assert.equal(missing.body.code, 'FC_ERR_SIGNATURE_MISSING');
    // The signature of another body.
    const other = await answer(await h.send('hope', body, { headers: { 'x-flipcause-hmac-sha256': 'AAAA' } }));
    assert.equal(other.status, 401);
    assert.equal(other.body.code, 'FC_ERR_SIGNATURE_INVALID');
    const unknown = await answer(await h.send('nope', body));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'ENGINE_ERR_UNKNOWN_FLOW');
    assert.equal((await h.server.store.records({})).length, 0);
    assert.equal(h.fake.requests().filter((r) => r.method !== 'GET').length, 0);
  }));

test('a store that cannot write answers 503, never 200, and keeps no part of the delivery', () =>
  withHarness(async (h) => {
    // Another connection makes the second record's insert fail, as a full disk or an I/O error would.
    const db = new Database(join(h.dir, 'engine.sqlite'));
    try {
      db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.dedupe_key = 'new_activity:40212'
               BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
      const body = fixtureBytes('donation-with-opt-in').toString('utf8');
      const a = await answer(await h.send('hope', body));
      assert.equal(a.status, 503);
      assert.equal(a.body.code, 'ENGINE_ERR_STORE_UNAVAILABLE');
      assert.equal((await h.server.store.records({})).length, 0, 'the first record of the delivery was rolled back too');
      db.exec('DROP TRIGGER refuse');
      assert.deepEqual(await answer(await h.send('hope', body)), { status: 200, body: { accepted: 3, duplicates: 0 } });
    } finally {
      db.close();
    }
  }));

test('a closed store answers 503 ENGINE_ERR_STORE_UNAVAILABLE', async () => {
  const h = await startHarness({ flows: { hope: FLOW } });
  await h.server.fleet.stop();
  await h.server.store.close();
  try {
    const a = await answer(await h.send('hope', fixtureBytes('new-contact').toString('utf8')));
    assert.equal(a.status, 503);
    assert.equal(a.body.code, 'ENGINE_ERR_STORE_UNAVAILABLE');
  } finally {
    await h.close();
  }
});

test('while the server shuts down, intake answers 503 ENGINE_ERR_SHUTTING_DOWN and stores nothing more', async () => {
  const h = await startHarness({ flows: { hope: FLOW } });
  let closing: Promise<void> | undefined;
  try {
    // A slow MailerLite keeps the worker's last write in flight, so the server is still listening while it closes.
    h.fake.inject({ path: '/api/batch', delayMs: 800 });
    assert.equal((await h.send('hope', fixtureBytes('new-contact').toString('utf8'))).status, 200);
    const deadline = Date.now() + 5000;
    while (!h.fake.requests().some((r) => r.path === '/api/batch') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    closing = h.server.close();
    const a = await answer(await h.send('hope', fixtureBytes('mailing-list-signup').toString('utf8')));
    assert.equal(a.status, 503);
    assert.equal(a.body.code, 'ENGINE_ERR_SHUTTING_DOWN');
    const ready = await fetch(`${h.server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { intake: string }).intake, 'closed');
    await closing;
    // The in-flight write was finished before the store closed.
    const store = new Database(join(h.dir, 'engine.sqlite'), { readonly: true });
    try {
      assert.deepEqual(store.prepare(`SELECT dedupe_key, status FROM records`).all(), [{ dedupe_key: 'new_contact:5120', status: 'done' }]);
    } finally {
      store.close();
    }
    assertNoPii(h.logLines);
  } finally {
    await (closing ?? h.server.close());
    await h.fake.close();
  }
});
