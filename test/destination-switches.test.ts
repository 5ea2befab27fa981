/**
 * The engine against the MailerLite fake under both settings of the switches for what public
 * sources leave unknown: whether a group can be added to an unsubscribed subscriber
 * (groupJoinWhenUnsubscribed), and whether the 422 refusing to upsert an unsubscribed subscriber
 * names it (refusalNamesSubscriber). Each setting ends every record, and none is retried forever.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FakeOptions } from '../adapters/mailerlite/index.ts';
import { signup, workerRig, type Rig } from './support/worker-rig.ts';

const GROUPS = ['Newsletter', 'Members', 'Flipcause'];

async function withRig(options: Partial<FakeOptions>, subscribers: { email: string; status: 'active' | 'unsubscribed' }[], body: (r: Rig) => Promise<void>): Promise<void> {
  const r = await workerRig({ groups: GROUPS, subscribers: subscribers.map((s) => ({ ...s, groups: [] })) });
  r.fake.setOptions(options);
  try {
    await body(r);
  } finally {
    await r.close();
  }
}

/** The write items the fake received (look-ups left out), with their answers. */
const writes = (r: Rig) => r.fake.requests(r.token).flatMap((q) => q.items ?? []).filter((i) => i.method !== 'GET');

describe('groupJoinWhenUnsubscribed', () => {
  test("'allowed': an unsubscribed member's fields are written and the groups joined; the record is updated", () =>
    withRig({ groupJoinWhenUnsubscribed: 'allowed' }, [{ email: 'gone@example.org', status: 'unsubscribed' }], async (r) => {
      await r.ingest(signup('gone@example.org'));
      await r.worker.drain();
      const records = await r.store.records({ flow: 'w' });
      assert.deepEqual(records.map((x) => x.outcome).sort(), ['skipped', 'updated'], 'one outcome, the other record coalesced into it');
      const sub = r.fake.account(r.token).subscriber('gone@example.org')!;
      assert.equal(sub.status, 'unsubscribed', 'the status is never touched');
      assert.deepEqual(sub.groups.map((g) => g.name).sort(), [...GROUPS].sort());
      assert.equal(sub.fields.name, 'Ana');
    }));

  test("'refused': the partial write is dead-lettered at once, naming what landed and each refused group, and never sent again", () =>
    withRig({ groupJoinWhenUnsubscribed: 'refused' }, [{ email: 'gone@example.org', status: 'unsubscribed' }], async (r) => {
      await r.ingest(signup('gone@example.org'));
      await r.worker.drain();
      const dead = await r.store.records({ flow: 'w', status: 'dead' });
      assert.equal(dead.length, 2, 'the unit ends as one: both records of the sign-up');
      const id = r.fake.account(r.token).subscriber('gone@example.org')!.id;
      for (const d of dead) {
        assert.equal(d.errorCode, 'ML_ERR_GROUP_JOIN_REFUSED');
        assert.match(d.reason ?? '', /^written in part: fields [a-z_, ]*\bname\b[a-z_, ]* updated; MailerLite refused to add unsubscribed subscriber \d+ to /);
        assert.ok(d.reason!.includes(id), 'the subscriber by id');
        for (const g of GROUPS) assert.match(d.reason ?? '', new RegExp(`group "${g}" \\(\\d+\\)`), `names group ${g}`);
        assert.doesNotMatch(d.reason ?? '', /gone@|Ana\b/, 'no personal value in the reason');
        assert.deepEqual((await r.store.history(d.id)).map((h) => h.outcome), ['dead'], 'one attempt, no retry');
      }
      const sub = r.fake.account(r.token).subscriber('gone@example.org')!;
      assert.equal(sub.fields.name, 'Ana', 'the fields did land');
      assert.deepEqual(sub.groups, [], 'no group did');

      const sent = writes(r).length;
      assert.equal(sent, 1 + GROUPS.length, 'one PUT and one join per group');
      r.clock.now += 24 * 3_600_000;
      await r.worker.drain();
      assert.equal(writes(r).length, sent, 'nothing is sent again, however long after');
    }));

  test("'refused' with a group the subscriber already has: only the missing ones are tried and named", () =>
    withRig({ groupJoinWhenUnsubscribed: 'refused' }, [], async (r) => {
      r.fake.seed(r.token, { groups: GROUPS, subscribers: [{ email: 'half@example.org', status: 'unsubscribed', groups: ['Newsletter'], fields: { name: 'Jamie' } }] });
      await r.ingest(signup('half@example.org'));
      await r.worker.drain();
      const [dead] = await r.store.records({ flow: 'w', status: 'dead' });
      assert.equal(dead?.errorCode, 'ML_ERR_GROUP_JOIN_REFUSED');
      assert.doesNotMatch(dead?.reason ?? '', /"Newsletter"/);
      assert.match(dead?.reason ?? '', /group "Members" \(\d+\), group "Flipcause" \(\d+\)$/);
    }));
});

