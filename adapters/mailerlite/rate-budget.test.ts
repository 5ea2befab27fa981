// The per-key rate budget: shared across clients, never over the limit, following the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMailerLite, type FakeMailerLite } from './fake/index.ts';
import { createClient } from './index.ts';
import { RateBudget, accountKeyOf, rateBudgetFor } from './rate-budget.ts';

let fake: FakeMailerLite;
before(async () => {
  fake = await startFakeMailerLite({ accounts: { 'tok-a': {}, 'tok-b': {} } });
});
after(() => fake.close());

test('two clients on one key share one budget and together never exceed the limit', async () => {
  const SCALE = 0.01; // a minute of 600 ms
  const LIMIT = 6;
  fake.setOptions({ requestsPerMinute: LIMIT, timeScale: SCALE });
  const opts = { apiKey: 'tok-a', baseUrl: fake.url, requestsPerMinute: LIMIT, timeScale: SCALE };
  const one = createClient(opts);
  const two = createClient(opts);
  assert.equal(one.budget, two.budget);
  assert.equal(one.accountKey, two.accountKey);
  assert.ok(!one.accountKey.includes('tok-a'), 'the account key never holds the API key');
  const other = createClient({ ...opts, apiKey: 'tok-b' });
  assert.notEqual(other.budget, one.budget);

  await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? one : two).listGroups()));
  const log = fake.requests('tok-a');
  assert.equal(log.length, 16);
  assert.ok(log.every((r) => r.status === 200), 'the server never had to refuse one');
  const window = 60_000 * SCALE;
  for (let i = LIMIT; i < log.length; i++) {
    assert.ok(log[i]!.at >= log[i - LIMIT]!.respondedAt + window - 1, `request ${i} within the window of ${i - LIMIT}`);
  }
});

test('a second user of a key can only tighten its limit', () => {
  const key = accountKeyOf('http://127.0.0.1:1/', 'k');
  const a = rateBudgetFor(key, { requestsPerMinute: 100 });
  const b = rateBudgetFor(key, { requestsPerMinute: 200 });
  assert.equal(a, b);
  assert.equal(b.limit, 100);
  rateBudgetFor(key, { requestsPerMinute: 50 });
  assert.equal(a.limit, 50);
});

// A budget with a hand-driven clock; `drain` moves past every window so no waiter (or timer) is left.
function manual(options: ConstructorParameters<typeof RateBudget>[0] = {}) {
  let now = 1_000_000;
  const budget = new RateBudget({ ...options, now: () => now });
  const advance = (ms: number) => {
    now += ms;
    budget.block(0);
  };
  const drain = async (...waiters: Promise<{ release(): void }>[]) => {
    for (const w of waiters) {
      advance(10 * budget.windowMs);
      (await w).release();
    }
  };
  return { budget, advance, drain };
}
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

test('follows the server: a lower x-ratelimit-remaining fills the window, a lower limit lowers ours', async () => {
  const { budget, drain } = manual({ requestsPerMinute: 10 });
  const lease = await budget.acquire();
  lease.release({ limit: 8, remaining: 2 });
  assert.equal(budget.limit, 8);
  assert.equal(budget.snapshot().used, 6);
  (await budget.acquire()).release();
  (await budget.acquire()).release();
  const ninth = budget.acquire();
  assert.equal(await settled(ninth), false, 'the ninth waits for the window');
  await drain(ninth);
});

test('Retry-After blocks every request on the key until it elapses, then frees the window exactly', async () => {
  const { budget, advance } = manual({ requestsPerMinute: 10 });
  (await budget.acquire()).release({ remaining: 0, retryAfterMs: 5000 });
  const waiting = budget.acquire();
  assert.equal(await settled(waiting), false);
  assert.ok(budget.blockedForMs() > 4999);
  advance(4999);
  assert.equal(await settled(waiting), false);
  advance(1);
  assert.equal(await settled(waiting), true);
  (await waiting).release();
});

test('imports take a slot in the import window as well', async () => {
  const { budget, drain } = manual({ requestsPerMinute: 100, importsPerMinute: 2 });
  (await budget.acquire({ import: true })).release();
  (await budget.acquire({ import: true })).release();
  const third = budget.acquire({ import: true });
  const plain = budget.acquire();
  assert.equal(await settled(third), false);
  assert.equal(await settled(plain), false, 'first come, first served');
  await drain(third, plain);
});
