/**
 * What only the PostgreSQL store owes (the shared behaviour is the conformance suite): versioned
 * migrations under a lock, claims that never hand one record to two claimers, duplicates absorbed
 * across instances, and a connection lost mid-commit leaving nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresForTests, queryOnce } from '../../test/support/postgres.ts';
import { openPostgresStore } from './postgres.ts';
import { migratePostgres, MIGRATIONS, PG_SCHEMA_VERSION, PostgresSchemaError } from './postgres-migrations.ts';
import type { NewRecord } from './types.ts';
import { PRE_MARK_IDS, PRE_MARK_ROWS } from '../../test/support/pre-mark-store.ts';

const postgres = postgresForTests();

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: { a: '1' }, subject: null, txn: null, availableAt: 0, ...over };
}

test('a fresh database is migrated once, even by two instances starting together', async () => {
  const url = await postgres.freshDatabase();
  const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
  const versions = await queryOnce<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
  assert.deepEqual(versions.map((v) => v.version), MIGRATIONS.map((m) => m.version));
  assert.equal(versions.at(-1)?.version, PG_SCHEMA_VERSION);
  await a.ingest([[rec({ dedupeKey: 'k:1' })]], 1);
  assert.equal((await b.records({})).length, 1, 'both instances see one database');
  await Promise.all([a.close(), b.close()]);
  const again = await openPostgresStore({ url });
  assert.equal((await queryOnce(url, 'SELECT 1 FROM schema_migrations')).length, MIGRATIONS.length, 'a restart applies nothing');
  await again.close();
});

test('a database from before create-sent marks is migrated keeping what its history said: a pending record whose attempt sent a create is marked', async () => {
  const url = await postgres.freshDatabase();
  const old = new pg.Client({ connectionString: url });
  await old.connect();
  try {
    await migratePostgres(old, MIGRATIONS.filter((m) => m.version < 3));
    await old.query(PRE_MARK_ROWS);
  } finally {
    await old.end();
  }
  const store = await openPostgresStore({ url });
  try {
    assert.deepEqual(await store.createsSent(PRE_MARK_IDS), new Set([1]));
  } finally {
    await store.close();
  }
});

test('a database written by a newer engine is refused at start, naming both versions', async () => {
  const url = await postgres.freshDatabase();
  await (await openPostgresStore({ url })).close();
  await queryOnce(url, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')`, [PG_SCHEMA_VERSION + 1]);
  await assert.rejects(openPostgresStore({ url }), (err: Error) =>
    err instanceof PostgresSchemaError
    && err.message.includes(`version ${PG_SCHEMA_VERSION + 1}`)
    && err.message.includes(`(${PG_SCHEMA_VERSION})`));
});

test('claims from two instances at once never take the same record, and together take them all', async () => {
  const url = await postgres.freshDatabase();
  const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
  const n = 400;
  await a.ingest([Array.from({ length: n }, (_, i) => rec({ dedupeKey: `k:${i}`, subject: `s${i}` }))], 0);
  const taken: number[] = [];
  const claimer = async (store: typeof a): Promise<void> => {
    for (;;) {
      const got = await store.claim(['f1'], 10, 7, 60_000);
      if (got.length === 0) return;
      taken.push(...got.map((r) => r.id));
    }
  };
  await Promise.all([claimer(a), claimer(b), claimer(a), claimer(b)]);
  assert.equal(new Set(taken).size, taken.length, 'no record was claimed twice');
  assert.equal(taken.length, n);
  await Promise.all([a.close(), b.close()]);
});

test('a record locked by another transaction is skipped, not waited for', async () => {
  const url = await postgres.freshDatabase();
  const store = await openPostgresStore({ url });
  await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT id FROM records WHERE dedupe_key = 'k:1' FOR UPDATE`);
    const got = await store.claim(['f1'], 10, 10, 60_000);
    assert.deepEqual(got.map((r) => r.dedupeKey), ['k:2']);
    await holder.query('ROLLBACK');
    assert.deepEqual((await store.claim(['f1'], 10, 10, 60_000)).map((r) => r.dedupeKey), ['k:1']);
  } finally {
    await holder.end();
    await store.close();
  }
});

test('the same delivery committed by two instances at once is stored once', async () => {
  const url = await postgres.freshDatabase();
  const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
  const delivery = Array.from({ length: 50 }, (_, i) => rec({ dedupeKey: `k:${i}` }));
  const results = await Promise.all([a.ingest([delivery], 1), b.ingest([delivery], 1), a.ingest([delivery, delivery], 1)]);
  const accepted = results.flat().reduce((n, r) => n + r.accepted, 0);
  const duplicates = results.flat().reduce((n, r) => n + r.duplicates, 0);
  assert.equal(accepted, 50);
  assert.equal(duplicates, 4 * 50 - 50);
  assert.equal((await a.stats())[0]?.pending, 50);
  await Promise.all([a.close(), b.close()]);
});

test('a connection terminated in the middle of a commit leaves nothing stored, and the next commit goes through', async () => {
  const url = await postgres.freshDatabase();
  const store = await openPostgresStore({ url, applicationName: 'engine-under-test' });
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  try {
    // The commit waits for this lock; it is then cut off by the server, as a crashed or restarted
    // database would cut it off.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE records IN EXCLUSIVE MODE');
    const delivery = [rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' })];
    // The refusal is expected from the moment the commit starts: handled at once, so it is never
    // an unhandled rejection while the test is still finding the backend to terminate.
    const refused = assert.rejects(store.ingest([delivery], 5), (err: Error & { code?: string }) => err.code === '57P01' || /terminat/i.test(err.message));
    let pid: number | undefined;
    while (pid === undefined) {
      const rows = await queryOnce<{ pid: number }>(url, `SELECT pid FROM pg_stat_activity WHERE application_name = 'engine-under-test' AND wait_event_type = 'Lock'`);
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
    await refused;
    await blocker.query('ROLLBACK');
    assert.equal((await store.records({})).length, 0, 'nothing of the refused delivery is stored');
    assert.deepEqual(await store.ingest([delivery], 6), [{ accepted: 3, duplicates: 0 }], 'the pool replaced the dead connection');
  } finally {
    await blocker.end();
    await store.close();
  }
});

test('outcomes of one step commit together: finished, retried, released, memberships and effects', async () => {
  const url = await postgres.freshDatabase();
  const store = await openPostgresStore({ url });
  await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' })]], 0);
  const [r1, r2, r3] = await store.claim(['f1'], 10, 10, 60_000);
  assert.ok(r1 && r2 && r3);
  await store.applyOutcomes({
    finished: [{ id: r1.id, entry: { outcome: 'created', detail: { subscriber: '7' } }, at: 20 }],
    retried: [{ ids: [r2.id], availableAt: 500, entry: { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, at: 20 }],
    released: [r3.id],
    listed: [{ flow: 'f1', subject: 's1', at: 20 }, { flow: 'f1', subject: 's1', at: 21 }],
    effects: [{ flow: 'f1', recordId: r1.id, subscriberId: '7', email: 'a@example.org', action: 'created', at: 20 }],
    createSent: [],
  });
  assert.equal((await store.record(r1.id))?.status, 'done');
  assert.deepEqual((await store.history(r1.id)).map((h) => [h.attempt, h.outcome, h.detail]), [[1, 'created', { subscriber: '7' }]]);
  assert.deepEqual((await store.history(r2.id)).map((h) => [h.attempt, h.outcome, h.errorCode]), [[1, 'failed', 'ML_ERR_SERVER']]);
  assert.equal((await store.record(r2.id))?.availableAt, 500);
  assert.deepEqual((await store.claim(['f1'], 30, 10, 60_000)).map((r) => r.id), [r3.id], 'the released record is due at once, the retried one later');
  assert.deepEqual([...await store.subjectsOnList('f1', ['s1', 's2'])], ['s1']);
  assert.deepEqual((await store.effects('f1', 0)).map((e) => [e.recordId, e.subscriberId, e.at]), [[r1.id, '7', 20]]);
  await store.close();
});
