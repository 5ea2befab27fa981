import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite.ts';
import { SCHEMA_VERSION, StoreSchemaError } from './sqlite-migrations.ts';
import type { NewRecord } from './types.ts';

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: '{"a":"1"}', subject: null, txn: null, availableAt: 0, ...over };
}

test('ingest commits each delivery and absorbs duplicates, within and across deliveries', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  const [a, b] = await store.ingest(
    [
      [rec({ dedupeKey: 'new_activity:1' }), rec({ dedupeKey: 'new_activity:2' }), rec({ dedupeKey: 'new_activity:1' })],
      [rec({ dedupeKey: 'new_activity:2' }), rec({ dedupeKey: 'new_transaction:2' })],
    ],
    1000,
  );
  assert.deepEqual(a, { accepted: 2, duplicates: 1 });
  assert.deepEqual(b, { accepted: 1, duplicates: 1 });
  const stats = await store.stats();
  assert.equal(stats[0]?.pending, 3);
  assert.equal(stats[0]?.lastDeliveryAt, 1000);
  await store.close();
});

test('claim takes ready records and their pending siblings by subject or transaction, leases them', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  await store.ingest(
    [[
      rec({ dedupeKey: 'a:1', subject: 's1', txn: 'T1', availableAt: 100 }),
      rec({ dedupeKey: 'a:2', subject: null, txn: 'T1', availableAt: 5000 }), // same transaction, not ready yet
      rec({ dedupeKey: 'a:3', subject: 's1', txn: 'T9', availableAt: 5000 }), // same contact, not ready yet
      rec({ dedupeKey: 'a:4', subject: 's2', txn: 'T2', availableAt: 5000 }), // unrelated, not ready
      rec({ dedupeKey: 'a:5', subject: 's3', txn: 'T3', availableAt: 100 }), // ready but its subject is busy
      rec({ flow: 'other', dedupeKey: 'a:6', availableAt: 100 }), // another flow
    ]],
    0,
  );
  const claimed = await store.claim(['f1'], 200, 10, 60_000, new Set(['s3']));
  assert.deepEqual(claimed.map((r) => r.dedupeKey), ['a:1', 'a:2', 'a:3']);
  assert.deepEqual(claimed[0]?.raw, { a: '1' });
  // Leased: a second claim at the same time finds nothing; after the lease expires it finds them again.
  assert.equal((await store.claim(['f1'], 300, 10, 60_000, new Set(['s3']))).length, 0);
  assert.equal((await store.claim(['f1'], 70_000, 10, 60_000)).length, 5);
  await store.close();
});

test('finish, retryLater, history, replay and dead letters', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
  const [r1, r2] = await store.claim(['f1'], 10, 10, 1000);
  assert.ok(r1 && r2);
  await store.retryLater([r1.id], 500, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, 20);
  assert.equal((await store.claim(['f1'], 100, 10, 1000)).length, 0, 'not before its retry time');
  await store.finish(r2.id, { outcome: 'dead', errorCode: 'ML_ERR_INVALID_EMAIL', reason: 'invalid' }, 30);
  const again = await store.claim(['f1'], 600, 10, 1000);
  assert.deepEqual(again.map((r) => r.id), [r1.id]);
  await store.finish(r1.id, { outcome: 'created', detail: { subscriber: '1' } }, 700);
  assert.deepEqual((await store.history(r1.id)).map((h) => [h.attempt, h.outcome, h.errorCode]), [
    [1, 'failed', 'ML_ERR_SERVER'],
    [2, 'created', null],
  ]);
  assert.deepEqual((await store.history(r1.id))[1]?.detail, { subscriber: '1' });
  assert.deepEqual(await store.deadIds('f1'), [r2.id]);
  assert.equal((await store.stats())[0]?.byOutcome.created, 1);
  assert.equal(await store.replay([r2.id], 800), 1);
  assert.equal((await store.record(r2.id))?.status, 'pending');
  assert.deepEqual(await store.deadIds('f1'), []);
  await store.close();
});

test('memberships are sticky, effects are kept per flow, raw payloads are purged after retention', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  assert.equal(await store.isOnList('f1', 's1'), false);
  await store.markOnList('f1', 's1', 1);
  await store.markOnList('f1', 's1', 2);
  assert.equal(await store.isOnList('f1', 's1'), true);
  assert.equal(await store.isOnList('f2', 's1'), false);
  await store.recordEffect({ flow: 'f1', recordId: 1, subscriberId: '99', email: 'a@example.org', action: 'created', at: 50 });
  assert.equal((await store.effects('f1', 0)).length, 1);
  assert.equal((await store.effects('f1', 60)).length, 0);
  await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
  const [r] = await store.claim(['f1'], 1, 1, 1000);
  await store.finish(r!.id, { outcome: 'skipped', reason: 'before_since' }, 10);
  assert.equal(await store.purgeRaw(5), 0);
  assert.equal((await store.effects('f1', 0)).length, 1, 'effects newer than the cut-off stay');
  assert.equal(await store.purgeRaw(11), 1);
  assert.equal((await store.effects('f1', 0)).length, 1, 'the effect at 50 is newer than the cut-off');
  assert.equal(await store.purgeRaw(60), 0);
  assert.equal((await store.effects('f1', 0)).length, 0, 'older effects (they hold emails) are forgotten');
  assert.equal((await store.record(r!.id))?.raw, null);
  assert.equal(await store.replay([r!.id], 20), 0, 'a purged record cannot be replayed');
  await store.close();
});

