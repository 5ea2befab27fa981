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
  // A sliding window on the server: the strictest reading of "per minute", checked request by request below.
  fake.setOptions({ requestsPerMinute: LIMIT, timeScale: SCALE, rateWindow: 'sliding' });
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
    assert.ok(log[i]!.at >= log[i - LIMIT]!.at + window - 1, `request ${i} within the window of ${i - LIMIT}`);
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

/** Moves the clock in small steps until `p` is granted; fails if that takes a window or more. */
async function spreadOut<T>(p: Promise<T>, advance: (ms: number) => void, windowMs: number): Promise<T> {
  for (let waited = 0; !(await settled(p)); waited += windowMs / 100) {
    assert.ok(waited < windowMs, 'granted within the window');
    advance(windowMs / 100);
  }
  return p;
}

test('follows the server: a lower x-ratelimit-remaining fills the window, a lower limit lowers ours', async () => {
  const { budget, advance, drain } = manual({ requestsPerMinute: 10 });
  const lease = await budget.acquire();
  lease.release({ limit: 8, remaining: 2 });
  assert.equal(budget.limit, 8);
  assert.equal(budget.snapshot().used, 6);
  // Near the ceiling the last two are spread: each goes a little later, well inside the window.
  (await spreadOut(budget.acquire(), advance, budget.windowMs)).release();
  (await spreadOut(budget.acquire(), advance, budget.windowMs)).release();
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

test("the server's x-ratelimit-limit replaces the assumed limit: a key allowed 600 a minute is not held to 120", async () => {
  const { budget, drain } = manual({ requestsPerMinute: 120 });
  (await budget.acquire()).release({ limit: 600, remaining: 599 });
  assert.equal(budget.limit, 600);
  const leases = [];
  for (let i = 0; i < 300; i++) {
    const next = budget.acquire();
    assert.equal(await settled(next), true, `request ${i + 2} goes at once: the server has ${598 - i} left`);
    const lease = await next;
    lease.release({ limit: 600, remaining: 598 - i });
    leases.push(lease);
  }
  await drain();
});

test('steady drain: a burst while the server has more than a sixth of its window left, then the rest spread until the window frees slots', async () => {
  const { budget, advance, drain } = manual({ requestsPerMinute: 60 });
  const started = 1_000_000;
  (await budget.acquire()).release({ limit: 60, remaining: 59 });
  let granted = 1;
  let next = budget.acquire();
  while (await settled(next)) {
    (await next).release({ limit: 60, remaining: 59 - granted });
    granted++;
    next = budget.acquire();
  }
  assert.equal(granted, 50, 'at once while more than 10 of 60 are left');
  const gaps: number[] = [];
  let last = started;
  let now = started;
  while (granted < 60) {
    for (let waited = 0; !(await settled(next)); waited++) {
      assert.ok(waited < 1000, 'the next one goes before the window frees slots');
      advance(budget.windowMs / 1000);
      now += budget.windowMs / 1000;
    }
    (await next).release({ limit: 60, remaining: 59 - granted });
    gaps.push(now - last);
    last = now;
    granted++;
    next = budget.acquire();
  }
  assert.ok(gaps.every((g) => g > 0 && g < budget.windowMs / 4), `spread, not held back for the window: ${gaps.join(', ')}`);
  assert.ok(now - started < budget.windowMs, 'the whole window spent within the window');
  assert.equal(await settled(next), false, 'the 61st waits for the window');
  await drain(next);
});

test('restart: one request until the first answer says what MailerLite has left, then only that is spent', async () => {
  const { budget, advance, drain } = manual({ requestsPerMinute: 120 });
  const first = await budget.acquire();
  const second = budget.acquire();
  assert.equal(await settled(second), false, 'nothing else goes before the first answer');
  first.release({ limit: 120, remaining: 2 }); // the process before this one spent the rest of the window
  (await spreadOut(second, advance, budget.windowMs)).release({ limit: 120, remaining: 1 });
  (await spreadOut(budget.acquire(), advance, budget.windowMs)).release({ limit: 120, remaining: 0 });
  const over = budget.acquire();
  assert.equal(await settled(over), false, 'what MailerLite said was left is spent: the next waits for its window');
  await drain(over);
});

test('near the ceiling the spread is per slot: a batch of items waits one step per slot it takes, so one batch cannot spend the reserve at once', async () => {
  const { budget, advance, drain } = manual({ requestsPerMinute: 60 });
  (await budget.acquire()).release({ limit: 60, remaining: 59 });
  // 49 more leave exactly the reserve (a sixth: 10) free: that burst goes at once.
  const burst = budget.acquire({ cost: 49, batchItems: 49 });
  assert.equal(await settled(burst), true);
  (await burst).release({ limit: 60, remaining: 10 });
  // 10 free slots spread over the window: a step is a window / 11; an 8-slot batch takes 8 steps.
  const step = budget.windowMs / 11;
  const eight = budget.acquire({ cost: 8, batchItems: 8 });
  advance(2 * step);
  assert.equal(await settled(eight), false, 'not after the step of a single request');
  advance(6 * step - 1);
  assert.equal(await settled(eight), false);
  advance(1);
  assert.equal(await settled(eight), true, 'after eight steps');
  (await eight).release({ limit: 60, remaining: 2 });
  await drain();
});

test('roomNow: the free slots less the spread reserve once the server has counted; none while blocked', async () => {
  const { budget, drain } = manual({ requestsPerMinute: 60 });
  assert.equal(budget.roomNow(), 60, 'before any answer states a count, all of the window');
  const first = await budget.acquire();
  assert.equal(budget.roomNow(), 0, 'nothing else goes until the first answer is in');
  first.release({ limit: 60, remaining: 40 });
  assert.equal(budget.roomNow(), 30, '40 left on the server, 10 of them the reserve');
  (await budget.acquire()).release({ limit: 60, remaining: 0, retryAfterMs: 1_000 });
  assert.equal(budget.roomNow(), 0);
  await drain();
});

test("a higher x-ratelimit-remaining than ours frees our oldest slots (the server's window reset first), but not while another request is in flight", async () => {
  const { budget, advance, drain } = manual({ requestsPerMinute: 10 });
  (await budget.acquire()).release({ limit: 10, remaining: 9 });
  for (let i = 0; i < 8; i++) (await spreadOut(budget.acquire(), advance, budget.windowMs)).release({ limit: 10, remaining: 8 - i });
  const tenth = await spreadOut(budget.acquire(), advance, budget.windowMs);
  const next = budget.acquire();
  assert.equal(await settled(next), false, 'our own count is full');
  tenth.release({ limit: 10, remaining: 10 }); // the server's window reset: it has all ten again
  assert.equal(await settled(next), true, 'the next request goes at once, not when our count would have aged out');
  assert.equal(budget.snapshot().used, 1, 'every slot the server says is free is free here too: only the request just let go holds one');
  const answered = await next;
  const concurrent = await budget.acquire();
  answered.release({ limit: 10, remaining: 9 }); // `concurrent` is on the wire and may not be counted in it
  assert.equal(budget.snapshot().used, 2, 'with another request in flight, a higher count is not followed');
  concurrent.release({ limit: 10, remaining: 8 });
  await drain();
});

test('work already started (paced: false) is not spread: near the ceiling it goes once the window has room, while new work waits its steps', async () => {
  const { budget, drain } = manual({ requestsPerMinute: 60 });
  (await budget.acquire()).release({ limit: 60, remaining: 59 });
  (await budget.acquire({ cost: 49, batchItems: 49 })).release({ limit: 60, remaining: 10 });
  assert.equal(budget.roomNow(false), 10, 'the reserve is room for it');
  const finishing = budget.acquire({ cost: 8, batchItems: 8, paced: false });
  assert.equal(await settled(finishing), true, 'eight writes whose look-ups are answered go at once');
  (await finishing).release({ limit: 60, remaining: 2 });
  const fresh = budget.acquire({ cost: 1 });
  assert.equal(await settled(fresh), false, 'new work near the ceiling still waits for its step');
  await drain(fresh);
});
