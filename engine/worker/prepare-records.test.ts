/**
 * Preparing a round in slices (the event loop gets turns between them) decides exactly what
 * preparing it in one go decides, in the same order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../adapters/index.ts';
import { DURABLE_BACKOFF } from '../failure/schedules.ts';
import { silentLogger } from '../log/logger.ts';
import { compileFlow } from '../runtime/compile-flow.ts';
import { toNewRecords } from '../runtime/intake.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { signupNo, WORKER_CONFIG } from '../../test/support/worker-rig.ts';
import { Outcomes } from './outcomes.ts';
import { prepareRecords } from './prepare-records.ts';
import { countingTurns } from '../../test/support/count-turns.ts';

test('a round prepared two records at a time gives the same look-ups, in claim order, as one prepared at once, and yields between slices', async () => {
  const flow = compileFlow(WORKER_CONFIG, 'w.yaml', { secret: () => 'unused' });
  const store = openSqliteStore({ file: ':memory:' });
  try {
    const raws = Array.from({ length: 7 }, (_, n) => signupNo(`donor${n}@example.org`, n)).flat();
    // An unknown trigger type among them is skipped, in place.
    raws.splice(5, 0, { ...raws[0]!, webhook_trigger_type: 'brand_new_trigger', webhook_record_id: '999' });
    await store.ingest([toNewRecords(flow, raws.map((raw, i) => ({ trigger: String(raw.webhook_trigger_type), recordId: String(i), dedupeKey: `k:${i}`, raw })), 0)], 0);
    const claimed = await store.claim([flow.id], 0, 100, 60_000);
    assert.equal(claimed.length, raws.length);
    const ctx = (sliceSize: number) => ({ flows: new Map([[flow.id, flow]]), store, outcomes: new Outcomes(silentLogger, {}, DURABLE_BACKOFF), report: () => {}, sliceSize });
    let turns = 0;
    const sliced = await countingTurns(async (counted) => {
      const prepared = await prepareRecords(ctx(2), claimed, 0);
      turns = counted();
      return prepared;
    });
    const whole = await prepareRecords(ctx(1000), claimed, 0);
    const view = (ls: typeof whole) => ls.map((l) => ({ email: l.mapped.email, ids: l.unit.records.map((p) => p.record.id), onList: l.onList }));
    assert.equal(whole.length, 7, 'one look-up per sign-up');
    assert.deepEqual(view(sliced), view(whole));
    assert.deepEqual(view(whole).map((v) => v.email), Array.from({ length: 7 }, (_, n) => `donor${n}@example.org`));
    assert.ok(turns >= 4, `the loop got a turn between slices (${turns})`);
    const skipped = await store.records({ flow: flow.id, outcome: 'skipped' });
    assert.deepEqual(skipped.map((r) => r.reason), ['unknown_trigger'], 'the unknown trigger is skipped, not looked up');
  } finally {
    await store.close();
  }
});
