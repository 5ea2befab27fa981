import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from './client.ts';
import { RateBudget } from './rate-budget.ts';

test('batch capacity: a full batch when batches count as one; the free slots when items count', async () => {
  let t = 1_000;
  const budget = new RateBudget({ requestsPerMinute: 30, now: () => t });
  const perItem = createClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', batchCost: 'items', budget });
  const perBatch = createClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', batchCost: 'one', budget });
  assert.equal(perBatch.batchCapacity(), 50);
  assert.equal(perItem.batchCapacity(), 30, 'what the window has free, not a batch that would wait');
  const lease = await budget.acquire({ cost: 20 });
  lease.release({});
  assert.equal(perItem.batchCapacity(), 10);
  const more = await budget.acquire({ cost: 9 });
  more.release({});
  assert.equal(perItem.batchCapacity(), 50, 'with one slot left, a full batch waits for the window like any other');
  t += 60_001;
  assert.equal(perItem.batchCapacity(), 30);
});
