import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Intent } from '../../engine/ports/intents.ts';
import { createClient } from './client.ts';
import { startFakeMailerLite } from './fake/index.ts';
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
  // A full batch here would wait until the window frees 50 slots, leaving those freed before unspent.
  assert.equal(perItem.batchCapacity(), 2, 'with one slot left, the smallest useful batch: it goes as soon as two are free');
  t += 60_001;
  assert.equal(perItem.batchCapacity(), 30);
});

test('batch capacity when items count and the server has said what is left: the free slots less the spread reserve', async () => {
  let t = 1_000;
  const budget = new RateBudget({ requestsPerMinute: 120, now: () => t });
  const perItem = createClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', batchCost: 'items', budget });
  (await budget.acquire()).release({ limit: 120, remaining: 119 });
  assert.equal(perItem.batchCapacity(), 50);
  (await budget.acquire({ cost: 50 })).release({ limit: 120, remaining: 69 });
  assert.equal(perItem.batchCapacity(), 49, '69 free, 20 of them kept to spread: 49 go at once');
  (await budget.acquire({ cost: 49 })).release({ limit: 120, remaining: 20 });
  assert.equal(perItem.batchCapacity(), 2, 'in the reserve: small batches, each after its share of the window');
  t += 60_001;
});

/**
 * A backlog drained against a MailerLite that counts every batch item (a fixed window from the
 * first request, as the fake's default), on a hand-driven clock: each round is sized by the
 * client's capacity, waits for its lease, takes its slots on the server and is answered with the
 * server's count 30 ms later.
 */
async function simulateDrain(slots: number) {
  const LIMIT = 120;
  const LATENCY = 30;
  let t = 0;
  const budget = new RateBudget({ requestsPerMinute: LIMIT, now: () => t });
  const client = createClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', batchCost: 'items', budget });
  const W = budget.windowMs;
  const used = new Map<number, number>();
  const grants: { at: number; n: number }[] = [];
  let left = slots;
  while (left > 0) {
    const n = Math.min(client.batchCapacity(), left);
    const pending = budget.acquire({ cost: n, batchItems: n });
    let granted = false;
    void pending.then(() => (granted = true));
    await new Promise((r) => setImmediate(r));
    while (!granted) {
      t += 10;
      budget.block(0);
      await new Promise((r) => setImmediate(r));
    }
    const window = Math.floor(t / W);
    const count = (used.get(window) ?? 0) + n;
    assert.ok(count <= LIMIT, `window ${window} over the limit: ${count} (the server would answer 429)`);
    used.set(window, count);
    grants.push({ at: t, n });
    left -= n;
    t += LATENCY;
    (await pending).release({ limit: LIMIT, remaining: LIMIT - count });
  }
  return { W, LIMIT, used, grants, last: grants[grants.length - 1]!.at };
}

test('a backlog drains at the limit when items count: every window spent, the last slots in the window the limit allows, no stretch of a window idle', async () => {
  // Four and a half windows of slots: the fastest a fixed window allows ends in the fifth (index 4).
  const { W, LIMIT, used, grants, last } = await simulateDrain(4 * 120 + 60);
  for (let w = 0; w < 4; w++) assert.equal(used.get(w), LIMIT, `window ${w} spent whole: ${used.get(w)} of ${LIMIT}`);
  assert.equal(Math.floor(last / W), 4, `the last slots go in window 4, not later (${(last / W).toFixed(2)} windows)`);
  // Steady: inside the full windows, never more than a sixth of a window without a request.
  const full = grants.filter((g) => g.at < 4 * W);
  const gaps = full.slice(1).map((g, i) => g.at - full[i]!.at);
  assert.ok(Math.max(...gaps) <= W / 6, `longest gap ${Math.max(...gaps)} ms of a ${W} ms window`);
});

test('a round of writes alone finishes started work: it is not spread, and the next round may take the reserve', async () => {
  const LIMIT = 30; // a reserve of 5
  const fake = await startFakeMailerLite({ accounts: { 'tok-finish': {} }, options: { requestsPerMinute: LIMIT, batchCounting: 'per-item' } });
  try {
    let t = 1_000;
    const budget = new RateBudget({ requestsPerMinute: LIMIT, now: () => t });
    const client = createClient({ apiKey: 'tok-finish', baseUrl: fake.url, batchCost: 'items', budget });
    const round = (intents: Intent[]) => Promise.race([client.apply(intents, { limit: 50 }).then(() => 'sent'), sleep(2_000).then(() => 'held')]);
    for (let i = 0; i < 24; i++) assert.equal(await round([{ kind: 'look_up', email: `p${i}@example.org` }]), 'sent');
    assert.equal(client.batchCapacity(), 2, '6 free, 5 of them the reserve: new work goes two slots a step');
    // A create alone (padded with a look-up: 2 slots) with 6 free would be spread; it is not.
    assert.equal(await round([{ kind: 'create', email: 'p0@example.org', fields: {}, groups: [] }]), 'sent', 'not held back by the spread');
    assert.equal(client.batchCapacity(), 4, 'the writes left may take the reserve: 4 free');
    assert.equal(await round([{ kind: 'look_up', email: 'late@example.org' }]), 'held', 'a look-up is new work: it waits for its step');
    t += 60_001;
    budget.block(0);
  } finally {
    await fake.close();
  }
});
