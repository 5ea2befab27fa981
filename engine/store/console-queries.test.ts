/**
 * The store's console queries: the fleet overview, throughput buckets, coalesced records and the
 * audit log. Written against the Store interface (awaiting each call) so they move into the
 * conformance suite as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from './sqlite.ts';
import type { NewRecord, Store } from './types.ts';

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: '{"a":"1"}', subject: null, txn: null, availableAt: 0, ...over };
}

async function seeded(): Promise<{ store: Store; ids: Record<string, number> }> {
  const store = openSqliteStore({ file: ':memory:' });
  await store.ingest([[rec({ dedupeKey: 'a:1' }), rec({ dedupeKey: 'a:2' }), rec({ dedupeKey: 'a:3' }), rec({ dedupeKey: 'a:4' })]], 1000);
  await store.ingest([[rec({ flow: 'f2', dedupeKey: 'b:1' })]], 2000);
  await store.ingest([[rec({ flow: 'f2', dedupeKey: 'b:2' })]], 2500);
  const ids: Record<string, number> = {};
  for (const r of await store.records({ limit: 10 })) ids[r.dedupeKey] = r.id;
  await store.finish(ids['a:1']!, { outcome: 'created' }, 10_000);
  await store.finish(ids['a:2']!, { outcome: 'skipped', reason: 'coalesced', detail: { into: ids['a:1'] } }, 10_000);
  await store.finish(ids['a:3']!, { outcome: 'dead', errorCode: 'ML_ERR_INVALID', reason: 'refused' }, 500); // long ago
  await store.finish(ids['b:1']!, { outcome: 'updated' }, 70_000);
  return { store, ids };
}

test('overview: per flow pending, dead, oldest pending, last delivery and outcomes since a moment', async () => {
  const { store } = await seeded();
  assert.deepEqual(await store.overview(5_000), [
    { flow: 'f1', pending: 1, dead: 1, oldestPendingAt: 1000, lastDeliveryAt: 1000, recent: { created: 1, skipped: 1 } },
    { flow: 'f2', pending: 1, dead: 0, oldestPendingAt: 2500, lastDeliveryAt: 2500, recent: { updated: 1 } },
  ]);
  assert.deepEqual((await store.overview(0))[0]?.recent, { created: 1, skipped: 1, dead: 1 }, 'the dead letter finished before 5000');
  await store.close();
});

test('throughput counts finished records per bucket and outcome, for the fleet or one flow', async () => {
  const { store } = await seeded();
  assert.deepEqual(await store.throughput(5_000, 60_000), [
    { at: 0, outcome: 'created', count: 1 },
    { at: 0, outcome: 'skipped', count: 1 },
    { at: 60_000, outcome: 'updated', count: 1 },
  ]);
  assert.deepEqual(await store.throughput(0, 60_000, 'f2'), [{ at: 60_000, outcome: 'updated', count: 1 }]);
  await store.close();
});

test('coalescedInto names the records decided together with a record', async () => {
  const { store, ids } = await seeded();
  assert.deepEqual(await store.coalescedInto(ids['a:1']!), [ids['a:2']]);
  assert.deepEqual(await store.coalescedInto(ids['a:2']!), []);
  await store.close();
});

test('the audit log keeps who did what and when, newest first, filtered by action and paged by id', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  await store.addAudit({ at: 1, actor: 'unknown', action: 'login', ok: false, target: null, detail: { ip: '127.0.0.1' } });
  await store.addAudit({ at: 2, actor: 'tok_1a2b', action: 'login', ok: true, target: null });
  await store.addAudit({ at: 3, actor: 'tok_1a2b', action: 'replay', ok: true, target: 'flow hope', detail: { replayed: 2 } });
  await store.addAudit({ at: 4, actor: 'tok_1a2b', action: 'reveal', ok: true, target: 'record 7' });
  const all = await store.auditLog({});
  assert.deepEqual(all.map((e) => [e.action, e.at]), [['reveal', 4], ['replay', 3], ['login', 2], ['login', 1]]);
  assert.deepEqual(all[1], { id: 3, at: 3, actor: 'tok_1a2b', action: 'replay', ok: true, target: 'flow hope', detail: { replayed: 2 } });
  assert.equal(all[3]?.ok, false);
  assert.deepEqual((await store.auditLog({ action: 'login' })).map((e) => e.ok), [true, false]);
  assert.deepEqual((await store.auditLog({ beforeId: 3, limit: 1 })).map((e) => e.id), [2]);
  await store.close();
});

test('records can be listed newest first, with the same filters', async () => {
  const { store, ids } = await seeded();
  assert.deepEqual((await store.records({ flow: 'f1', newestFirst: true, limit: 2 })).map((r) => r.id), [ids['a:4'], ids['a:3']]);
  assert.deepEqual((await store.records({ flow: 'f1', status: 'done', newestFirst: true })).map((r) => r.id), [ids['a:2'], ids['a:1']]);
  assert.deepEqual((await store.records({ flow: 'f1', limit: 1 })).map((r) => r.id), [ids['a:1']], 'oldest first by default');
  await store.close();
});
