/**
 * The SQLite store served from a thread of its own: its errors arrive as the in-process store's
 * would (name, message, code), a thread that dies fails the calls it had not answered and is
 * replaced (up to a limit, then every call says it cannot), and close drains the calls in flight
 * and leaves nothing holding the process. What every store owes is run against it by
 * sqlite.conformance.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reasonOf } from './failure-reason.ts';
import { isStoreOpenError } from './open-store.ts';
import { openSqliteStore } from './sqlite.ts';
import { SCHEMA_VERSION } from './sqlite-migrations.ts';
import { MAX_RESTARTS, openThreadedSqliteStore, type ThreadExit } from './sqlite-thread.ts';
import type { NewRecord } from './types.ts';
import { runEngine } from '../../test/support/cli.ts';

function rec(n: number, over: Partial<NewRecord> = {}): NewRecord {
  return { flow: 'f1', dedupeKey: `new_activity:${n}`, trigger: 'new_activity', raw: { n: String(n), note: 'x'.repeat(200) }, subject: null, txn: null, availableAt: 0, ...over };
}

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'store-thread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'engine.sqlite');
}

/** A file as a newer engine left it: its schema version is past this engine's. */
function makeNewer(file: string): void {
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
}

const pendingIn = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM records WHERE status = 'pending'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

