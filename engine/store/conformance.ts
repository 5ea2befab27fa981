/**
 * The behaviour every store backend owes the engine, as node:test tests over the Store interface
 * alone. A backend runs them from its own test file:
 *
 *   storeConformance('sqlite', async () => { const store = openSqliteStore(...); return { store, close: () => store.close() }; });
 *
 * Each test opens a fresh, empty store. Times are plain numbers (ms); record ids are whatever the
 * backend hands out, so the tests read them back rather than assume them. What only one backend
 * has (SQLite's pragmas, migrations, query plans, `releaseAll` at start-up) stays in its own tests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry, NewRecord, OutcomeBatch, Store } from './types.ts';

export interface OpenedStore {
  store: Store;
  /** Closes the store and drops what the test wrote. */
  close(): Promise<void>;
}

function rec(over: Partial<NewRecord> & { dedupeKey: string }): NewRecord {
  return { flow: 'f1', trigger: 'new_activity', raw: { a: '1' }, subject: null, txn: null, availableAt: 0, ...over };
}

function batch(over: Partial<OutcomeBatch>): OutcomeBatch {
  return { finished: [], retried: [], released: [], listed: [], effects: [], createSent: [], ...over };
}

/** A history entry as a tuple: a backend may leave `detail` out or set it undefined when there is none. */
const entry = (h: HistoryEntry): unknown[] => [h.at, h.attempt, h.outcome, h.reason, h.errorCode, h.detail];

/** Record ids by dedupe key. */
async function idsOf(store: Store): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const r of await store.records({ limit: 1000 })) ids[r.dedupeKey] = r.id;
  return ids;
}

