/**
 * What only the SQLite store has: the file across a reopen (and `releaseAll` at start-up, since one
 * process owns the file), schema migrations and their refusal of a newer schema. Behaviour every
 * backend owes is in conformance.ts, run for SQLite by sqlite.conformance.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite.ts';
import { migrate, SCHEMA_VERSION, StoreSchemaError } from './sqlite-migrations.ts';
import type { NewRecord, StoredRecord } from './types.ts';
import { fixtureRecords } from '../../adapters/flipcause/index.ts';
import { PRE_MARK_IDS, PRE_MARK_ROWS } from '../../test/support/pre-mark-store.ts';

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: { a: '1' }, subject: null, txn: null, availableAt: 0, ...over };
}

/** Runs `fn` with a store file in a temporary folder of its own, removed afterwards. */
async function withStoreFile(fn: (file: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  try {
    await fn(join(dir, 'engine.sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a file store keeps committed records across a reopen', async () => {
  await withStoreFile(async (file) => {
    const a = openSqliteStore({ file });
    await a.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
    await a.claim(['f1'], 1, 1, 60_000);
    await a.close();
    const b = openSqliteStore({ file });
    assert.equal(await b.releaseAll(), 1);
    assert.equal((await b.claim(['f1'], 2, 10, 1000)).length, 1);
    await b.close();
  });
});

test('a store made before schema versioning is migrated in place, keeping its pending records claimable', async () => {
  await withStoreFile(async (file) => {
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
  });
});

test('a store from before create-sent marks is migrated keeping what its history said: a pending record whose attempt sent a create is marked', async () => {
  await withStoreFile(async (file) => {
    await openSqliteStore({ file }).close();
    // Back to version 4, as that release wrote it.
    const old = new Database(file);
    old.exec(`DROP TABLE create_sent; ${PRE_MARK_ROWS}`);
    old.pragma('user_version = 4');
    old.close();
    const store = openSqliteStore({ file });
    assert.deepEqual(await store.createsSent(PRE_MARK_IDS), new Set([1]));
    await store.close();
  });
});

test('a store from before payload codecs (version 5) is migrated: every record reads back as it did, packed', async () => {
  await withStoreFile(async (file) => {
    // Version 5 as that release wrote it: the payload as JSON text in the middle of the row.
    const old = new Database(file);
    migrate(old, 5);
    const [donation, mailing, transaction] = fixtureRecords('donation-with-opt-in');
    const unicode = { PD_first_name: 'Lucía', AD_campaign_title: '冬のシェルター 🏠', support_message: 'a\u2028b "q"' };
    const insert = old.prepare(
      `INSERT INTO records (id, flow, dedupe_key, trigger, raw, received_at, subject, txn, status, available_at, due_at,
                            lease_until, attempts, outcome, reason, error_code, finished_at)
       VALUES (?, 'f1', ?, 'new_activity', ?, 10, ?, ?, ?, 100, ?, NULL, ?, ?, NULL, NULL, ?)`,
    );
    old.exec('BEGIN');
    insert.run(1, 'a:1', JSON.stringify(donation), 's1', 'T1', 'pending', 100, 0, null, null);
    insert.run(2, 'a:2', JSON.stringify(mailing), 's1', 'T1', 'done', null, 1, 'created', 50);
    insert.run(3, 'a:3', null, null, 'T1', 'done', null, 1, 'updated', 40); // purged by retention
    insert.run(4, 'a:4', JSON.stringify(unicode), 's2', 'T1', 'dead', null, 5, 'dead', 60);
    for (let i = 5; i <= 400; i++) insert.run(i, `b:${i}`, JSON.stringify(transaction), `s${i}`, `T${i}`, 'pending', 100, 0, null, null);
    old.prepare(`INSERT INTO create_sent (record_id) VALUES (1)`).run();
    old.exec('COMMIT');
    const textBytes = (old.prepare(`SELECT sum(length(CAST(raw AS BLOB))) AS n FROM records`).get() as { n: number }).n;
    old.close();

    const store = openSqliteStore({ file });
    const base = { flow: 'f1', trigger: 'new_activity', receivedAt: 10, txn: 'T1', availableAt: 100, reason: null, errorCode: null };
    const expected: StoredRecord[] = [
      { ...base, id: 1, dedupeKey: 'a:1', raw: donation!, subject: 's1', status: 'pending', attempts: 0, outcome: null, finishedAt: null },
      { ...base, id: 2, dedupeKey: 'a:2', raw: mailing!, subject: 's1', status: 'done', attempts: 1, outcome: 'created', finishedAt: 50 },
      { ...base, id: 3, dedupeKey: 'a:3', raw: null, subject: null, status: 'done', attempts: 1, outcome: 'updated', finishedAt: 40 },
      { ...base, id: 4, dedupeKey: 'a:4', raw: unicode, subject: 's2', status: 'dead', attempts: 5, outcome: 'dead', finishedAt: 60 },
    ];
    assert.deepEqual(await store.records({ limit: 4 }), expected);
    assert.deepEqual((await store.record(400))?.raw, transaction);
    // Still a queue: the pending records claimable in order, their marks and the dedupe kept.
    assert.deepEqual((await store.claim(['f1'], 200, 2, 1000)).map((r) => r.id), [1, 5]);
    assert.deepEqual(await store.createsSent([1]), new Set([1]));
    assert.deepEqual(await store.ingest([[rec({ dedupeKey: 'a:2' })]], 300), [{ accepted: 0, duplicates: 1 }]);
    assert.equal(await store.replay([4], 300), 1);
    assert.equal(await store.replay([3], 300), 0);
    await store.close();

    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const kept = db.prepare(`SELECT typeof(raw) AS type, count(*) AS n, sum(length(raw)) AS bytes FROM records GROUP BY 1 ORDER BY 1`).all();
    assert.deepEqual(kept.map((k) => (k as { type: string; n: number }).n), [399, 1]); // blobs, then the purged one
    const [blobs] = kept as { type: string; bytes: number }[];
    assert.equal(blobs!.type, 'blob');
    assert.ok(blobs!.bytes < textBytes * 0.4, `${blobs!.bytes} bytes stored for ${textBytes} of text`);
    // Rebuilt, not shrunk in place: the table's pages hold the smaller rows without the gaps.
    const pages = (db.prepare(`SELECT sum(pgsize) AS n FROM dbstat WHERE name = 'records'`).get() as { n: number }).n;
    assert.ok(pages < textBytes * 0.6, `records table ${pages} bytes for ${textBytes} of text`);
    db.close();
  });
});

test('payloads are kept as a field table; one that cannot be read back says so, naming its record', async () => {
  await withStoreFile(async (file) => {
    const donation = fixtureRecords('donation-with-opt-in')[0]!;
    const text = Buffer.byteLength(JSON.stringify(donation));
    const store = openSqliteStore({ file });
    await store.ingest([[rec({ dedupeKey: 'k:1', raw: donation }), rec({ dedupeKey: 'k:2', raw: donation })]], 0);
    const [first, second] = await store.records({});
    assert.deepEqual(first?.raw, donation);
    const db = new Database(file);
    const row = db.prepare(`SELECT typeof(raw) AS type, length(raw) AS bytes FROM records WHERE id = ?`).get(first!.id) as { type: string; bytes: number };
    assert.equal(row.type, 'blob');
    assert.ok(row.bytes < text * 0.4, `${row.bytes} bytes for ${text}`);
    db.prepare(`UPDATE records SET raw = substr(raw, 1, 20) WHERE id = ?`).run(second!.id);
    db.close();
    const damaged = await store.record(second!.id);
    assert.equal(damaged?.raw, null);
    assert.match(damaged?.unreadable ?? '', new RegExp(`^record ${second!.id}: its stored payload is damaged`));
    // A claim holding it still gives every record: the worker dead-letters the unreadable one alone.
    const claimed = await store.claim(['f1'], 10_000, 10, 60_000);
    assert.deepEqual(claimed.map((r) => [r.id, r.unreadable === undefined]), [[first!.id, true], [second!.id, false]]);
    assert.deepEqual((await store.record(first!.id))?.raw, donation);
    await store.close();
  });
});

test('a store written by a newer engine is refused, not misread', async () => {
  await withStoreFile(async (file) => {
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openSqliteStore({ file }), (err: Error) =>
      err instanceof StoreSchemaError && err.message.includes(`version ${SCHEMA_VERSION + 1}`));
  });
});

test('a file store is written ahead (WAL), so readers never block the intake commit', async () => {
  await withStoreFile(async (file) => {
    const store = openSqliteStore({ file });
    await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
    const reader = new Database(file, { readonly: true });
    assert.equal(reader.pragma('journal_mode', { simple: true }), 'wal');
    reader.close();
    await store.close();
  });
});
