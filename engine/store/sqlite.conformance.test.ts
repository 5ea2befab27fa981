/** The store conformance suite against SQLite: in memory (dry runs, `engine run`), on disk, and on disk served from its thread (`engine serve`). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeConformance } from './conformance.ts';
import { openSqliteStore } from './sqlite.ts';
import { openThreadedSqliteStore } from './sqlite-thread.ts';

storeConformance('sqlite in memory', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  return { store, close: () => store.close() };
});

storeConformance('sqlite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-conformance-'));
  const store = openSqliteStore({ file: join(dir, 'engine.sqlite') });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

storeConformance('sqlite file served from a thread of its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-conformance-thread-'));
  const store = await openThreadedSqliteStore({ file: join(dir, 'engine.sqlite') });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
