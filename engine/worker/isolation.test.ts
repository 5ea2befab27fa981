/**
 * One record, or one failing store, never stalls an account: a record's own steps fail that record
 * alone; a round that fails outside any record backs off, says so once, and gives its leases back.
 * And an outcome says what MailerLite did, even when the answer to a create was lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signup, signupNo, workerRig as rig, type Rig } from '../../test/support/worker-rig.ts';
import { until } from '../../test/support/until.ts';
import { encodePayload } from '../store/payload-codec.ts';
import { payloadOf } from '../store/record-row.ts';

const GROUPS = { groups: ['Newsletter', 'Members', 'Flipcause'] };

const byStatus = (r: Rig, status: 'pending' | 'done' | 'dead') => r.store.records({ flow: 'w', status });

test('poison record: a lone-surrogate email stored as it came is dead-lettered with a reason; the 32 valid records behind it end done', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signupNo('\ud800@example.org', 0)); // intake refuses this now; a store from before may hold it
    for (let i = 1; i <= 16; i++) await r.ingest(signupNo(`valid${i}@example.org`, i)); // 32 records
    await r.worker.drain();
    const dead = await byStatus(r, 'dead');
    assert.equal(dead.length, 2, 'the poison sign-up (its activity and its transaction)');
    for (const d of dead) {
      assert.equal(d.errorCode, 'ENGINE_ERR_UNENCODABLE');
      assert.match(d.reason ?? '', /the email is not well-formed Unicode/);
      assert.deepEqual((await r.store.history(d.id)).map((h) => h.outcome), ['dead'], 'dead at once: no retry could ever send it');
    }
    assert.equal((await byStatus(r, 'done')).length, 32);
    assert.equal((await byStatus(r, 'pending')).length, 0);
    assert.equal(r.fake.account(r.token).subscribers().length, 16);
  } finally {
    await r.close();
  }
});

test('poison record: a record whose stored payload cannot be read is dead-lettered alone, saying why; its round goes on', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signupNo('damaged@example.org', 0));
    for (let i = 1; i <= 3; i++) await r.ingest(signupNo(`fine${i}@example.org`, i));
    // The store reads each claimed payload as it does a damaged row: its bytes cut short.
    const claim = r.store.claim.bind(r.store);
    r.store.claim = async (...args) => (await claim(...args)).map((rec) => JSON.stringify(rec.raw).includes('damaged@')
      ? { ...rec, ...payloadOf(encodePayload(rec.raw).subarray(0, 12), rec.id) }
      : rec);
    await r.worker.drain();
    const dead = await byStatus(r, 'dead');
    assert.equal(dead.length, 2, 'the damaged sign-up (its activity and its transaction)');
    for (const d of dead) {
      assert.equal(d.errorCode, 'ENGINE_ERR_PAYLOAD_UNREADABLE');
      assert.match(d.reason ?? '', new RegExp(`^record ${d.id}: its stored payload is damaged`));
    }
    assert.equal((await byStatus(r, 'done')).length, 6);
    assert.equal((await byStatus(r, 'pending')).length, 0);
    assert.deepEqual(r.fake.account(r.token).subscribers().map((s) => (s as { email: string }).email).sort(), ['fine1@example.org', 'fine2@example.org', 'fine3@example.org']);
  } finally {
    await r.close();
  }
});

test('poison record: a lone surrogate in a mapped field fails that record alone, named by the field, not its value', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signupNo('odd-name@example.org', 0).map((x) => ({ ...x, PD_first_name: 'A\udc00', first_name: 'A\udc00' })));
    await r.ingest(signupNo('fine@example.org', 1));
    await r.worker.drain();
    const dead = await byStatus(r, 'dead');
    assert.ok(dead.length > 0);
    for (const d of dead) assert.match(d.reason ?? '', /field "name" is not well-formed Unicode/);
    assert.deepEqual(r.fake.account(r.token).subscribers().map((s) => (s as { email: string }).email), ['fine@example.org']);
  } finally {
    await r.close();
  }
});

test('store failure: the loop backs off instead of spinning, logs the failure once and the recovery once, then drains', async () => {
  const r = await rig(GROUPS, { worker: { roundBackoff: { baseMs: 1, maxMs: 4 }, idleMs: 20 } });
  try {
    await r.ingest(signupNo('outage@example.org', 1));
    r.failing.on = true;
    r.worker.start();
    await until('eight failed rounds', () => r.failing.calls >= 8);
    r.failing.on = false;
    await until('the records are done', async () => (await byStatus(r, 'done')).length === 2);
    await r.worker.stop();
    const failed = r.logs.filter((l) => l.msg === 'worker round failed; backing off');
    assert.equal(failed.length, 1, 'one line for the failing state, not one per attempt');
    assert.equal(failed[0]?.code, 'ENGINE_ERR_INTERNAL');
    const back = r.logs.filter((l) => l.msg === 'worker rounds go through again');
    assert.equal(back.length, 1);
    assert.ok(Number(back[0]?.failed_rounds) >= 8);
  } finally {
    await r.close();
  }
});

test('failed round: its records give their leases back at once, not after the 300 s lease', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signupNo('lease@example.org', 1));
    await r.worker.round(); // the look-up: a create is decided and held
    // The round that sends the create commits its outcome to a store that now refuses writes.
    const realApply = r.store.applyOutcomes.bind(r.store);
    let refused = false;
    r.store.applyOutcomes = async (batch) => {
      if (!refused && batch.finished.length > 0) {
        refused = true; // once: the commit of the create's outcome
        throw new Error('database or disk is full');
      }
      return realApply(batch);
    };
    await assert.rejects(r.worker.round(), /disk is full/);
    assert.equal(r.fake.account(r.token).subscribers().length, 1, 'the create was sent before the commit failed');
    const pending = await byStatus(r, 'pending');
    assert.equal(pending.length, 2);
    // Same clock: a lease still held would keep them from being claimed for 300 s.
    await r.worker.drain();
    assert.equal((await byStatus(r, 'done')).length, 2, 'claimed again at once and finished');
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
  } finally {
    await r.close();
  }
});

test('failed round: leases the failing store could not take back are given back when it recovers', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signupNo('later@example.org', 1));
    const realApply = r.store.applyOutcomes.bind(r.store);
    r.store.applyOutcomes = (batch) => {
      r.failing.on = true; // the disk fills while the round prepares: the release fails too
      return realApply(batch);
    };
    await assert.rejects(r.worker.round());
    r.failing.on = false;
    r.store.applyOutcomes = realApply;
    await r.worker.drain();
    assert.equal((await byStatus(r, 'done')).length, 2);
  } finally {
    await r.close();
  }
});

test('lost 201: a create whose answer was lost and whose look-up then finds the subscriber is recorded as created by this flow', async () => {
  const r = await rig(GROUPS, { timeoutMs: 150 });
  try {
    await r.ingest(signup('lost@example.org'));
    await r.worker.round(); // the look-up: none, a create is decided
    // The batch carrying the create is carried out, but its answer comes after the client gave up.
    r.fake.inject({ path: '/api/batch', delayMs: 400 });
    await r.worker.round();
    assert.deepEqual((await byStatus(r, 'pending')).map((x) => x.errorCode), ['ML_ERR_TIMEOUT', 'ML_ERR_TIMEOUT']);
    await until('the fake carried the create out', () => r.fake.account(r.token).subscribers().length === 1);
    r.clock.now += 1500;
    await r.worker.drain();
    const records = await r.store.records({ flow: 'w' });
    assert.deepEqual(records.map((x) => x.status), ['done', 'done']);
    assert.ok(records.some((x) => x.outcome === 'created'), 'created, not "updated, no change"');
    const effects = await r.store.effects('w', 0);
    assert.deepEqual(effects.map((e) => e.action), ['created'], 'purge-test-contacts will delete it');
    const created = records.find((x) => x.outcome === 'created')!;
    assert.match(((await r.store.history(created.id)).at(-1)?.detail as { ml_did: string }).ml_did, /answer was lost/);
    const creates = r.fake.requests(r.token).flatMap((q) => q.items ?? []).filter((i) => i.method === 'POST' && i.status === 201);
    assert.equal(creates.length, 1, 'the create was not sent again: the retry looked the subscriber up first');
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
  } finally {
    await r.close();
  }
});

test('lost 201: re-adding a deleted subscriber is answered 200 with its old id and still counts as created', async () => {
  const r = await rig({ ...GROUPS, subscribers: [{ email: 'back@example.org', status: 'active' }] });
  try {
    const old = r.fake.account(r.token).subscriber('back@example.org') as { id: string };
    await r.client.deleteSubscriber(old.id);
    assert.equal(r.fake.account(r.token).subscribers().length, 0);
    await r.ingest(signup('back@example.org'));
    await r.worker.drain();
    const created = (await r.store.records({ flow: 'w' })).find((x) => x.outcome === 'created');
    assert.ok(created, 'created');
    const detail = (await r.store.history(created.id)).at(-1)?.detail as { subscriber: string; ml_did: string };
    assert.equal(detail.subscriber, old.id);
    assert.match(detail.ml_did, /existing subscriber/);
    assert.deepEqual((await r.store.effects('w', 0)).map((e) => [e.action, e.subscriberId]), [['created', old.id]]);
  } finally {
    await r.close();
  }
});

test('lost 201: the unit whose create landed whole writes nothing more once its look-up finds the subscriber, even where an existing contact would get other groups', async () => {
  // In this flow a new contact gets Newsletter, an existing one Newsletter, Members and Flipcause:
  // decided as "existing", the found subscriber would be written to again with two groups it never asked for.
  const r = await rig(GROUPS, { timeoutMs: 150 });
  try {
    await r.ingest(signup('whole@example.org'));
    await r.worker.round(); // the look-up: none, a create is decided
    r.fake.inject({ path: '/api/batch', delayMs: 400 }); // carried out, answered after the client gave up
    await r.worker.round();
    await until('the fake carried the create out', () => r.fake.account(r.token).subscribers().length === 1);
    r.clock.now += 1500;
    await r.worker.drain();
    const records = await r.store.records({ flow: 'w' });
    assert.deepEqual(records.map((x) => x.status), ['done', 'done']);
    assert.ok(records.some((x) => x.outcome === 'created'), 'created, not "updated"');
    assert.deepEqual((await r.store.effects('w', 0)).map((e) => e.action), ['created'], 'purge-test-contacts will find it');
    // Every write the fake received, batched or not, with the code it answered.
    const writes = r.fake.requests(r.token).flatMap((q) =>
      q.items ? q.items.filter((i) => i.method !== 'GET').map((i) => `${i.method} ${i.status}`) : q.method === 'GET' ? [] : [`${q.method} ${q.status}`]);
    assert.deepEqual(writes, ['POST 201'], 'the create, and nothing written twice');
    const subscriber = r.fake.account(r.token).subscriber('whole@example.org') as { groups: { name: string }[] };
    assert.deepEqual(subscriber.groups.map((g) => g.name), ['Newsletter'], 'only the groups the create asked for');
  } finally {
    await r.close();
  }
});

test('lost 201: the commit after a create fails (as a killed process never makes it); the create was marked before it went out, so it ends created', async () => {
  const r = await rig(GROUPS);
  try {
    await r.ingest(signup('unrecorded@example.org'));
    await r.worker.round(); // the look-up: none, a create is decided (and marked in the same commit)
    const realApply = r.store.applyOutcomes.bind(r.store);
    let refused = false;
    r.store.applyOutcomes = async (batch) => {
      if (!refused && batch.finished.length > 0) {
        refused = true; // the create's outcome is never recorded: no history, no attempt counted
        throw new Error('database or disk is full');
      }
      return realApply(batch);
    };
    await assert.rejects(r.worker.round(), /disk is full/);
    const pending = await byStatus(r, 'pending');
    assert.deepEqual(pending.map((x) => x.attempts), [0, 0]);
    for (const p of pending) assert.deepEqual(await r.store.history(p.id), []);
    await r.worker.drain();
    const records = await r.store.records({ flow: 'w' });
    assert.deepEqual(records.map((x) => x.status), ['done', 'done']);
    assert.ok(records.some((x) => x.outcome === 'created'), 'created, not "updated"');
    assert.deepEqual((await r.store.effects('w', 0)).map((e) => e.action), ['created'], 'purge-test-contacts will delete it');
    const writes = r.fake.requests(r.token).flatMap((q) => (q.items ?? []).filter((i) => i.method !== 'GET').map((i) => `${i.method} ${i.status}`));
    assert.deepEqual(writes, ['POST 201'], 'one create, nothing written after it');
    assert.deepEqual(await r.store.createsSent(records.map((x) => x.id)), new Set(), 'the mark went with the finish');
  } finally {
    await r.close();
  }
});

test('lost 201: a replayed record whose first run lost a create answer is not counted as created again', async () => {
  const r = await rig(GROUPS, { timeoutMs: 150 });
  try {
    await r.ingest(signup('again@example.org'));
    await r.worker.round();
    r.fake.inject({ path: '/api/batch', delayMs: 400 }); // carried out, answered after the client gave up
    await r.worker.round();
    await until('the fake carried the create out', () => r.fake.account(r.token).subscribers().length === 1);
    r.clock.now += 1500;
    await r.worker.drain();
    const first = await r.store.records({ flow: 'w' });
    assert.ok(first.some((x) => x.outcome === 'created'));
    assert.equal(await r.store.replay(first.map((x) => x.id), r.clock.now), 2);
    await r.worker.drain();
    const again = await r.store.records({ flow: 'w' });
    assert.deepEqual(again.map((x) => x.status), ['done', 'done']);
    assert.ok(!again.some((x) => x.outcome === 'created'), `the replay found the subscriber its first run made: ${again.map((x) => x.outcome).join(', ')}`);
    assert.deepEqual((await r.store.effects('w', 0)).map((e) => e.action), ['created', 'updated'], 'one create for purge, then what the replay did');
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
  } finally {
    await r.close();
  }
});
