import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../adapters/index.ts';
import { signupNo, WORKER_CONFIG } from '../../test/support/worker-rig.ts';
import { compileFlow } from './compile-flow.ts';
import { toNewRecords } from './intake.ts';

const flow = compileFlow(WORKER_CONFIG, 'w.yaml', { secret: () => 'unused' });
const raws = [...signupNo('Jane.Doe@Example.org', 1), ...signupNo('omar@example.org', 2)];
const intake = raws.map((raw, i) => ({ trigger: String(raw.webhook_trigger_type), recordId: String(i), dedupeKey: `k:${i}`, raw }));

test('intake stores the keys a source reads with groupKeys, the same as normalising gives, a record the source chokes on without keys', () => {
  assert.ok(flow.source.groupKeys, 'the Flipcause source reads the keys alone');
  const read = toNewRecords(flow, intake, 1000);
  const { groupKeys: _, ...withoutKeys } = flow.source;
  const normalised = toNewRecords({ ...flow, source: withoutKeys }, intake, 1000);
  assert.deepEqual(read, normalised);
  assert.equal(read[0]!.subject, read[1]!.subject, 'the activity and the transaction of one sign-up share the subject');
  assert.notEqual(read[0]!.subject, read[2]!.subject);
  assert.ok(read.every((r) => r.txn !== null && r.subject !== null && r.availableAt === 1000 + flow.settleMs));
  assert.deepEqual(read[0]!.raw, raws[0]);
  const choking = toNewRecords({ ...flow, source: { ...flow.source, groupKeys: () => { throw new Error('odd record'); } } }, intake.slice(0, 1), 1000);
  assert.deepEqual([choking[0]!.subject, choking[0]!.txn, choking[0]!.dedupeKey], [null, null, 'k:0'], 'stored all the same, without keys');
});
