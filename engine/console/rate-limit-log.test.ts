import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeReport } from '../ports/destination.ts';
import { RateLimitLog } from './rate-limit-log.ts';

test('the last 429 per account, from a refused request or a refused batch item; other hooks still hear every exchange', () => {
  let t = 1000;
  const log = new RateLimitLog(() => t);
  const heard: [string, number | null][] = [];
  const hooks = log.listen({ exchange: (account, r) => void heard.push([account, r.status]) });
  const report = (status: number | null, items?: number[]): ExchangeReport => ({ operation: 'batch', status, seconds: 0.1, ...(items ? { items } : {}) });
  hooks.exchange?.('acc1', report(200, [200, 201]));
  assert.equal(log.lastAt('acc1'), null);
  hooks.exchange?.('acc1', report(429));
  t = 2000;
  hooks.exchange?.('acc2', report(200, [201, 429]));
  hooks.exchange?.('acc2', report(null));
  assert.deepEqual([log.lastAt('acc1'), log.lastAt('acc2'), log.lastAt('acc3')], [1000, 2000, null]);
  assert.deepEqual(heard, [['acc1', 200], ['acc1', 429], ['acc2', 200], ['acc2', null]]);
});
