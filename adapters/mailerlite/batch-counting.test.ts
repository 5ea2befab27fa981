// Learning how MailerLite counts a batch: the evidence rule as a table, then clients with default
// options against the fake over loopback with each batch-counting switch. Small limits and a scaled
// minute keep it to seconds; every check reads the fake's request log, never the wall clock.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchCounting, judgeBatch, type BatchObservation, type Verdict } from './batch-counting.ts';
import { startFakeMailerLite, type FakeMailerLite, type LoggedRequest } from './fake/index.ts';
import { createClient, type MailerLiteHttpClient } from './index.ts';
import { RateBudget, resetRateBudgets } from './rate-budget.ts';
import type { Operation } from './types.ts';

describe('evidence rule', () => {
  const cases: [string, BatchObservation, Verdict][] = [
    ['items refused, no room left', { items: 8, charged: 1, refusedItems: 2, remaining: 0, ours: 9 }, 'items'],
    ['items refused, no header', { items: 2, charged: 1, refusedItems: 1, ours: 9 }, 'items'],
    ['items refused even when charged per item', { items: 5, charged: 5, refusedItems: 1, remaining: 0, ours: 0 }, 'items'],
    ['an item refused with room for the whole batch left says nothing', { items: 3, charged: 1, refusedItems: 1, remaining: 50, ours: 50 }, 'one'],
    ['remaining dropped by about the items', { items: 5, charged: 1, refusedItems: 0, remaining: 5, ours: 9 }, 'strike'],
    ['50 items, dropped by 25: about the items', { items: 50, charged: 1, refusedItems: 0, remaining: 60, ours: 85 }, 'strike'],
    ['50 items, dropped by 10: not enough', { items: 50, charged: 1, refusedItems: 0, remaining: 75, ours: 85 }, 'one'],
    ['remaining as our own count: one slot', { items: 5, charged: 1, refusedItems: 0, remaining: 9, ours: 9 }, 'one'],
    ['remaining above our count (the server freed slots first)', { items: 5, charged: 1, refusedItems: 0, remaining: 12, ours: 9 }, 'one'],
    ['two items: one other request would look the same', { items: 2, charged: 1, refusedItems: 0, remaining: 0, ours: 9 }, 'none'],
    ['no header', { items: 10, charged: 1, refusedItems: 0, ours: 9 }, 'none'],
    ['charged per item already', { items: 10, charged: 10, refusedItems: 0, remaining: 0, ours: 9 }, 'none'],
  ];
  for (const [name, o, verdict] of cases) {
    test(`${name} → ${verdict}`, () => assert.equal(judgeBatch(o), verdict));
  }

  test('two header drops in a row switch; a clean batch between them clears the strike; the switch sticks', () => {
    const drop: BatchObservation = { items: 5, charged: 1, refusedItems: 0, remaining: 5, ours: 9 };
    const clean: BatchObservation = { ...drop, remaining: 9 };
    const counting = new BatchCounting();
    counting.observe(drop);
    counting.observe(clean);
    counting.observe(drop);
    assert.equal(counting.cost, 'one');
    counting.observe(drop);
    assert.equal(counting.cost, 'items');
    for (let i = 0; i < 5; i++) counting.observe(clean);
    assert.equal(counting.cost, 'items');
  });

  test('the budget learns from batch leases only, and shows it in its snapshot', async () => {
    const budget = new RateBudget({ requestsPerMinute: 10, now: () => 0 });
    // What would be decisive for a batch teaches nothing when the lease was for a single call.
    for (let i = 0; i < 3; i++) (await budget.acquire()).release({ limit: 10 }, { refusedItems: 1 });
    assert.equal(budget.snapshot().batchCost, 'one');
    const fresh = new RateBudget({ requestsPerMinute: 10, now: () => 0 });
    (await fresh.acquire({ batchItems: 6 })).release({ limit: 10 }, { refusedItems: 2 });
    assert.equal(fresh.batchCost, 'items');
    assert.equal(fresh.snapshot().batchCost, 'items');
  });
});

const SCALE = 0.02; // a MailerLite minute lasts 1.2 s
const LIMIT = 10;
let fake: FakeMailerLite;
let tokenSeq = 0;

