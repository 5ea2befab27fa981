import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import { openSqliteStore } from './sqlite.ts';

/** A directory of its own, removed once the test is over. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the thread copies the log the writer leaves into the database file, and stops when told', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'x.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // the writer never checkpoints itself
  db.exec('CREATE TABLE t (v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(1000));
  })();
  const failures: Error[] = [];
  const checkpointer = startCheckpointer(file, 5, (err) => failures.push(err));
  try {
    const report = await checkpointer.nextCheckpoint();
    assert.ok(report.checkpointed > 100, `${report.checkpointed} frames copied`);
    assert.equal(report.checkpointed, report.log, 'the whole log, no reader holding it');
    const [after] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    assert.equal(after!.checkpointed, after!.log, 'nothing left for the writer to copy');
  } finally {
    await checkpointer.stop();
    await checkpointer.stop();
    db.close();
  }
  assert.deepEqual(failures, []);
  const reopened = new Database(file, { readonly: true });
  assert.equal((reopened.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 500);
  reopened.close();
});

test('a thread that cannot open the file reports the failure (the store goes back to checkpointing inline)', async (t) => {
  const dir = tempDir(t);
  let failure: (err: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (failure = resolve));
  const checkpointer = startCheckpointer(join(dir, 'missing.sqlite'), 5, (err) => failure(err));
  // The thread does not keep the process alive: the test does, until the failure arrives.
  const alive = setInterval(() => {}, 1000);
  try {
    const err = await failed;
    // The thread's error arrives serialised: its text, wherever it sits, names the cause.
    assert.match(`${err.message} ${JSON.stringify(err)}`, /unable to open|does not exist|CANTOPEN/i);
  } finally {
    clearInterval(alive);
    await checkpointer.stop();
  }
});

test('a store checkpointing in the background keeps every commit, and its close stops the thread (the log is removed)', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'engine.sqlite');
  const store = openSqliteStore({ file, backgroundCheckpoint: true });
  for (let d = 0; d < 50; d++) {
    await store.ingest([[{ flow: 'f', dedupeKey: `k:${d}`, trigger: 'new_activity', raw: { n: d, pad: 'y'.repeat(2000) }, subject: null, txn: null, availableAt: 0 }]], d);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await store.close();
  assert.equal(existsSync(`${file}-wal`), false, 'the last connection closed: no thread holds the file');
  const again = openSqliteStore({ file });
  try {
    assert.equal((await again.records({ flow: 'f', limit: 1000 })).length, 50);
  } finally {
    await again.close();
  }
});
