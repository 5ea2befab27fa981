/**
 * The worker's failure handling, driven round by round with its own clock against the MailerLite
 * fake over loopback (the server-level fault tests cover the same paths end to end).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isImport, type LoggedRequest, type Operation } from '../../adapters/mailerlite/index.ts';
import { signup, workerRig as rig } from '../../test/support/worker-rig.ts';
import { until } from '../../test/support/until.ts';

test('retryable failures back off, then dead-letter with ENGINE_ERR_RETRIES_EXHAUSTED after maxAttempts', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] }, { maxAttempts: 3 });
  try {
    r.fake.inject({ path: '/api/batch', status: 503, times: Infinity });
    await r.ingest(signup('retry@example.org'));
    await r.worker.round();
    const [rec] = (await r.store.records({ flow: 'w' })).filter((x) => x.trigger === 'new_transaction');
    assert.equal(rec?.status, 'pending');
    assert.equal(await r.worker.round(), false, 'nothing is ready before the backoff elapses');
    for (let i = 0; i < 3; i++) {
      r.clock.now += 1500;
      await r.worker.round();
    }
    const dead = await r.store.records({ flow: 'w', status: 'dead' });
    assert.equal(dead.length, 2, 'both records of the sign-up (activity and transaction) share the outcome');
    for (const d of dead) {
      assert.equal(d.errorCode, 'ENGINE_ERR_RETRIES_EXHAUSTED');
      assert.deepEqual((await r.store.history(d.id)).map((h) => h.outcome), ['failed', 'failed', 'dead']);
    }
  } finally {
    await r.close();
  }
});

test('a refused key pauses the account: records are released without an attempt, the key is probed, work resumes', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] });
  try {
    await r.ingest(signup('paused@example.org'));
    r.fake.inject({ status: 401, times: Infinity, body: { message: 'Unauthenticated.' } });
    await r.worker.round();
    assert.equal(r.worker.status().paused?.code, 'ML_ERR_UNAUTHENTICATED');
    const before = r.fake.requests().length;
    r.clock.now += 1000;
    assert.equal(await r.worker.round(), false);
    assert.equal(r.fake.requests().length, before, 'no request while paused, until the probe is due');
    assert.ok((await r.store.records({ flow: 'w' })).every((x) => x.status === 'pending' && x.attempts === 0));
    r.fake.clearFaults();
    r.clock.now += 60_000;
    await r.worker.drain();
    assert.equal(r.worker.status().paused, null);
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
  } finally {
    await r.close();
  }
});

test('decided writes are sent at most 50 operations per batch; the rest wait for the next round', async () => {
  const emails = Array.from({ length: 30 }, (_, i) => `member${i}@example.org`);
  const r = await rig({
    groups: ['Newsletter', 'Members', 'Flipcause'],
    subscribers: emails.map((email) => ({ email, status: 'unsubscribed' as const, groups: [] })),
  });
  try {
    emails.forEach(async (email, i) =>
      await r.ingest(signup(email).map((x) => ({ ...x, ...('id' in x ? { id: `9${i}` } : { webhook_record_id: `8${i}` }), transaction_id: `T77${i}`, AD_transaction_id: `T77${i}` }))),
    );
    await r.worker.drain();
    const batches = r.fake.requests(r.token).filter((q) => q.path.includes('batch'));
    assert.ok(batches.every((b) => (b.items?.length ?? 0) <= 50), 'no batch over 50 items');
    // Each unsubscribed member needs a PUT and three group additions: 120 writes in all.
    const writes = batches.flatMap((b) => b.items ?? []).filter((i) => i.method !== 'GET');
    assert.equal(writes.length, 120);
    assert.equal((await r.store.records({ flow: 'w', status: 'pending' })).length, 0);
    const subs = r.fake.account(r.token).subscribers() as { status: string; groups: unknown[] }[];
    assert.ok(subs.every((s) => s.status === 'unsubscribed' && s.groups.length === 3));
  } finally {
    await r.close();
  }
});

test('an upsert refused because the subscriber unsubscribed meanwhile is looked up again and updated by PUT', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'], subscribers: [{ email: 'race@example.org', status: 'active' }] });
  try {
    await r.ingest(signup('race@example.org'));
    await r.worker.round(); // look-up: active → an upsert is decided
    r.fake.setStatus(r.token, 'race@example.org', 'unsubscribed'); // the person unsubscribes in between
    await r.worker.round(); // the upsert is refused (422)
    const [rec] = await r.store.records({ flow: 'w', status: 'pending' });
    assert.equal(rec?.errorCode, 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED');
    r.clock.now += 1500;
    await r.worker.drain();
    const done = (await r.store.records({ flow: 'w' })).find((x) => x.outcome === 'updated');
    assert.ok(done, 'updated after a fresh look-up');
    const items = r.fake.requests(r.token).flatMap((q) => q.items ?? []);
    assert.ok(items.some((i) => i.method === 'PUT' && i.status === 200));
    assert.equal((r.fake.account(r.token).subscriber('race@example.org') as { status: string }).status, 'unsubscribed');
  } finally {
    await r.close();
  }
});

test('a flow naming a missing group waits, says which group and slot, and runs once the group exists', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members'] });
  try {
    await r.ingest(signup('waiting@example.org'));
    assert.equal(await r.worker.round(), false);
    const why = r.worker.status().notReady.w ?? '';
    assert.match(why, /"Flipcause" \(policy\.groups\.existing\)/);
    assert.ok((await r.store.records({ flow: 'w' })).every((x) => x.status === 'pending' && x.attempts === 0));
    r.fake.seed(r.token, { groups: ['Newsletter', 'Members', 'Flipcause'] }); // the customer creates the group
    r.clock.now += 600_000; // the group and field directory is read again after its time to live
    await r.worker.drain();
    assert.deepEqual(r.worker.status().notReady, {});
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
  } finally {
    await r.close();
  }
});

test('a backlog drains in mixed batches (writes with the next look-ups): never an import, about 25 contacts a batch', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] });
  try {
    for (let i = 0; i < 120; i++) {
      await r.ingest(signup(`new${i}@example.org`).map((x) => ({ ...x, ...('id' in x ? { id: `5${i}` } : { webhook_record_id: `6${i}` }), transaction_id: `T55${i}`, AD_transaction_id: `T55${i}` })));
    }
    await r.worker.drain();
    assert.equal(r.fake.account(r.token).subscribers().length, 120);
    const batches = r.fake.requests(r.token).filter((q) => q.path.includes('batch'));
    // MailerLite's own rule for what counts as an import (only subscriber upserts).
    const imports = batches.filter((b) => isImport((b.items ?? []) as Operation[]));
    assert.equal(imports.length, 0, 'no batch made only of upserts (MailerLite would count it as an import, 5 a minute)');
    // 120 look-ups + 120 creates = 240 items; at 50 a batch that is 5 batches at best.
    assert.ok(batches.length <= 7, `${batches.length} batches`);
  } finally {
    await r.close();
  }
});

for (const garble of ['invalid-json', 'short-batch'] as const) {
  test(`a garbled MailerLite answer (${garble}) to a batch that was carried out: retried after a fresh look-up, done, not dead`, async () => {
    // In-request retries on, to show this answer is not blindly re-sent within the request.
    const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] }, { inRequestRetries: 4 });
    try {
      await r.ingest(signup('garbled@example.org'));
      await r.worker.round(); // batch 1: the look-up
      r.fake.inject({ path: '/api/batch', garble }); // batch 2, the create, is carried out; its answer is spoiled
      await r.worker.round();
      const batches = (): LoggedRequest[] => r.fake.requests(r.token).filter((q) => q.path === '/api/batch');
      assert.equal(batches().length, 2, 'the spoiled answer is not re-sent within the request');
      assert.equal(r.fake.account(r.token).subscribers().length, 1, 'the create did happen');
      const pending = await r.store.records({ flow: 'w', status: 'pending' });
      assert.equal(pending.length, 2);
      for (const p of pending) assert.equal(p.errorCode, 'ML_ERR_BAD_RESPONSE');

      r.clock.now += 1500; // past the durable backoff (1 s in this rig)
      await r.worker.drain();
      const records = await r.store.records({ flow: 'w' });
      assert.deepEqual(records.map((x) => x.status), ['done', 'done']);
      assert.equal(records.filter((x) => x.outcome === 'dead').length, 0);
      for (const x of records) assert.equal((await r.store.history(x.id))[0]?.outcome, 'failed', 'the spoiled answer counted as a failed attempt');
      // The retry starts with a look-up of the subscriber, not with the writes again.
      const retry = batches()[2]!;
      assert.deepEqual(retry.items?.map((i) => i.method), ['GET']);
      assert.equal(retry.items?.[0]?.status, 200, 'the look-up finds the subscriber the spoiled batch created');
      assert.equal(r.fake.account(r.token).subscribers().length, 1, 'still one subscriber');
    } finally {
      await r.close();
    }
  });
}

test('the wakes of one event-loop turn (one per delivery a commit answers) make one round, run on a later turn', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] }, { worker: { idleMs: 60_000 } });
  const real = r.store;
  let claims = 0;
  let idle: () => void = () => {};
  const idled = (): Promise<void> => new Promise((resolve) => (idle = resolve));
  const claim = real.claim.bind(real);
  const nextReadyAt = real.nextReadyAt.bind(real);
  Object.assign(real, {
    claim: (...args: Parameters<typeof claim>) => {
      claims++;
      return claim(...args);
    },
    // Asked once a round found nothing: the worker is about to sleep.
    nextReadyAt: async (...args: Parameters<typeof nextReadyAt>) => {
      const at = await nextReadyAt(...args);
      setImmediate(idle);
      return at;
    },
  });
  // A sign-up committed, then `wakes` wakes in the microtasks of one turn (as the deliveries of
  // one commit wake the worker); the claims it took until the worker slept again.
  const burst = async (email: string, wakes: number): Promise<number> => {
    const before = claims;
    const asleep = idled();
    await r.ingest(signup(email));
    for (let i = 0; i < wakes; i++) {
      // The deliveries' continuations are many microtasks apart (each sends its answer).
      for (let m = 0; m < 20; m++) await Promise.resolve();
      r.worker.wake();
      assert.equal(claims, before, 'no round inside the turn that woke the worker');
    }
    await asleep;
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    return claims - before;
  };
  try {
    const asleep = idled();
    r.worker.start();
    await asleep;
    const one = await burst('one@example.org', 1);
    const five = await burst('five@example.org', 5);
    assert.ok(one > 0);
    assert.equal(five, one, 'five wakes in one turn cost the rounds one wake costs');
    assert.equal(r.fake.account(r.token).subscribers().length, 2);
  } finally {
    await r.worker.stop();
    await r.close();
  }
});

test('a staggered start holds the first round (no request to MailerLite) until its delay, a wake, or a stop', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] }, { worker: { idleMs: 60_000 } });
  try {
    r.worker.start(60_000);
    await r.ingest(signup('held@example.org'));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(r.fake.requests().length, 0, 'no directory load and no claim during the stagger');

    r.worker.wake(); // a delivery for the account: it starts at once
    await until('the sign-up to reach MailerLite', () => r.fake.account(r.token).subscribers().length > 0, 5_000);
    assert.equal(r.fake.account(r.token).subscribers().length, 1);
    await until('the sign-up to be worked through', async () => (await r.store.records({ flow: 'w', status: 'pending' })).length === 0, 5_000);
  } finally {
    await r.worker.stop();
    await r.close();
  }
});

test('stopping a worker still in its staggered start ends it at once, without a round', async () => {
  const r = await rig({ groups: ['Newsletter', 'Members', 'Flipcause'] }, { worker: { idleMs: 60_000 } });
  try {
    r.worker.start(600_000);
    await r.worker.stop(); // would hang for ten minutes if the stagger ignored the stop
    assert.equal(r.fake.requests().length, 0);
  } finally {
    await r.close();
  }
});