export function storeConformance(name: string, open: () => Promise<OpenedStore>): void {
  const it = (title: string, fn: (store: Store) => Promise<void>): void => {
    test(title, async () => {
      const opened = await open();
      try {
        await fn(opened.store);
      } finally {
        await opened.close();
      }
    });
  };

  describe(`store conformance: ${name}`, () => {
    describe('ingest', () => {
      it('commits each delivery and absorbs duplicates, within and across deliveries', async (store) => {
        const [a, b] = await store.ingest(
          [
            [rec({ dedupeKey: 'new_activity:1' }), rec({ dedupeKey: 'new_activity:2' }), rec({ dedupeKey: 'new_activity:1' })],
            [rec({ dedupeKey: 'new_activity:2' }), rec({ dedupeKey: 'new_transaction:2' })],
          ],
          1000,
        );
        assert.deepEqual(a, { accepted: 2, duplicates: 1 });
        assert.deepEqual(b, { accepted: 1, duplicates: 1 });
        const stats = await store.stats();
        assert.equal(stats[0]?.pending, 3);
        assert.equal(stats[0]?.lastDeliveryAt, 1000);
      });

      it('keeps a record as received, and the same key in another flow is another record', async (store) => {
        const raw = { email: 'jane@example.org', amount: '12.50', nested: { list: [1, 'two'] } };
        const [r] = await store.ingest([[rec({ dedupeKey: 'k:1', raw, subject: 's1', txn: 'T1', availableAt: 5000 })], [rec({ flow: 'f2', dedupeKey: 'k:1' })]], 1000);
        assert.deepEqual(r, { accepted: 1, duplicates: 0 });
        const [stored] = await store.records({ flow: 'f1' });
        assert.ok(stored);
        assert.deepEqual(
          { ...stored, id: 0 },
          {
            id: 0, flow: 'f1', dedupeKey: 'k:1', trigger: 'new_activity', raw, receivedAt: 1000, subject: 's1', txn: 'T1',
            status: 'pending', availableAt: 5000, attempts: 0, outcome: null, reason: null, errorCode: null, finishedAt: null,
          },
        );
        assert.equal((await store.records({ flow: 'f2' })).length, 1);
        assert.deepEqual(await store.record(stored.id), stored);
      });

      it('gives every payload back as received, unicode and escapes included, however large, by every read', async (store) => {
        const small = { PD_first_name: 'Lucía', AD_campaign_title: '冬のシェルター 🏠', support_message: 'a\u2028b "q" \\ \n', n: [1.5, null, true] };
        const large = { webhook_trigger_type: 'new_activity', notes: Array.from({ length: 20_000 }, (_, i) => `note ${i} ${(i * 7919) % 10_007}`) };
        await store.ingest([[rec({ dedupeKey: 'k:1', raw: small }), rec({ dedupeKey: 'k:2', raw: large })]], 0);
        const listed = await store.records({});
        assert.deepEqual(listed.map((r) => r.raw), [small, large]);
        assert.deepEqual((await store.record(listed[1]!.id))?.raw, large);
        assert.deepEqual((await store.claim(['f1'], 1, 10, 1000)).map((r) => r.raw), [small, large]);
      });

      it('a later delivery moves the flow\'s last delivery time; a delivery of duplicates only still counts as one', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' })]], 1000);
        const [again] = await store.ingest([[rec({ dedupeKey: 'k:1' })]], 2000);
        assert.deepEqual(again, { accepted: 0, duplicates: 1 });
        assert.equal((await store.stats())[0]?.lastDeliveryAt, 2000);
        assert.equal((await store.stats())[0]?.pending, 1);
      });
    });

    describe('claim', () => {
      it('takes ready records and their pending siblings by subject or transaction, leases them', async (store) => {
        await store.ingest(
          [[
            rec({ dedupeKey: 'a:1', subject: 's1', txn: 'T1', availableAt: 100 }),
            rec({ dedupeKey: 'a:2', subject: null, txn: 'T1', availableAt: 5000 }), // same transaction, not ready yet
            rec({ dedupeKey: 'a:3', subject: 's1', txn: 'T9', availableAt: 5000 }), // same contact, not ready yet
            rec({ dedupeKey: 'a:4', subject: 's2', txn: 'T2', availableAt: 5000 }), // unrelated, not ready
            rec({ dedupeKey: 'a:5', subject: 's3', txn: 'T3', availableAt: 100 }), // ready but its subject is busy
            rec({ flow: 'other', dedupeKey: 'a:6', availableAt: 100 }), // another flow
          ]],
          0,
        );
        const claimed = await store.claim(['f1'], 200, 10, 60_000, new Set(['s3']));
        assert.deepEqual(claimed.map((r) => r.dedupeKey), ['a:1', 'a:2', 'a:3']);
        assert.deepEqual(claimed[0]?.raw, { a: '1' });
        // Leased: a second claim at the same time finds nothing; after the lease expires it finds them again.
        assert.equal((await store.claim(['f1'], 300, 10, 60_000, new Set(['s3']))).length, 0);
        assert.equal((await store.claim(['f1'], 70_000, 10, 60_000)).length, 5);
      });

      it('takes the earliest due first across flows, at most `limit` ready records, and only of the flows asked', async (store) => {
        await store.ingest([[
          rec({ dedupeKey: 'a:1', availableAt: 300 }),
          rec({ dedupeKey: 'a:2', availableAt: 100 }),
          rec({ flow: 'f2', dedupeKey: 'b:1', availableAt: 200 }),
          rec({ flow: 'f3', dedupeKey: 'c:1', availableAt: 50 }),
        ]], 0);
        assert.deepEqual((await store.claim(['f1', 'f2'], 1000, 2, 1000)).map((r) => r.dedupeKey), ['a:2', 'b:1']);
        assert.deepEqual((await store.claim(['f1', 'f2'], 1000, 2, 1000)).map((r) => r.dedupeKey), ['a:1']);
        assert.deepEqual(await store.claim(['f1', 'f2'], 1000, 2, 1000), []);
        assert.deepEqual(await store.claim([], 1000, 2, 1000), []);
      });

      it('a sibling whose subject is busy stays behind; a leased sibling is not taken twice', async (store) => {
        await store.ingest([[
          rec({ dedupeKey: 'a:1', subject: 's1', txn: 'T1', availableAt: 100 }),
          rec({ dedupeKey: 'a:2', subject: 's2', txn: 'T1', availableAt: 100 }),
          rec({ dedupeKey: 'a:3', subject: 's4', txn: 'T4', availableAt: 100 }),
          rec({ dedupeKey: 'a:4', subject: 's4', txn: 'T5', availableAt: 9000 }),
        ]], 0);
        assert.deepEqual((await store.claim(['f1'], 200, 1, 1000, new Set(['s2']))).map((r) => r.dedupeKey), ['a:1'], 'a:2 shares the transaction but its contact is busy');
        assert.deepEqual((await store.claim(['f1'], 200, 10, 1000)).map((r) => r.dedupeKey), ['a:2', 'a:3', 'a:4']);
        assert.deepEqual(await store.claim(['f1'], 200, 10, 1000), []);
      });

      it('claimed records come back as stored, pending, with their attempts', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1', subject: 's1', availableAt: 10 })]], 5);
        const [first] = await store.claim(['f1'], 20, 1, 1000);
        assert.equal(first?.status, 'pending');
        assert.equal(first?.attempts, 0);
        await store.retryLater([first!.id], 30, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, 25);
        const [second] = await store.claim(['f1'], 40, 1, 1000);
        assert.equal(second?.id, first?.id);
        assert.equal(second?.attempts, 1);
        assert.equal(second?.errorCode, 'ML_ERR_SERVER');
        assert.equal(second?.receivedAt, 5);
      });
    });

    describe('nextReadyAt', () => {
      it('the earliest pending record of the flows, leases counted, null when none wait', async (store) => {
        assert.equal(await store.nextReadyAt(['f1']), null);
        await store.ingest([[rec({ dedupeKey: 'k:1', availableAt: 500 }), rec({ dedupeKey: 'k:2', availableAt: 300 }), rec({ flow: 'f2', dedupeKey: 'k:3', availableAt: 100 })]], 0);
        assert.equal(await store.nextReadyAt(['f1']), 300);
        assert.equal(await store.nextReadyAt(['f1', 'f2']), 100);
        await store.claim(['f2'], 100, 10, 1000); // leased until 1100
        assert.equal(await store.nextReadyAt(['f2']), 1100);
        const [r] = await store.claim(['f1'], 1000, 10, 1000);
        await store.finish(r!.id, { outcome: 'skipped', reason: 'x' }, 1000);
        assert.equal(await store.nextReadyAt(['f1']), 2000, 'the other record, leased in the same claim');
        assert.equal(await store.nextReadyAt([]), null);
      });

      it('due times follow leases, releases, retries and replays; the earliest due record across flows comes first', async (store) => {
        await store.ingest([[
          rec({ dedupeKey: 'a:1', availableAt: 300 }),
          rec({ dedupeKey: 'a:2', availableAt: 100 }),
          rec({ flow: 'f2', dedupeKey: 'b:1', availableAt: 200 }),
        ]], 0);
        assert.equal(await store.nextReadyAt(['f1', 'f2']), 100);
        assert.equal(await store.nextReadyAt(['f2']), 200);
        assert.deepEqual((await store.claim(['f1', 'f2'], 250, 2, 1000)).map((r) => r.dedupeKey), ['a:2', 'b:1']);
        assert.equal(await store.nextReadyAt(['f1', 'f2']), 300, 'leased records are due when their lease ends, later than a:1');
        const [a1] = await store.claim(['f1'], 300, 1, 1000);
        assert.equal(a1?.dedupeKey, 'a:1');
        await store.release([a1!.id]);
        assert.equal((await store.claim(['f1'], 301, 5, 1000)).length, 1, 'a released record is due again at once');
        await store.retryLater([a1!.id], 5000, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, 302);
        assert.equal(await store.nextReadyAt(['f1']), 1250, 'a:2 is leased until 1250; a:1 waits for its retry at 5000');
        await store.finish(a1!.id, { outcome: 'dead', errorCode: 'ML_ERR_SERVER', reason: '503' }, 400);
        assert.equal(await store.replay([a1!.id], 450), 1);
        assert.deepEqual((await store.claim(['f1'], 460, 5, 1000)).map((r) => r.dedupeKey), ['a:1']);
      });
    });

    describe('finish, retryLater, release', () => {
      it('finish, retryLater, history, replay and dead letters', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
        const [r1, r2] = await store.claim(['f1'], 10, 10, 1000);
        assert.ok(r1 && r2);
        await store.retryLater([r1.id], 500, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '503' }, 20);
        assert.equal((await store.claim(['f1'], 100, 10, 1000)).length, 0, 'not before its retry time');
        await store.finish(r2.id, { outcome: 'dead', errorCode: 'ML_ERR_INVALID_EMAIL', reason: 'invalid' }, 30);
        const again = await store.claim(['f1'], 600, 10, 1000);
        assert.deepEqual(again.map((r) => r.id), [r1.id]);
        await store.finish(r1.id, { outcome: 'created', detail: { subscriber: '1' } }, 700);
        assert.deepEqual((await store.history(r1.id)).map((h) => [h.attempt, h.outcome, h.errorCode]), [
          [1, 'failed', 'ML_ERR_SERVER'],
          [2, 'created', null],
        ]);
        assert.deepEqual((await store.history(r1.id))[1]?.detail, { subscriber: '1' });
        assert.deepEqual(await store.deadIds('f1'), [r2.id]);
        assert.equal((await store.stats())[0]?.byOutcome.created, 1);
        assert.equal(await store.replay([r2.id], 800), 1);
        assert.equal((await store.record(r2.id))?.status, 'pending');
        assert.deepEqual(await store.deadIds('f1'), []);
      });

      it('finish stores the outcome on the record: done, or dead for outcome dead', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
        const ids = await idsOf(store);
        await store.finish(ids['k:1']!, { outcome: 'skipped', reason: 'before_since' }, 50);
        await store.finish(ids['k:2']!, { outcome: 'dead', errorCode: 'ENGINE_ERR_UNENCODABLE', reason: 'the email is not well-formed' }, 60);
        const skipped = await store.record(ids['k:1']!);
        assert.deepEqual([skipped?.status, skipped?.outcome, skipped?.reason, skipped?.errorCode, skipped?.finishedAt, skipped?.attempts], ['done', 'skipped', 'before_since', null, 50, 1]);
        const dead = await store.record(ids['k:2']!);
        assert.deepEqual([dead?.status, dead?.outcome, dead?.reason, dead?.errorCode, dead?.finishedAt], ['dead', 'dead', 'the email is not well-formed', 'ENGINE_ERR_UNENCODABLE', 60]);
        assert.deepEqual((await store.history(ids['k:2']!)).map(entry), [[60, 1, 'dead', 'the email is not well-formed', 'ENGINE_ERR_UNENCODABLE', undefined]]);
        assert.equal(await store.nextReadyAt(['f1']), null, 'finished records are never due');
      });

      it('retryLater puts every record of a unit back with one reason and counts an attempt each; finished records are left alone', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' })]], 0);
        const ids = await idsOf(store);
        await store.finish(ids['k:3']!, { outcome: 'created' }, 5);
        const entry = { outcome: 'failed' as const, errorCode: 'ML_ERR_RATE_LIMITED', reason: '429', detail: { sent: 'create' } };
        await store.retryLater([ids['k:1']!, ids['k:2']!, ids['k:3']!], 900, entry, 10);
        for (const key of ['k:1', 'k:2']) {
          const r = await store.record(ids[key]!);
          assert.deepEqual([r?.status, r?.attempts, r?.availableAt, r?.outcome, r?.errorCode, r?.reason], ['pending', 1, 900, 'failed', 'ML_ERR_RATE_LIMITED', '429']);
          assert.deepEqual((await store.history(ids[key]!)).map((h) => [h.at, h.attempt, h.outcome, h.detail]), [[10, 1, 'failed', { sent: 'create' }]]);
        }
        const done = await store.record(ids['k:3']!);
        assert.deepEqual([done?.status, done?.outcome, done?.attempts], ['done', 'created', 1]);
        assert.equal((await store.history(ids['k:3']!)).length, 1, 'no retry entry for a finished record');
        assert.equal(await store.nextReadyAt(['f1']), 900);
      });

      it('release drops leases without counting an attempt, and leaves finished records alone', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1', availableAt: 10 }), rec({ dedupeKey: 'k:2', availableAt: 10 })]], 0);
        const [a, b] = await store.claim(['f1'], 20, 10, 60_000);
        await store.finish(b!.id, { outcome: 'updated' }, 30);
        await store.release([a!.id, b!.id]);
        await store.release([]);
        const again = await store.claim(['f1'], 40, 10, 60_000);
        assert.deepEqual(again.map((r) => [r.id, r.attempts]), [[a!.id, 0]]);
        assert.equal((await store.record(b!.id))?.status, 'done');
        assert.deepEqual(await store.history(a!.id), []);
      });
    });

    describe('applyOutcomes', () => {
      it('applies a step\'s finishes, retries, releases, memberships and effects in one call', async (store) => {
        await store.ingest([[
          rec({ dedupeKey: 'k:1', subject: 's1' }), rec({ dedupeKey: 'k:2', subject: 's1' }),
          rec({ dedupeKey: 'k:3', subject: 's3' }), rec({ dedupeKey: 'k:4', subject: 's4' }),
        ]], 0);
        const claimed = await store.claim(['f1'], 10, 10, 60_000);
        assert.equal(claimed.length, 4);
        const ids = await idsOf(store);
        await store.applyOutcomes(batch({
          effects: [{ flow: 'f1', recordId: ids['k:1']!, subscriberId: '77', email: 'a@example.org', action: 'created', at: 20 }],
          listed: [{ flow: 'f1', subject: 's1', at: 20 }],
          finished: [
            { id: ids['k:1']!, entry: { outcome: 'created', detail: { subscriber: '77' } }, at: 20 },
            { id: ids['k:2']!, entry: { outcome: 'skipped', reason: 'coalesced', detail: { into: ids['k:1'] } }, at: 20 },
          ],
          retried: [{ ids: [ids['k:3']!], availableAt: 5000, entry: { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '502' }, at: 20 }],
          released: [ids['k:4']!],
        }));
        assert.deepEqual((await store.records({})).map((r) => [r.dedupeKey, r.status, r.outcome, r.attempts]), [
          ['k:1', 'done', 'created', 1],
          ['k:2', 'done', 'skipped', 1],
          ['k:3', 'pending', 'failed', 1],
          ['k:4', 'pending', null, 0],
        ]);
        assert.deepEqual((await store.history(ids['k:2']!))[0]?.detail, { into: ids['k:1'] });
        assert.deepEqual((await store.history(ids['k:3']!)).map((h) => [h.attempt, h.errorCode]), [[1, 'ML_ERR_SERVER']]);
        assert.equal(await store.isOnList('f1', 's1'), true);
        assert.deepEqual((await store.effects('f1', 0)).map((e) => [e.recordId, e.subscriberId, e.email, e.action, e.at]), [[ids['k:1'], '77', 'a@example.org', 'created', 20]]);
        assert.deepEqual((await store.claim(['f1'], 30, 10, 60_000)).map((r) => r.dedupeKey), ['k:4'], 'released at once; k:3 waits for its retry');
        assert.deepEqual(await store.coalescedInto(ids['k:1']!), [ids['k:2']]);
      });

      it('is all or nothing: a batch that cannot be applied whole leaves nothing applied', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
        await store.claim(['f1'], 10, 10, 60_000);
        const ids = await idsOf(store);
        const unwritable = { detail: { n: 1n } }; // a BigInt has no JSON form
        await assert.rejects(store.applyOutcomes(batch({
          effects: [{ flow: 'f1', recordId: ids['k:1']!, subscriberId: '9', email: 'b@example.org', action: 'created', at: 20 }],
          listed: [{ flow: 'f1', subject: 's9', at: 20 }],
          finished: [
            { id: ids['k:1']!, entry: { outcome: 'created' }, at: 20 },
            { id: ids['k:2']!, entry: { outcome: 'updated', ...unwritable }, at: 20 },
          ],
        })));
        assert.deepEqual((await store.records({})).map((r) => [r.status, r.attempts]), [['pending', 0], ['pending', 0]]);
        assert.deepEqual(await store.history(ids['k:1']!), []);
        assert.deepEqual(await store.effects('f1', 0), []);
        assert.equal(await store.isOnList('f1', 's9'), false);
        assert.equal((await store.claim(['f1'], 20, 10, 60_000)).length, 0, 'the claim\'s leases still hold');
      });

      it('an empty batch changes nothing', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
        await store.applyOutcomes(batch({}));
        assert.deepEqual((await store.records({})).map((r) => [r.status, r.attempts]), [['pending', 0]]);
      });
    });

    describe('create-sent marks', () => {
      it('a mark commits with its step and outlives retries and releases; finishing drops it', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' }), rec({ dedupeKey: 'k:4' })]], 0);
        await store.claim(['f1'], 10, 10, 60_000);
        const ids = await idsOf(store);
        const all = [ids['k:1']!, ids['k:2']!, ids['k:3']!, ids['k:4']!];
        assert.deepEqual(await store.createsSent(all), new Set(), 'nothing is marked until a step says so');
        await store.applyOutcomes(batch({ createSent: [ids['k:1']!, ids['k:2']!, ids['k:3']!] }));
        await store.applyOutcomes(batch({ createSent: [ids['k:1']!] })); // marked again: still one mark
        assert.deepEqual(await store.createsSent(all), new Set([ids['k:1'], ids['k:2'], ids['k:3']]));
        assert.deepEqual(await store.createsSent([ids['k:2']!]), new Set([ids['k:2']]), 'only the ids asked about');
        assert.deepEqual(await store.createsSent([]), new Set());
        await store.retryLater([ids['k:1']!], 100, { outcome: 'failed', errorCode: 'ML_ERR_TIMEOUT', reason: 'timeout' }, 20);
        await store.applyOutcomes(batch({ retried: [{ ids: [ids['k:2']!], availableAt: 100, entry: { outcome: 'failed', errorCode: 'ML_ERR_TIMEOUT', reason: 'timeout' }, at: 20 }], released: [ids['k:3']!] }));
        await store.release([ids['k:3']!]);
        assert.deepEqual(await store.createsSent(all), new Set([ids['k:1'], ids['k:2'], ids['k:3']]), 'the create may have landed: the mark stays while the record waits');
        await store.finish(ids['k:1']!, { outcome: 'created' }, 30);
        await store.applyOutcomes(batch({ finished: [{ id: ids['k:2']!, entry: { outcome: 'dead', errorCode: 'ML_ERR_INVALID_EMAIL', reason: 'invalid' }, at: 30 }] }));
        assert.deepEqual(await store.createsSent(all), new Set([ids['k:3']]), 'a finished record, done or dead, carries no mark');
      });

      it('a finished record is never marked, so a replayed one starts without a mark', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
        await store.claim(['f1'], 10, 10, 60_000);
        const ids = await idsOf(store);
        await store.applyOutcomes(batch({ createSent: [ids['k:1']!] }));
        await store.applyOutcomes(batch({ finished: [{ id: ids['k:1']!, entry: { outcome: 'created' }, at: 20 }] }));
        await store.finish(ids['k:2']!, { outcome: 'dead', errorCode: 'ML_ERR_INVALID_EMAIL', reason: 'invalid' }, 20);
        await store.applyOutcomes(batch({ createSent: [ids['k:2']!] }));
        assert.deepEqual(await store.createsSent([ids['k:1']!, ids['k:2']!]), new Set());
        assert.equal(await store.replay([ids['k:1']!, ids['k:2']!], 30), 2);
        assert.deepEqual(await store.createsSent([ids['k:1']!, ids['k:2']!]), new Set(), 'the create of the first run does not count again');
        await store.applyOutcomes(batch({ createSent: [ids['k:2']!] }));
        assert.deepEqual(await store.createsSent([ids['k:1']!, ids['k:2']!]), new Set([ids['k:2']]), 'a replayed record is marked afresh when it sends a create');
      });

      it('a mark is written with its step or not at all', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' })]], 0);
        await store.claim(['f1'], 10, 10, 60_000);
        const ids = await idsOf(store);
        await assert.rejects(store.applyOutcomes(batch({
          createSent: [ids['k:1']!],
          finished: [{ id: ids['k:2']!, entry: { outcome: 'updated', detail: { n: 1n } }, at: 20 }], // a BigInt has no JSON form
        })));
        assert.deepEqual(await store.createsSent([ids['k:1']!]), new Set());
      });
    });

    describe('memberships and effects', () => {
      it('memberships are sticky, effects are kept per flow, raw payloads are purged after retention', async (store) => {
        assert.equal(await store.isOnList('f1', 's1'), false);
        await store.markOnList('f1', 's1', 1);
        await store.markOnList('f1', 's1', 2);
        assert.equal(await store.isOnList('f1', 's1'), true);
        assert.equal(await store.isOnList('f2', 's1'), false);
        await store.recordEffect({ flow: 'f1', recordId: 1, subscriberId: '99', email: 'a@example.org', action: 'created', at: 50 });
        assert.equal((await store.effects('f1', 0)).length, 1);
        assert.equal((await store.effects('f1', 60)).length, 0);
        await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
        const [r] = await store.claim(['f1'], 1, 1, 1000);
        await store.finish(r!.id, { outcome: 'skipped', reason: 'before_since' }, 10);
        assert.equal(await store.purgeRaw(5), 0);
        assert.equal((await store.effects('f1', 0)).length, 1, 'effects newer than the cut-off stay');
        assert.equal(await store.purgeRaw(11), 1);
        assert.equal((await store.effects('f1', 0)).length, 1, 'the effect at 50 is newer than the cut-off');
        assert.equal(await store.purgeRaw(60), 0);
        assert.equal((await store.effects('f1', 0)).length, 0, 'older effects (they hold emails) are forgotten');
        assert.equal((await store.record(r!.id))?.raw, null);
        assert.equal(await store.replay([r!.id], 20), 0, 'a purged record cannot be replayed');
      });

      it('subjectsOnList answers which of a round\'s contacts are on the flow\'s list, in one read', async (store) => {
        await store.markOnList('f1', 's1', 1);
        await store.markOnList('f1', 's3', 1);
        await store.markOnList('f2', 's2', 1);
        assert.deepEqual([...(await store.subjectsOnList('f1', ['s1', 's2', 's3', 's4']))].sort(), ['s1', 's3']);
        assert.deepEqual([...(await store.subjectsOnList('f2', ['s1', 's2']))], ['s2']);
        assert.equal((await store.subjectsOnList('f1', [])).size, 0);
        assert.equal((await store.subjectsOnList('f3', ['s1'])).size, 0);
      });

      it('effects: in time order within [since, until], per flow; forgetEffect drops one subscriber\'s of one flow', async (store) => {
        const effect = (flow: string, subscriberId: string, at: number) =>
          store.recordEffect({ flow, recordId: at, subscriberId, email: `${subscriberId}@example.org`, action: 'created', at });
        await effect('f1', '2', 200);
        await effect('f1', '1', 100);
        await effect('f1', '3', 300);
        await effect('f2', '1', 150);
        await store.recordEffect({ flow: 'f1', recordId: 9, subscriberId: '1', email: '1@example.org', action: 'updated', at: 400 });
        assert.deepEqual((await store.effects('f1', 0)).map((e) => [e.subscriberId, e.at, e.action]), [['1', 100, 'created'], ['2', 200, 'created'], ['3', 300, 'created'], ['1', 400, 'updated']]);
        assert.deepEqual((await store.effects('f1', 150, 300)).map((e) => e.at), [200, 300]);
        assert.deepEqual(await store.effects('f1', 0, 50), []);
        await store.forgetEffect('f1', '1');
        assert.deepEqual((await store.effects('f1', 0)).map((e) => e.subscriberId), ['2', '3']);
        assert.deepEqual((await store.effects('f2', 0)).map((e) => [e.flow, e.recordId, e.subscriberId, e.email, e.action, e.at]), [['f2', 150, '1', '1@example.org', 'created', 150]]);
      });
    });

    describe('reads', () => {
      it('stats: per flow counts by status and outcome, the oldest pending arrival and the last delivery, sorted by flow', async (store) => {
        assert.deepEqual(await store.stats(), []);
        await store.ingest([[rec({ flow: 'zeta', dedupeKey: 'z:1' })]], 50);
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' }), rec({ dedupeKey: 'k:4' })]], 100);
        await store.ingest([[rec({ dedupeKey: 'k:5' })]], 200);
        const ids = await idsOf(store);
        await store.finish(ids['k:1']!, { outcome: 'created' }, 300);
        await store.finish(ids['k:2']!, { outcome: 'created' }, 300);
        await store.finish(ids['k:3']!, { outcome: 'dead', errorCode: 'X', reason: 'x' }, 300);
        await store.retryLater([ids['k:4']!], 900, { outcome: 'failed', errorCode: 'Y', reason: 'y' }, 300);
        assert.deepEqual(await store.stats(), [
          { flow: 'f1', pending: 2, done: 2, dead: 1, byOutcome: { created: 2, dead: 1 }, oldestPendingAt: 100, lastDeliveryAt: 200 },
          { flow: 'zeta', pending: 1, done: 0, dead: 0, byOutcome: {}, oldestPendingAt: 50, lastDeliveryAt: 50 },
        ]);
      });

      it('records: filters by flow, status and outcome, pages by id, oldest first unless newest first is asked', async (store) => {
        const keys = Array.from({ length: 7 }, (_, i) => `k:${i}`);
        await store.ingest([keys.map((k) => rec({ dedupeKey: k })), [rec({ flow: 'f2', dedupeKey: 'x:1' })]], 0);
        const ids = await idsOf(store);
        await store.finish(ids['k:1']!, { outcome: 'created' }, 10);
        await store.finish(ids['k:2']!, { outcome: 'skipped', reason: 'r' }, 10);
        await store.finish(ids['k:3']!, { outcome: 'dead', errorCode: 'E', reason: 'e' }, 10);
        const all = await store.records({});
        assert.deepEqual(all.map((r) => r.dedupeKey), [...keys, 'x:1']);
        assert.ok(all.every((r, i) => i === 0 || r.id > all[i - 1]!.id), 'ids grow in arrival order');
        assert.deepEqual((await store.records({ flow: 'f2' })).map((r) => r.dedupeKey), ['x:1']);
        assert.deepEqual((await store.records({ flow: 'f1', status: 'pending' })).map((r) => r.dedupeKey), ['k:0', 'k:4', 'k:5', 'k:6']);
        assert.deepEqual((await store.records({ status: 'done' })).map((r) => r.dedupeKey), ['k:1', 'k:2']);
        assert.deepEqual((await store.records({ outcome: 'dead' })).map((r) => r.dedupeKey), ['k:3']);
        const page1 = await store.records({ flow: 'f1', limit: 3 });
        const page2 = await store.records({ flow: 'f1', limit: 3, afterId: page1.at(-1)!.id });
        const page3 = await store.records({ flow: 'f1', limit: 3, afterId: page2.at(-1)!.id });
        assert.deepEqual([page1, page2, page3].map((p) => p.map((r) => r.dedupeKey)), [['k:0', 'k:1', 'k:2'], ['k:3', 'k:4', 'k:5'], ['k:6']]);
        assert.deepEqual((await store.records({ flow: 'f1', newestFirst: true, limit: 2 })).map((r) => r.dedupeKey), ['k:6', 'k:5']);
        assert.equal(await store.record(Math.max(...all.map((r) => r.id)) + 1000), undefined);
        assert.deepEqual(await store.history(Math.max(...all.map((r) => r.id)) + 1000), []);
      });

      it('records: 100 at most unless a limit is given', async (store) => {
        await store.ingest([Array.from({ length: 130 }, (_, i) => rec({ dedupeKey: `k:${i}` }))], 0);
        assert.equal((await store.records({})).length, 100);
        assert.equal((await store.records({ limit: 120 })).length, 120);
      });

      it('history: every attempt in order, with its time, attempt number and detail', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
        const [r] = await store.records({});
        await store.retryLater([r!.id], 100, { outcome: 'failed', errorCode: 'ML_ERR_TIMEOUT', reason: 'no answer', detail: { sent: 'create' } }, 10);
        await store.retryLater([r!.id], 200, { outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: '500' }, 110);
        await store.finish(r!.id, { outcome: 'created', detail: { subscriber: '5', groups: ['Newsletter'] } }, 210);
        assert.deepEqual((await store.history(r!.id)).map(entry), [
          [10, 1, 'failed', 'no answer', 'ML_ERR_TIMEOUT', { sent: 'create' }],
          [110, 2, 'failed', '500', 'ML_ERR_SERVER', undefined],
          [210, 3, 'created', null, null, { subscriber: '5', groups: ['Newsletter'] }],
        ]);
      });
    });

    describe('replay, dead letters, retention', () => {
      it('replay makes finished records pending and due now; pending records and unknown ids are not counted', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' })]], 0);
        const ids = await idsOf(store);
        await store.finish(ids['k:1']!, { outcome: 'dead', errorCode: 'E', reason: 'e' }, 10);
        await store.finish(ids['k:2']!, { outcome: 'created' }, 10);
        assert.equal(await store.replay([ids['k:1']!, ids['k:2']!, ids['k:3']!, ids['k:3']! + 1000], 500), 2);
        const r = await store.record(ids['k:1']!);
        assert.deepEqual([r?.status, r?.availableAt, r?.finishedAt], ['pending', 500, null]);
        assert.equal(await store.nextReadyAt(['f1']), 0, 'k:3 was due all along');
        assert.deepEqual((await store.claim(['f1'], 500, 10, 1000)).map((x) => x.dedupeKey), ['k:1', 'k:2', 'k:3']);
        assert.equal(await store.replay([], 600), 0);
      });

      it('deadIds lists a flow\'s dead letters in id order', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' }), rec({ dedupeKey: 'k:2' }), rec({ dedupeKey: 'k:3' }), rec({ flow: 'f2', dedupeKey: 'x:1' })]], 0);
        const ids = await idsOf(store);
        for (const k of ['k:3', 'k:1', 'x:1']) await store.finish(ids[k]!, { outcome: 'dead', errorCode: 'E', reason: 'e' }, 10);
        assert.deepEqual(await store.deadIds('f1'), [ids['k:1'], ids['k:3']]);
        assert.deepEqual(await store.deadIds('f2'), [ids['x:1']]);
        assert.deepEqual(await store.deadIds('f3'), []);
      });

      it('purgeRaw never clears a pending record, whatever its age', async (store) => {
        await store.ingest([[rec({ dedupeKey: 'k:1' })]], 0);
        assert.equal(await store.purgeRaw(1_000_000), 0);
        assert.deepEqual((await store.records({}))[0]?.raw, { a: '1' });
      });
    });

    describe('console queries', () => {
      async function seeded(store: Store): Promise<Record<string, number>> {
        await store.ingest([[rec({ dedupeKey: 'a:1' }), rec({ dedupeKey: 'a:2' }), rec({ dedupeKey: 'a:3' }), rec({ dedupeKey: 'a:4' })]], 1000);
        await store.ingest([[rec({ flow: 'f2', dedupeKey: 'b:1' })]], 2000);
        await store.ingest([[rec({ flow: 'f2', dedupeKey: 'b:2' })]], 2500);
        const ids = await idsOf(store);
        await store.finish(ids['a:1']!, { outcome: 'created' }, 10_000);
        await store.finish(ids['a:2']!, { outcome: 'skipped', reason: 'coalesced', detail: { into: ids['a:1'] } }, 10_000);
        await store.finish(ids['a:3']!, { outcome: 'dead', errorCode: 'ML_ERR_INVALID_EMAIL', reason: 'refused' }, 500); // long ago
        await store.finish(ids['b:1']!, { outcome: 'updated' }, 70_000);
        return ids;
      }

      it('overview: per flow pending, dead, oldest pending, last delivery and outcomes since a moment', async (store) => {
        await seeded(store);
        assert.deepEqual(await store.overview(5_000), [
          { flow: 'f1', pending: 1, dead: 1, oldestPendingAt: 1000, lastDeliveryAt: 1000, recent: { created: 1, skipped: 1 } },
          { flow: 'f2', pending: 1, dead: 0, oldestPendingAt: 2500, lastDeliveryAt: 2500, recent: { updated: 1 } },
        ]);
        assert.deepEqual((await store.overview(0))[0]?.recent, { created: 1, skipped: 1, dead: 1 }, 'the dead letter finished before 5000');
      });

      it('throughput counts finished records per bucket and outcome, for the fleet or one flow', async (store) => {
        await seeded(store);
        assert.deepEqual(await store.throughput(5_000, 60_000), [
          { at: 0, outcome: 'created', count: 1 },
          { at: 0, outcome: 'skipped', count: 1 },
          { at: 60_000, outcome: 'updated', count: 1 },
        ]);
        assert.deepEqual(await store.throughput(0, 60_000, 'f2'), [{ at: 60_000, outcome: 'updated', count: 1 }]);
      });

      it('coalescedInto names the records decided together with a record', async (store) => {
        const ids = await seeded(store);
        assert.deepEqual(await store.coalescedInto(ids['a:1']!), [ids['a:2']]);
        assert.deepEqual(await store.coalescedInto(ids['a:2']!), []);
      });

      it('the audit log keeps who did what and when, newest first, filtered by action and paged by id', async (store) => {
        await store.addAudit({ at: 1, actor: 'unknown', action: 'login', ok: false, target: null, detail: { ip: '127.0.0.1' } });
        await store.addAudit({ at: 2, actor: 'tok_1a2b', action: 'login', ok: true, target: null });
        await store.addAudit({ at: 3, actor: 'tok_1a2b', action: 'replay', ok: true, target: 'flow hope', detail: { replayed: 2 } });
        await store.addAudit({ at: 4, actor: 'tok_1a2b', action: 'reveal', ok: true, target: 'record 7' });
        const all = await store.auditLog({});
        assert.deepEqual(all.map((e) => [e.action, e.at]), [['reveal', 4], ['replay', 3], ['login', 2], ['login', 1]]);
        assert.ok(all.every((e, i) => i === 0 || e.id < all[i - 1]!.id), 'ids grow with each entry');
        // The ids are the store's to hand out; the entry is what was written, with its id.
        assert.deepEqual(all[1], { id: all[1]!.id, at: 3, actor: 'tok_1a2b', action: 'replay', ok: true, target: 'flow hope', detail: { replayed: 2 } });
        assert.deepEqual(all[0], { id: all[0]!.id, at: 4, actor: 'tok_1a2b', action: 'reveal', ok: true, target: 'record 7' }, 'no detail: none read back');
        assert.equal(all[3]?.ok, false);
        assert.deepEqual((await store.auditLog({ action: 'login' })).map((e) => e.ok), [true, false]);
        assert.deepEqual((await store.auditLog({ beforeId: all[1]!.id, limit: 1 })).map((e) => e.id), [all[2]!.id]);
      });

      it('records can be listed newest first, with the same filters', async (store) => {
        const ids = await seeded(store);
        assert.deepEqual((await store.records({ flow: 'f1', newestFirst: true, limit: 2 })).map((r) => r.id), [ids['a:4'], ids['a:3']]);
        assert.deepEqual((await store.records({ flow: 'f1', status: 'done', newestFirst: true })).map((r) => r.id), [ids['a:2'], ids['a:1']]);
        assert.deepEqual((await store.records({ flow: 'f1', limit: 1 })).map((r) => r.id), [ids['a:1']], 'oldest first by default');
      });
    });

    describe('meta', () => {
      it('a small key/value: unknown keys are undefined, a set value is read back and can be replaced', async (store) => {
        assert.equal(await store.getMeta('backfill:x:rows'), undefined);
        await store.setMeta('backfill:x:rows', '12');
        await store.setMeta('other', 'a');
        assert.equal(await store.getMeta('backfill:x:rows'), '12');
        await store.setMeta('backfill:x:rows', '13');
        assert.equal(await store.getMeta('backfill:x:rows'), '13');
        assert.equal(await store.getMeta('other'), 'a');
      });
    });
  });
}
