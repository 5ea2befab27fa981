/**
 * The server's SQLite store served from a thread of its own, seen over HTTP: a thread that stops
 * is replaced and deliveries go on being stored; one that keeps stopping is given up on, and the
 * server says so (503 naming why, /readyz not ready, a fatal log line) instead of going quiet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RESTARTS, type ThreadedSqliteStore } from '../engine/store/sqlite-thread.ts';
import { flowYaml, startHarness } from './support/harness.ts';
import { untilValue } from './support/until.ts';

const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });

function contact(id: number): Record<string, unknown> {
  return {
    webhook_record_id: String(id), webhook_trigger_type: 'new_contact', user_id: '638', contact_id: `CID638-${5000 + id}`,
    first_name: 'Thread', last_name: `Case${id}`, email: `thread.case.${id}@example.org`, created_on: '2026-11-08 15:40:11',
  };
}

test('the store\'s thread stopping: the next delivery is stored by a new thread; stopping too often: 503 naming why, /readyz not ready, a fatal line', async () => {
  const h = await startHarness({ flows: { hope: FLOW } });
  try {
    const store = h.server.store as ThreadedSqliteStore;
    assert.equal(typeof store.killThread, 'function', 'a file store is served from its thread');
    assert.equal((await h.send('hope', [contact(1)])).status, 200);

    await store.killThread();
    const again = await h.send('hope', [contact(2)]);
    assert.equal(again.status, 200, 'a new thread took over');
    assert.deepEqual(await again.json(), { accepted: 1, duplicates: 0 });
    assert.equal(h.logLines.filter((l) => l.includes("the store's thread stopped: calls it had not answered failed, a new thread took over")).length, 1);

    for (let i = 1; i < MAX_RESTARTS; i++) {
      await store.killThread();
      await store.getMeta('opened'); // the new thread is serving before the next stop
    }
    await store.killThread();
    // Not ready before any delivery has failed: a load balancer stops sending deliveries at once.
    const readyBody = await untilValue('/readyz to say not ready', async () => {
      const ready = await fetch(`${h.server.url}/readyz`);
      return ready.status === 503 ? ((await ready.json()) as { ready: boolean; store: { writable: boolean; reason: string } }) : undefined;
    }, 5_000);
    assert.equal(readyBody.ready, false);
    assert.deepEqual({ writable: readyBody.store.writable, reason: readyBody.store.reason }, { writable: false, reason: 'STORE_THREAD_FAILED' });
    const refused = await h.send('hope', [contact(3)]);
    assert.equal(refused.status, 503);
    const body = (await refused.json()) as { code: string; message: string };
    assert.equal(body.code, 'ENGINE_ERR_STORE_UNAVAILABLE');
    assert.match(body.message, /\(STORE_THREAD_FAILED\); nothing was stored/);
    assert.equal((await fetch(`${h.server.url}/readyz`)).status, 503, 'still not ready');
    const fatal = h.logLines.filter((l) => l.includes("the store's thread stopped and is not started again"));
    assert.equal(fatal.length, 1);
    assert.match(fatal[0]!, /"level":60/);
    assert.match(fatal[0]!, /"cause":"exit code 1"/);
  } finally {
    await h.close();
  }
});
