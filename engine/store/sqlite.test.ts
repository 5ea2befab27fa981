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
import { SCHEMA_VERSION, StoreSchemaError } from './sqlite-migrations.ts';
import type { NewRecord } from './types.ts';
import { PRE_MARK_IDS, PRE_MARK_ROWS } from '../../test/support/pre-mark-store.ts';

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: '{"a":"1"}', subject: null, txn: null, availableAt: 0, ...over };
}

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

test('a store from before create-sent marks is migrated keeping what its history said: a pending record whose attempt sent a create is marked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-marks-'));
  const file = join(dir, 'old.sqlite');
  try {
    await openSqliteStore({ file }).close();
    // Back to version 4, as that release wrote it.
    const old = new Database(file);
    old.exec(`DROP TABLE create_sent; ${PRE_MARK_ROWS}`);
    old.pragma('user_version = 4');
    old.close();
    const store = openSqliteStore({ file });
    assert.deepEqual(await store.createsSent(PRE_MARK_IDS), new Set([1]));
    await store.close();
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

test('a file store is written ahead (WAL), so readers never block the intake commit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-wal-'));
  try {
    const file = join(dir, 'engine.sqlite');
    const store = openSqliteStore({ file });
    await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
    const reader = new Database(file, { readonly: true });
    assert.equal(reader.pragma('journal_mode', { simple: true }), 'wal');
    reader.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