before(async () => {
  fake = await startFakeMailerLite({ options: { requestsPerMinute: LIMIT, importsPerMinute: 100, timeScale: SCALE } });
});
after(() => fake.close());
afterEach(() => resetRateBudgets());

/** A fresh key (so a fresh shared budget) and a client on it with default options, on the scaled clock. */
function freshClient(batchCounting: 'one' | 'per-item', requestsPerMinute = LIMIT): { token: string; client: MailerLiteHttpClient } {
  const token = `tok-counting-${++tokenSeq}`;
  fake.seed(token, { groups: ['Newsletter'] });
  fake.setOptions({ requestsPerMinute, batchCounting });
  return { token, client: createClient({ apiKey: token, baseUrl: fake.url, timeScale: SCALE }) };
}

const reads = (n: number): Operation[] => Array.from({ length: n }, () => ({ method: 'GET', path: 'api/groups' }));
const itemRefusals = (r: LoggedRequest) => (r.items ?? []).filter((it) => it.status === 429).length;

/** A slot lease the client asked its budget for: how many slots it charged. */
interface Granted {
  cost: number;
  /** Items of the batch it was for (1 for a single call). */
  items: number;
}

/**
 * Records every lease the client asks its budget for, in the order it decides the charge. The
 * fake's 429s say whether the client asked for more than a window allows; these say how it
 * charged each request.
 */
function grants(client: MailerLiteHttpClient): Granted[] {
  const log: Granted[] = [];
  const acquire = client.budget.acquire.bind(client.budget);
  client.budget.acquire = (options = {}) => {
    log.push({ cost: options.cost ?? 1, items: options.batchItems ?? 1 });
    return acquire(options);
  };
  return log;
}

/** The first grant of a batch charged per item, and that every batch after it was charged so too. */
function chargedPerItemFrom(log: Granted[]): number {
  const from = log.findIndex((g) => g.items > 1 && g.cost === g.items);
  assert.ok(from >= 0, 'no batch was charged per item');
  const blindAfter = log.slice(from).filter((g) => g.items > 1 && g.cost !== g.items);
  assert.deepEqual(blindAfter, [], 'a batch after the switch was charged less than its items');
  return from;
}

describe("fake counting batches per item ('per-item')", () => {
  test('a default client learns it within one round, then charges every batch per item and gets no 429', async () => {
    const { token, client } = freshClient('per-item');
    const granted = grants(client);
    // Three single calls first, so the first batch of 8 overruns the window: items come back 429.
    for (let i = 0; i < 3; i++) await client.listGroups();
    assert.equal(client.budget.snapshot().batchCost, 'one', 'single calls are no evidence');
    const learnedAfter: number[] = [];
    let mark = -1;
    for (let b = 0; b < 5; b++) {
      const results = await client.batch(reads(8));
      assert.deepEqual(results.map((r) => r.code), Array(8).fill(200), `batch ${b}: refused items were sent again and done`);
      if (client.budget.batchCost === 'items' && mark < 0) {
        learnedAfter.push(b);
        mark = fake.requests(token).length;
      }
    }
    assert.deepEqual(learnedAfter, [0], 'switched on the answer to the first batch');
    assert.equal(client.budget.snapshot().batchCost, 'items');
    const log = fake.requests(token);
    assert.ok(log.slice(0, mark).some((r) => itemRefusals(r) > 0), 'the learning round did see item 429s');
    const afterSwitch = log.slice(mark);
    assert.ok(afterSwitch.length >= 4);
    assert.deepEqual(afterSwitch.filter((r) => r.status !== 200 || itemRefusals(r) > 0).map((r) => r.seq), [], 'no 429 of any kind after the switch');
    chargedPerItemFrom(granted);
  });

  test('without any item 429, two batches whose remaining dropped by their items are enough', async () => {
    const { token, client } = freshClient('per-item');
    const granted = grants(client);
    const seen: string[] = [];
    for (let b = 0; b < 4; b++) {
      await client.batch(reads(5));
      seen.push(client.budget.batchCost);
    }
    assert.deepEqual(seen, ['one', 'items', 'items', 'items']);
    const log = fake.requests(token);
    assert.deepEqual(log.filter((r) => r.status !== 200 || itemRefusals(r) > 0).map((r) => r.seq), [], 'no 429 at all');
    assert.equal(chargedPerItemFrom(granted), 2, 'the third batch is the first charged per item');
  });

  test('concurrent callers: 429s only for batches charged before the switch, at most two per caller', async () => {
    const { token, client } = freshClient('per-item');
    const CALLERS = 3;
    const granted = grants(client);
    // Counts batch attempts charged one slot although they carry several items ("blind").
    let blind = 0;
    const acquire = client.budget.acquire.bind(client.budget);
    client.budget.acquire = (options = {}) => {
      if (options.batchItems !== undefined && options.batchItems > 1 && options.cost === 1) blind++;
      return acquire(options);
    };
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let b = 0; b < 3; b++) {
          const results = await client.batch(reads(4));
          assert.ok(results.every((r) => r.code === 200));
        }
      }),
    );
    assert.equal(client.budget.batchCost, 'items');
    assert.ok(blind <= 2 * CALLERS, `${blind} batches charged blind`);
    const log = fake.requests(token);
    const refused = log.filter((r) => r.status === 429 || itemRefusals(r) > 0);
    assert.ok(refused.length <= blind, `${refused.length} requests met a 429, ${blind} were charged blind`);
    const last = log.findLastIndex((r) => r.status === 429 || itemRefusals(r) > 0);
    assert.ok(last < log.length - 1, 'requests followed the last 429');
    assert.ok(log.slice(last + 1).every((r) => r.status === 200 && itemRefusals(r) === 0));
    chargedPerItemFrom(granted);
  });
});