test('a file store keeps committed records across a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  try {
    const file = join(dir, 'engine.sqlite');
    const a = openSqliteStore({ file });
    await a.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
    await a.claim(['f1'], 1, 1, 60_000);
    await a.close();
    const b = openSqliteStore({ file });
    assert.equal(await b.releaseAll(), 1);
    assert.equal((await b.claim(['f1'], 2, 10, 1000)).length, 1);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nextReadyAt: the earliest pending record of the flows, leases counted, null when none wait', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  assert.equal(await store.nextReadyAt(['f1']), null);
  await store.ingest([[rec({ dedupeKey: 'k:1', availableAt: 500 }), rec({ dedupeKey: 'k:2', availableAt: 300 }), rec({ flow: 'f2', dedupeKey: 'k:3', availableAt: 100 })]], 0);
  assert.equal(await store.nextReadyAt(['f1']), 300);
  assert.equal(await store.nextReadyAt(['f1', 'f2']), 100);
  await store.claim(['f2'], 100, 10, 1000); // leased until 1100
  assert.equal(await store.nextReadyAt(['f2']), 1100);
  const [r] = await store.claim(['f1'], 1000, 10, 1000);
  await store.finish(r!.id, { outcome: 'skipped', reason: 'x' }, 1000);
  assert.equal(await store.nextReadyAt(['f1']), 2000, 'the other record, leased in the same claim');
  await store.close();
});

test('a store made before schema versioning is migrated in place, keeping its pending records claimable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-migrate-'));
  const file = join(dir, 'old.sqlite');
  try {
    // The tables as the first release wrote them, without a version or a due time.
    const old = new Database(file);
    old.exec(readFileSync(new URL('./schema.sql', import.meta.url), 'utf8'));
    old.prepare(
      `INSERT INTO records (flow, dedupe_key, trigger, raw, received_at, available_at, lease_until)
       VALUES ('f1', 'a:1', 'new_activity', '{}', 0, 100, NULL), ('f1', 'a:2', 'new_activity', '{}', 0, 100, 900)`,
    ).run();
    old.close();

    const store = openSqliteStore({ file });
    assert.equal(await store.nextReadyAt(['f1']), 100);
    assert.deepEqual((await store.claim(['f1'], 200, 10, 1000)).map((r) => r.dedupeKey), ['a:1']);
    assert.deepEqual((await store.claim(['f1'], 1000, 10, 1000)).map((r) => r.dedupeKey), ['a:2']);
    await store.close();
    const db = new Database(file);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store written by a newer engine is refused, not misread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-newer-'));
  const file = join(dir, 'newer.sqlite');
  try {
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openSqliteStore({ file }), (err: Error) =>
      err instanceof StoreSchemaError && err.message.includes(`version ${SCHEMA_VERSION + 1}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('due times follow leases, releases, retries and replays; the earliest due record across flows comes first', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  await store.ingest([[
    rec({ dedupeKey: 'a:1', availableAt: 300 }),
    rec({ dedupeKey: 'a:2', availableAt: 100 }),
    rec({ flow: 'f2', dedupeKey: 'b:1', availableAt: 200 }),
  ]], 0);
  assert.equal(await store.nextReadyAt(['f1', 'f2']), 100);
  assert.equal(await store.nextReadyAt(['f2']), 200);
  assert.deepEqual((await store.claim(['f1', 'f2'], 250, 2, 1000)).map((r) => r.dedupeKey), ['a:2', 'b:1']);
  assert.equal(await store.nextReadyAt(['f1', 'f2']), 300, 'leased records are due when their lease ends, later than a:1');
  const [a1] = await store.claim(['f1'], 300, 1, 1000);
  assert.equal(a1?.dedupeKey, 'a:1');
  await store.release([a1!.id]);
  assert.equal((await store.claim(['f1'], 301, 5, 1000)).length, 1, 'a released record is due again at once');
  await store.retryLater([a1!.id], 5000, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, 302);
  assert.equal(await store.nextReadyAt(['f1']), 1250, 'a:2 is leased until 1250; a:1 waits for its retry at 5000');
  await store.finish(a1!.id, { outcome: 'dead', errorCode: 'ML_ERR_SERVER', reason: '503' }, 400);
  assert.equal(await store.replay([a1!.id], 450), 1);
  assert.deepEqual((await store.claim(['f1'], 460, 5, 1000)).map((r) => r.dedupeKey), ['a:1']);
  await store.close();
});
