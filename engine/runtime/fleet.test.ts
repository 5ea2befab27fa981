import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSpreadMs } from './fleet.ts';

test('accounts taken at once start over a spread that grows with their number, capped at 10 s; one starts at once', () => {
  assert.deepEqual([0, 1, 2, 101, 1_000, 5_000].map(startSpreadMs), [0, 0, 5, 500, 4_995, 10_000]);
});
