import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitLog } from './rate-limit-log.ts';

test('the last 429 of an account: from a request, retried or not, or from an item of a batch answer; other answers pass it on only', () => {
  let now = 1_000;
  const log = new RateLimitLog(() => now);
  const heard: number[] = [];
  const hooks = log.listen({ exchange: (_account, report) => void heard.push(report.status ?? 0) });
  hooks.exchange!('a', { operation: 'list_groups', status: 429, seconds: 0.01 });
  now = 2_000;
  hooks.exchange!('b', { operation: 'batch', status: 200, items: [201, 429], seconds: 0.2 });
  now = 3_000;
  hooks.exchange!('a', { operation: 'batch', status: 200, items: [200, 201], seconds: 0.2 });
  hooks.exchange!('a', { operation: 'batch', status: null, seconds: 10 });
  assert.equal(log.lastAt('a'), 1_000);
  assert.equal(log.lastAt('b'), 2_000);
  assert.equal(log.lastAt('c'), null);
  assert.deepEqual(heard, [429, 200, 200, 0], 'the hooks it wraps hear every exchange');
});
