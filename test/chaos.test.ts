/**
 * Chaos: a proxy between one account's client and the MailerLite fake resets connections (before
 * and after the call was carried out), garbles 200 answers, cuts a batch answer short, stalls past
 * the client's timeout, and answers 429 without Retry-After or with an HTTP-date one, while records
 * flow. Every acknowledged record ends done or dead with a true reason, no contact is written twice
 * (a write is sent again only after a fresh look-up shows it is needed), and another account on the same engine drains as
 * if nothing happened. Seeded, so a failure can be replayed; the figures are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { LoggedRequest } from '../adapters/mailerlite/index.ts';
import { allErrors } from '../engine/errors.ts';
import { signupNo, workerRig, type Rig } from './support/worker-rig.ts';

const SEED = 20261203;
const CONTACTS = 120;
const TIME_SCALE = 0.05; // a MailerLite minute lasts 3 s
const CLIENT_TIMEOUT_MS = 400;

/** mulberry32: small, seeded, good enough to pick faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fault = 'reset-before' | 'reset-after' | 'garble' | 'short-batch' | 'stall' | '429-bare' | '429-date' | 'none';

const FAULTS: [Fault, number][] = [
  ['reset-before', 0.07], ['reset-after', 0.07], ['garble', 0.07], ['short-batch', 0.07],
  ['stall', 0.06], ['429-bare', 0.06], ['429-date', 0.06],
];

function pick(random: () => number): Fault {
  let x = random();
  for (const [fault, p] of FAULTS) {
    if (x < p) return fault;
    x -= p;
  }
  return 'none';
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function holdsWrites(payload: Buffer): boolean {
  try {
    const requests = (JSON.parse(payload.toString('utf8')) as { requests?: { method?: string }[] }).requests;
    return Array.isArray(requests) && requests.some((r) => r.method !== 'GET');
  } catch {
    return false;
  }
}

/** The faulty network: forwards to the fake unless the fault says otherwise. */
async function chaosProxy(target: string, random: () => number, seen: Map<Fault, number>): Promise<{ url: string; server: Server }> {
  const opening: Fault[] = FAULTS.map(([f]) => f);
  const server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      // Every kind once first, each on a batch holding writes (so each is surely met where a
      // careless re-send would write twice), then at random.
      const fault = (holdsWrites(payload) ? opening.shift() : undefined) ?? pick(random);
      seen.set(fault, (seen.get(fault) ?? 0) + 1);
      if (fault === 'reset-before') return req.socket.destroy();
      if (fault === '429-bare') return res.writeHead(429, { 'content-type': 'application/json' }).end('{"message":"Too Many Attempts."}');
      if (fault === '429-date') {
        const at = new Date(Date.now() + 2_000).toUTCString();
        return res.writeHead(429, { 'content-type': 'application/json', 'retry-after': at }).end('{"message":"Too Many Attempts."}');
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const init: RequestInit = { method: req.method ?? 'GET', headers };
      if (payload.length > 0) init.body = payload;
      const answer = await fetch(new URL(req.url ?? '/', target), init);
      let text = await answer.text();
      if (fault === 'reset-after') return req.socket.destroy(); // carried out; the answer is lost
      if (fault === 'stall') await new Promise((r) => setTimeout(r, CLIENT_TIMEOUT_MS * 2));
      if (answer.status === 200 && fault === 'garble') text = text.slice(0, Math.floor(text.length / 2));
      if (answer.status === 200 && fault === 'short-batch' && (req.url ?? '').includes('batch')) {
        const parsed = JSON.parse(text) as { responses?: unknown[] };
        if (Array.isArray(parsed.responses) && parsed.responses.length > 0) parsed.responses.pop();
        text = JSON.stringify(parsed);
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
      });
      if (!res.destroyed) res.writeHead(answer.status, out).end(text);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${addr.port}`, server };
}

/**
 * Writes MailerLite carried out (POST/PUT answered 2xx, batched or not), per subscriber: named by
 * the email in the body or the id in the path, ids mapped to their emails.
 */
function writesBySubscriber(requests: LoggedRequest[], emailOf: Map<string, string>): Map<string, number> {
  const calls = requests.flatMap((q) => q.items ?? (q.path.startsWith('/api/batch') ? [] : [{ ...q, path: q.path.replace(/^\/+/, '') }]));
  const out = new Map<string, number>();
  for (const call of calls) {
    if ((call.method !== 'POST' && call.method !== 'PUT') || call.status < 200 || call.status >= 300) continue;
    if (!call.path.startsWith('api/subscribers')) continue;
    const id = call.path.split('/')[2]?.split('?')[0];
    const key = (call.body as { email?: string } | undefined)?.email ?? (id ? emailOf.get(id) ?? id : '?');
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

const GROUPS = { groups: ['Newsletter', 'Members', 'Flipcause'] };
const OPTIONS = {
  timeScale: TIME_SCALE,
  timeoutMs: CLIENT_TIMEOUT_MS,
  inRequestRetries: 3,
  worker: { now: Date.now, idleMs: 50, backoff: { baseMs: 100, maxMs: 400, maxAttempts: 12 }, roundBackoff: { baseMs: 10, maxMs: 100 } },
};

async function drained(rigs: Rig[], limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (const r of rigs) {
    while ((await r.store.records({ flow: 'w', status: 'pending' })).length > 0) {
      assert.ok(Date.now() < until, 'the records did not drain');
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

test('chaos: resets, garbled and short answers, stalls and 429s on one account; every acknowledged record ends done or dead with a true reason, the other account unaffected', async () => {
  const seen = new Map<Fault, number>();
  let proxy: Server | undefined;
  const chaos = await workerRig(GROUPS, {
    ...OPTIONS,
    via: async (target) => {
      const p = await chaosProxy(target, seeded(SEED), seen);
      proxy = p.server;
      return p.url;
    },
  });
  // A generous timeout: a busy machine must not pass for a fault on the calm account.
  const calm = await workerRig(GROUPS, { ...OPTIONS, timeoutMs: 10_000 });
  const started = Date.now();
  try {
    chaos.worker.start();
    calm.worker.start();
    for (let i = 0; i < CONTACTS; i++) {
      await chaos.ingest(signupNo(`chaos${i}@example.org`, i));
      await calm.ingest(signupNo(`calm${i}@example.org`, i));
      chaos.worker.wake();
      calm.worker.wake();
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 20)); // records keep flowing
    }
    await drained([chaos, calm], 120_000);
    const drainMs = Date.now() - started;
    await Promise.all([chaos.worker.stop(), calm.worker.stop()]);

    const acknowledged = CONTACTS * 2;
    const records = await chaos.store.records({ flow: 'w', limit: 1000 });
    assert.equal(records.length, acknowledged);
    const done = records.filter((x) => x.status === 'done');
    const dead = records.filter((x) => x.status === 'dead');
    assert.equal(done.length + dead.length, acknowledged, 'every acknowledged record ends done or dead');
    const codes = allErrors();
    for (const d of dead) {
      assert.ok(d.errorCode && codes.has(d.errorCode), `a dead letter names a defined code: ${d.errorCode}`);
      assert.ok(d.reason && d.reason.length > 0);
    }
    // A done contact is in MailerLite; a dead one says why (retries exhausted naming the last error).
    const subscribers = new Set(chaos.fake.account(chaos.token).subscribers().map((s) => (s as { email: string }).email));
    const doneEmails = new Set(done.filter((x) => x.outcome === 'created' || x.outcome === 'updated').map((x) => (x.raw as { PD_email?: string; email?: string })).map((raw) => raw.PD_email ?? raw.email));
    for (const email of doneEmails) assert.ok(subscribers.has(email!), 'a record marked done is in MailerLite');

    // Duplicate writes: carried-out writes beyond the one a new contact needs. A batch holding
    // writes whose answer was lost is never sent again within the request; the durable retry looks
    // the subscriber up first, and a create that landed whole needs nothing more.
    const everyone = chaos.fake.account(chaos.token).subscribers() as { id: string | number; email: string }[];
    const emailOf = new Map(everyone.map((x) => [String(x.id), x.email]));
    const writes = writesBySubscriber(chaos.fake.requests(chaos.token), emailOf);
    const duplicates = [...writes.values()].reduce((n, w) => n + Math.max(0, w - 1), 0);
    assert.deepEqual([...writes].filter(([, w]) => w > 1).map(([email]) => email), [], 'no contact written twice');
    assert.equal(writes.size, subscribers.size, 'every contact in MailerLite was written once');
    const creates = chaos.fake.requests(chaos.token).flatMap((q) => q.items ?? []).filter((i) => i.status === 201);
    assert.ok(creates.length <= CONTACTS, 'no contact created twice');

    const calmRecords = await calm.store.records({ flow: 'w', limit: 1000 });
    assert.ok(calmRecords.every((x) => x.status === 'done'), 'the other account: all done');
    assert.equal(calm.fake.account(calm.token).subscribers().length, CONTACTS);
    assert.ok(calmRecords.every((x) => x.attempts <= 1), 'the other account: no retries');

    const faults = [...seen].filter(([f]) => f !== 'none').map(([f, n]) => `${f} ${n}`).join(', ');
    console.log(`chaos figures: acknowledged ${acknowledged}, done ${done.length}, dead ${dead.length}, duplicate writes ${duplicates}, drain ${drainMs} ms; faults: ${faults}`);
    assert.deepEqual([...seen.keys()].filter((f) => f !== 'none').sort(), FAULTS.map(([f]) => f).sort(), 'every kind of fault was injected');
  } finally {
    await Promise.all([chaos.worker.stop(), calm.worker.stop()]);
    proxy?.close();
    await chaos.close();
    await calm.close();
  }
});
