import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimed, firstReady, siblingKeys, type ClaimRow } from './claim-plan.ts';

const row = (id: number, flow: string, subject: string | null, txn: string | null, due: number): ClaimRow => ({ id, flow, subject, txn, due_at: due });

test('the first ready rows go by due time then id, busy subjects skipped, up to the limit', () => {
  const rows = [row(4, 'a', 's1', null, 20), row(2, 'a', 's2', null, 10), row(3, 'b', 'busy', null, 5), row(1, 'b', null, 'T1', 10)];
  assert.deepEqual(firstReady(rows, new Set(['busy']), 2).map((r) => r.id), [1, 2]);
});

test('siblings are looked for per flow by subject and transaction; a row with neither asks for none', () => {
  const keys = siblingKeys([row(1, 'a', 's1', 'T1', 0), row(2, 'a', 's1', null, 0), row(3, 'b', null, null, 0)]);
  assert.deepEqual([...keys], [['a', { subjects: ['s1'], txns: ['T1'] }]]);
});

test('the claim joins siblings not held by a running round, once each, by id', () => {
  const first = [row(5, 'a', 's1', null, 0)];
  const siblings = [row(5, 'a', 's1', null, 0), row(2, 'a', 's1', null, 9), row(7, 'a', 'busy', 'T1', 0)];
  assert.deepEqual(claimed(first, siblings, new Set(['busy'])).map((r) => r.id), [2, 5]);
});