describe("fake counting a batch as one ('one')", () => {
  test('a default client never switches: each batch stays one slot', async () => {
    // A long window and a high limit: nothing ages out or waits while the batches go.
    fake.setOptions({ timeScale: 0.1 });
    const token = `tok-counting-${++tokenSeq}`;
    fake.seed(token, { groups: ['Newsletter'] });
    fake.setOptions({ requestsPerMinute: 100, batchCounting: 'one' });
    const client = createClient({ apiKey: token, baseUrl: fake.url, timeScale: 0.1 });
    try {
      for (let b = 0; b < 10; b++) {
        const results = await client.batch(reads(5));
        assert.deepEqual(results.map((r) => r.code), Array(5).fill(200));
        assert.equal(client.budget.batchCost, 'one', `after batch ${b}`);
      }
      assert.equal(client.budget.snapshot().used, 10, '10 batches of 5 took 10 slots, not 50');
      const log = fake.requests(token);
      assert.equal(log.length, 10);
      assert.ok(log.every((r) => r.status === 200 && itemRefusals(r) === 0));
    } finally {
      fake.setOptions({ timeScale: SCALE });
    }
  });

  test('a stray item 429 with room left does not switch, and the item is sent again', async () => {
    const { token, client } = freshClient('one', 100);
    fake.inject({ token, scope: 'item', nth: 2, status: 429 });
    const results = await client.batch(reads(4));
    assert.deepEqual(results.map((r) => r.code), [200, 200, 200, 200]);
    assert.equal(client.budget.batchCost, 'one');
    const log = fake.requests(token);
    assert.deepEqual(log.map(itemRefusals), [1, 0]);
  });

  test('an explicit batchCost wins over what the key has learned', async () => {
    const { token } = freshClient('one', 100);
    const budget = new RateBudget({ requestsPerMinute: 100, timeScale: 0.1 });
    (await budget.acquire({ batchItems: 6 })).release({ limit: 100 }, { refusedItems: 3 });
    assert.equal(budget.batchCost, 'items');
    // What each batch is charged, read as the lease is taken: the answers' x-ratelimit-remaining
    // (which the budget follows both ways) cannot blur it.
    const charged: number[] = [];
    const acquire = budget.acquire.bind(budget);
    budget.acquire = (options = {}) => {
      charged.push(options.cost ?? 1);
      return acquire(options);
    };
    await createClient({ apiKey: token, baseUrl: fake.url, timeScale: 0.1, budget, batchCost: 'one' }).batch(reads(5));
    assert.deepEqual(charged, [1], "told 'one': one slot");
    await createClient({ apiKey: token, baseUrl: fake.url, timeScale: 0.1, budget }).batch(reads(5));
    assert.deepEqual(charged, [1, 5], 'default: as learned, one per item');
  });
});