describe('refusalNamesSubscriber', () => {
  for (const setting of ['always', 'never'] as const) {
    test(`'${setting}': an upsert refused because the subscriber unsubscribed after its look-up is looked at again and written by PUT`, () =>
      withRig({ refusalNamesSubscriber: setting }, [{ email: 'race@example.org', status: 'active' }], async (r) => {
        await r.ingest(signup('race@example.org'));
        await r.worker.round(); // the look-up: active, so an upsert is decided
        r.fake.setStatus(r.token, 'race@example.org', 'unsubscribed'); // the person unsubscribes in between
        await r.worker.round(); // the upsert is refused with a 422 on email
        const refusal = writes(r).find((i) => i.method === 'POST');
        assert.equal(refusal?.status, 422);
        const [pending] = await r.store.records({ flow: 'w', status: 'pending' });
        assert.equal(pending?.errorCode, 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED', 'not taken for an invalid address');
        r.clock.now += 1500;
        await r.worker.drain();
        const records = await r.store.records({ flow: 'w' });
        assert.ok(records.some((x) => x.outcome === 'updated'), 'updated after a fresh look-up');
        assert.equal(records.filter((x) => x.status === 'pending').length, 0);
        assert.ok(writes(r).some((i) => i.method === 'PUT' && i.status === 200));
        const sub = r.fake.account(r.token).subscriber('race@example.org')!;
        assert.equal(sub.status, 'unsubscribed');
      }));
  }

  test("'never': a subscriber who stays refused is dead-lettered after the second look's limit, not looked up forever", () =>
    withRig({ refusalNamesSubscriber: 'never' }, [{ email: 'stuck@example.org', status: 'active' }], async (r) => {
      // Every upsert is refused on email, as for a subscriber MailerLite will not import, while
      // every look-up keeps answering active.
      r.fake.inject({ scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, body: { message: 'invalid', errors: { email: ['refused'] } }, times: Infinity });
      await r.ingest(signup('stuck@example.org'));
      for (let i = 0; i < 20; i++) {
        await r.worker.drain();
        r.clock.now += 1500;
      }
      const dead = await r.store.records({ flow: 'w', status: 'dead' });
      assert.equal(dead.length, 2);
      assert.equal(dead[0]!.errorCode, 'ML_ERR_SUBSCRIBER_UNSUBSCRIBED');
      assert.deepEqual((await r.store.history(dead[0]!.id)).map((h) => h.outcome), ['failed', 'failed', 'dead'], 'three looks, then dead');
      assert.equal(writes(r).length, 3, 'one upsert per look');
    }));

  test("'never': a new contact refused on email (no subscriber to name) is an invalid address, dead at once", () =>
    withRig({ refusalNamesSubscriber: 'never' }, [], async (r) => {
      r.fake.inject({ scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, body: { message: 'invalid', errors: { email: ['refused'] } }, times: Infinity });
      await r.ingest(signup('new@example.org'));
      await r.worker.drain();
      const dead = await r.store.records({ flow: 'w', status: 'dead' });
      assert.equal(dead.length, 2);
      assert.equal(dead[0]!.errorCode, 'ML_ERR_INVALID_EMAIL');
      assert.deepEqual((await r.store.history(dead[0]!.id)).map((h) => h.outcome), ['dead']);
    }));
});