test('a store written by a newer engine is refused at open with the same error as in-process, and engine serve says so in one line', async (t) => {
  const file = tempFile(t);
  await openSqliteStore({ file }).close();
  makeNewer(file);
  const err = await openThreadedSqliteStore({ file }).then(() => assert.fail('opened a newer store'), (e: unknown) => e as Error);
  assert.equal(err.name, 'StoreSchemaError');
  assert.match(err.message, new RegExp(`schema is version ${SCHEMA_VERSION + 1}, newer than this engine knows \\(${SCHEMA_VERSION}\\)`));
  assert.equal(isStoreOpenError(err), true, 'engine serve treats it as the operator\'s to fix');

  // From the build, as an operator runs it: the thread's error crosses into the one-line refusal.
  const flows = join(file, '..', 'flows');
  mkdirSync(flows);
  const run = await runEngine(['serve', '--flows', flows, '--db', file, '--port', '0', '--no-watch'], { add: { LOG_LEVEL: 'error' } });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^engine serve: cannot open the store sqlite:.*schema is version ${SCHEMA_VERSION + 1}, newer than this engine knows`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'one line, not a stack');
});

test('a write the database refuses rejects with the driver\'s name, message and code, and the next write goes through', async (t) => {
  const file = tempFile(t);
  const store = await openThreadedSqliteStore({ file });
  t.after(() => store.close());
  const other = new Database(file);
  t.after(() => other.close());
  other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
  const err = await store.ingest([[rec(1)]], 1000).then(() => assert.fail('committed'), (e: unknown) => e as Error & { code?: string });
  assert.equal(err.name, 'SqliteError');
  assert.equal(err.message, 'database or disk is full');
  assert.equal(err.code, 'SQLITE_CONSTRAINT_TRIGGER');
  assert.equal(reasonOf(err), 'SQLITE_CONSTRAINT_TRIGGER', 'what /readyz and the 503 report');
  assert.match(err.stack ?? '', /in the store's thread:/, 'where it was raised, for the log');
  other.exec('DROP TRIGGER refuse');
  assert.deepEqual(await store.ingest([[rec(1)]], 1000), [{ accepted: 1, duplicates: 0 }]);
});

test('records cross with their payload as stored and are read back whole, and the thread answers calls in the order they were sent', async (t) => {
  const file = tempFile(t);
  const store = await openThreadedSqliteStore({ file });
  t.after(() => store.close());
  // Not awaited one by one: the claim sent after the ingest sees its records.
  const [ingested, claimed] = await Promise.all([
    // A flat record of strings (kept as a field table) and a nested one (kept as its text).
    store.ingest([[rec(1, { subject: 's1', txn: 'T1', raw: { n: 1, nested: { list: [1, 'two'] } } })], [rec(2)]], 1000),
    store.claim(['f1'], 2000, 10, 60_000, new Set(['s1'])),
  ]);
  assert.deepEqual(ingested, [{ accepted: 1, duplicates: 0 }, { accepted: 1, duplicates: 0 }]);
  assert.deepEqual(claimed.map((r) => r.raw), [{ n: '2', note: 'x'.repeat(200) }], 'the busy subject skipped (a Set crosses)');
  assert.deepEqual(await store.createsSent([claimed[0]!.id]), new Set());
  const [one] = await store.records({ flow: 'f1', limit: 1 });
  assert.deepEqual(one?.raw, { n: 1, nested: { list: [1, 'two'] } });
  assert.deepEqual((await store.record(claimed[0]!.id))?.raw, { n: '2', note: 'x'.repeat(200) });
  assert.equal(await store.record(999), undefined);
});

test('a thread that dies mid-call fails that call with a clear error; a new thread takes the next calls, and nothing committed is lost', async (t) => {
  const file = tempFile(t);
  const exits: ThreadExit[] = [];
  const store = await openThreadedSqliteStore({ file, onThreadExit: (e) => exits.push(e) });
  t.after(() => store.close());
  assert.deepEqual(await store.ingest([[rec(1)]], 1000), [{ accepted: 1, duplicates: 0 }]);

  // A commit long enough to be under way when the thread is ended.
  const big = Array.from({ length: 100_000 }, (_, i) => rec(10 + i));
  const inFlight = store.ingest([big], 2000);
  const alsoWaiting = store.stats();
  await new Promise((resolve) => setTimeout(resolve, 30));
  await store.killThread();
  for (const call of [inFlight, alsoWaiting]) {
    await assert.rejects(call, (err: Error & { code?: string }) =>
      err.name === 'StoreThreadError' && err.code === 'STORE_THREAD_EXITED' && /the store's thread stopped \(exit code 1\) before answering (ingest|stats); whether it took effect is unknown/.test(err.message));
  }
  assert.deepEqual(exits, [{ cause: 'exit code 1', restarting: true }]);

  // The next call goes to the new thread: the records committed before are there, the big
  // commit entirely or not at all, and intake works again (a resent delivery is absorbed).
  const pending = (await store.stats())[0]?.pending;
  assert.ok(pending === 1 || pending === 1 + big.length, `${pending} pending`);
  assert.deepEqual(await store.ingest([[rec(1), rec(5)]], 3000), [{ accepted: 1, duplicates: 1 }]);
  await store.close();
  assert.equal(pendingIn(file), pending + 1);
});

test(`a thread that dies more than ${MAX_RESTARTS} times a minute is not restarted: every call says so, close still returns`, async (t) => {
  const file = tempFile(t);
  const exits: ThreadExit[] = [];
  const store = await openThreadedSqliteStore({ file, onThreadExit: (e) => exits.push(e) });
  for (let i = 0; i < MAX_RESTARTS; i++) {
    await store.killThread();
    assert.equal(await store.getMeta('k'), undefined, `restart ${i + 1} serves`);
  }
  await store.killThread();
  assert.deepEqual(exits.map((e) => e.restarting), [...Array(MAX_RESTARTS).fill(true), false]);
  for (const call of [store.ingest([[rec(1)]], 1000), store.setMeta('k', 'v')]) {
    await assert.rejects(call, (err: Error & { code?: string }) =>
      err.code === 'STORE_THREAD_FAILED' && reasonOf(err) === 'STORE_THREAD_FAILED'
      && new RegExp(`stopped ${MAX_RESTARTS + 1} times within a minute \\(last: exit code 1\\); it is not started again: restart the server`).test(err.message));
  }
  await store.close();
});

test('a thread that dies and finds the store no longer opens gives up with the reason the store gave', async (t) => {
  const file = tempFile(t);
  const exits: ThreadExit[] = [];
  const store = await openThreadedSqliteStore({ file, onThreadExit: (e) => exits.push(e) });
  t.after(() => store.close());
  makeNewer(file);
  await store.killThread();
  await assert.rejects(store.getMeta('k'), (err: Error) => err.name === 'StoreSchemaError' && isStoreOpenError(err));
  await assert.rejects(store.setMeta('k', 'v'), (err: Error) => err.name === 'StoreSchemaError');
  assert.equal(exits.length, 2);
  assert.deepEqual(exits[0], { cause: 'exit code 1', restarting: true });
  assert.equal(exits[1]?.restarting, false);
  assert.match(exits[1]?.cause ?? '', /the store could not be opened again: the store's schema is version/);
});

test('close answers every call in flight first, then refuses calls, and the file holds what they committed', async (t) => {
  const file = tempFile(t);
  const store = await openThreadedSqliteStore({ file });
  const calls = Array.from({ length: 20 }, (_, i) => store.ingest([[rec(i)], [rec(100 + i)]], 1000 + i));
  const closed = store.close();
  assert.deepEqual(await Promise.all(calls), calls.map(() => [{ accepted: 1, duplicates: 0 }, { accepted: 1, duplicates: 0 }]));
  await closed;
  await store.close(); // twice is harmless
  await assert.rejects(store.stats(), (err: Error & { code?: string }) => err.code === 'STORE_CLOSED' && /the store is closed \(stats called after close\)/.test(err.message));
  assert.equal(pendingIn(file), 40);
});

test('nothing holds the process once the store is closed, nor while it is open and idle', async (t) => {
  const file = tempFile(t);
  // A script of its own, run to its end: it never calls process.exit.
  const script = join(file, '..', 'holder.mts');
  writeFileSync(script, `
    import { openThreadedSqliteStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite-thread.ts')).href)};
    const file = process.argv[2];
    await openThreadedSqliteStore({ file: file + '.idle' }); // left open, idle
    const store = await openThreadedSqliteStore({ file });
    await store.ingest([[{ flow: 'f', dedupeKey: 'k:1', trigger: 't', raw: '{}', subject: null, txn: null, availableAt: 0 }]], 1);
    store.close().then(() => console.log('closed'));
  `);
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, file], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
  assert.equal(run.code, 0, `exited by itself: ${run.stderr}`);
  assert.equal(run.stdout, 'closed\n');
  assert.equal(pendingIn(file), 1);
});
