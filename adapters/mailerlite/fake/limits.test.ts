// The fake's rate limits, import limit, batch counting switch and fault injection, over loopback HTTP.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFakeOptions, startFakeMailerLite, type FakeMailerLite } from './index.ts';
import { RateLimiter } from './rate-limiter.ts';

const TOKEN = 'tok-limits';
let fake: FakeMailerLite;

async function call(method: string, path: string, body?: unknown, signal?: AbortSignal) {
  const res = await fetch(`${fake.url}/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as any };
}

const upserts = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ method: 'POST', path: 'api/subscribers', body: { email: `${tag}${i}@example.org` } }));

before(async () => {
  fake = await startFakeMailerLite({ accounts: { [TOKEN]: {} } });
});
after(() => fake.close());
beforeEach(() => {
  fake.reset();
  // A "minute" of 60 s × 0.05 = 3 s: long enough to stay inside it during a test.
  fake.setOptions({ requestsPerMinute: 5, importsPerMinute: 2, timeScale: 0.05, batchCounting: 'one', rateWindow: 'fixed', rateWindowSeconds: 60 });
});

for (const rateWindow of ['fixed', 'sliding'] as const) {
  describe(`rate limit (${rateWindow} window)`, () => {
    beforeEach(() => fake.setOptions({ rateWindow }));
    test('every authenticated answer carries x-ratelimit-limit and a decreasing x-ratelimit-remaining', async () => {
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await call('GET', i === 1 ? 'api/subscribers/nobody%40example.org' : 'api/groups');
        assert.equal(r.headers.get('x-ratelimit-limit'), '5');
        seen.push(r.headers.get('x-ratelimit-remaining')!);
      }
      assert.deepEqual(seen, ['4', '3', '2']);
    });

    test('over the limit: 429 with Retry-After (seconds) and remaining 0; allowed again once it has elapsed', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await call('GET', 'api/groups')).status, 200);
      const r = await call('GET', 'api/groups');
      assert.equal(r.status, 429);
      assert.equal(typeof r.body.message, 'string');
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
      const retryAfter = Number(r.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1);
      await new Promise((res) => setTimeout(res, retryAfter * 1000 * 0.05 + 20));
      assert.equal((await call('GET', 'api/groups')).status, 200);
    });
  });
}

describe('rate window modes', () => {
  // The limiter on a clock the test moves, so the window arithmetic is exact however busy the
  // machine is: a 60 s window of 3 requests, two at once and one half a window later.
  function limiter(mode: 'fixed' | 'sliding', windowSeconds = 60, limit = 3) {
    let now = 1_000_000;
    const l = new RateLimiter({ limit: () => limit, timeScale: () => 1, mode: () => mode, windowSeconds: () => windowSeconds }, () => now);
    return { l, advance: (ms: number) => void (now += ms) };
  }
  function afterWindowCloses(mode: 'fixed' | 'sliding'): boolean[] {
    const { l, advance } = limiter(mode);
    assert.ok(l.take('t').ok && l.take('t').ok);
    advance(30_000);
    assert.ok(l.take('t').ok);
    assert.equal(l.take('t').ok, false, 'the window is full');
    advance(30_001); // just after the first window closes
    return [l.take('t').ok, l.take('t').ok, l.take('t').ok];
  }

  test('fixed (the default): the count starts again when the window closes', () => {
    assert.equal(defaultFakeOptions.rateWindow, 'fixed');
    assert.deepEqual(afterWindowCloses('fixed'), [true, true, true]);
  });

  test('sliding: each request ages out on its own', () => {
    assert.deepEqual(afterWindowCloses('sliding'), [true, true, false]);
  });

  test('fixed: Retry-After is the wait for the whole window to close (the documented 119 s in a 2-minute window)', () => {
    const { l, advance } = limiter('fixed', 120, 2);
    assert.ok(l.take('t').ok);
    advance(1_000);
    assert.ok(l.take('t').ok);
    assert.deepEqual(l.take('t'), { ok: false, retryAfter: 119 });
  });

  test('over HTTP a refused request says how long to wait, never longer than the window', async () => {
    fake.setOptions({ rateWindow: 'fixed', requestsPerMinute: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await call('GET', 'api/groups')).status, 200);
    const r = await call('GET', 'api/groups');
    assert.equal(r.status, 429);
    const retryAfter = Number(r.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  });
});

describe('imports', () => {
  test('an all-upsert batch is an import: over the import limit it gets 429 with Retry-After', async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    assert.equal((await call('POST', 'api/batch', { requests: upserts(2, 'a') })).status, 200);
    assert.equal((await call('POST', 'api/batch', { requests: upserts(2, 'b') })).status, 200);
    const third = await call('POST', 'api/batch', { requests: upserts(2, 'c') });
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    assert.equal(fake.account(TOKEN).subscriber('c0@example.org'), undefined);
    // A batch with anything but upserts is not an import.
    const mixed = await call('POST', 'api/batch', { requests: [...upserts(1, 'd'), { method: 'GET', path: 'api/groups' }] });
    assert.equal(mixed.status, 200);
  });
});

describe('batch counting switch', () => {
  test("'one': a batch of N takes one request slot", async () => {
    fake.setOptions({ requestsPerMinute: 20, batchCounting: 'one' });
    const r = await call('POST', 'api/batch', { requests: Array.from({ length: 6 }, () => ({ method: 'GET', path: 'api/groups' })) });
    assert.equal(r.headers.get('x-ratelimit-remaining'), '19');
  });

  test("'per-item': a batch of N takes N slots; items past the limit get 429 inside the 200", async () => {
    fake.setOptions({ requestsPerMinute: 4, batchCounting: 'per-item' });
    const r = await call('POST', 'api/batch', { requests: Array.from({ length: 6 }, () => ({ method: 'GET', path: 'api/groups' })) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.responses.map((x: any) => x.code), [200, 200, 200, 200, 429, 429]);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
  });
});

describe('fault injection', () => {
  test('5xx on the Nth matching call, then normal again', async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    fake.inject({ path: '/api/groups', nth: 2, status: 503 });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await call('GET', 'api/groups')).status);
    assert.deepEqual(codes, [200, 503, 200]);
  });

  test('429 on the Nth call carries Retry-After and rate-limit headers', async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    fake.inject({ nth: 1, status: 429, retryAfter: 7 });
    const r = await call('GET', 'api/groups');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.ok(r.headers.get('x-ratelimit-limit'));
  });

  test('a slow answer outlives a client timeout, and the work is still done', async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    fake.inject({ method: 'POST', path: '/api/subscribers', delayMs: 300 });
    await assert.rejects(call('POST', 'api/subscribers', { email: 'slow@example.org' }, AbortSignal.timeout(50)), { name: 'TimeoutError' });
    await new Promise((res) => setTimeout(res, 350));
    assert.ok(fake.account(TOKEN).subscriber('slow@example.org'));
  });

  test("scope 'item' fails chosen batch items only", async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    fake.inject({ scope: 'item', path: '/api/subscribers', nth: 2, times: 2, status: 500 });
    const r = await call('POST', 'api/batch', { requests: upserts(4, 'i') });
    assert.deepEqual(r.body.responses.map((x: any) => x.code), [201, 500, 500, 201]);
    assert.equal(fake.account(TOKEN).subscriber('i1@example.org'), undefined);
  });

  test('garble: the call is carried out, its 200 answer is half a JSON document or a batch answer one short', async () => {
    fake.setOptions({ requestsPerMinute: 100 });
    fake.inject({ method: 'POST', path: '/api/subscribers', garble: 'invalid-json' });
    const res = await fetch(`${fake.url}/api/subscribers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cut@example.org' }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const text = await res.text();
    assert.ok(text.startsWith('{"data":'), text);
    assert.throws(() => JSON.parse(text), SyntaxError);
    assert.ok(fake.account(TOKEN).subscriber('cut@example.org'), 'the upsert was carried out');

    fake.inject({ path: '/api/batch', garble: 'short-batch' });
    const short = await call('POST', 'api/batch', { requests: upserts(3, 's') });
    assert.equal(short.status, 200);
    assert.deepEqual(short.body.responses.map((x: any) => x.code), [201, 201]);
    assert.ok(fake.account(TOKEN).subscriber('s2@example.org'), 'the third item was carried out, its answer dropped');
    const again = await call('POST', 'api/batch', { requests: upserts(1, 'n') });
    assert.equal(again.body.responses.length, 1, 'once only');
  });
});
