/**
 * Issue 12, case 10, the killed process: MailerLite carries out a create, and `engine serve` is
 * killed (SIGKILL) before its answer arrives, so the store records nothing of the attempt. The
 * engine restarted on the same SQLite file must still end the record "created" (purge-test-contacts
 * deletes only what a flow created) without writing to MailerLite again. The built CLI is run as
 * an operator runs it; a proxy in front of the MailerLite fake withholds the create's answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite, type LoggedRequest } from '../adapters/mailerlite/index.ts';
import { runEngine } from './support/cli.ts';
import { freePort } from './support/free-port.ts';
import { flowYaml, SECRET, TOKEN } from './support/harness.ts';
import { untilValue } from './support/until.ts';

const EMAIL = 'killed.create@example.org';
const ENV = { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN };

const isCreate = (c: { method: string; path: string }): boolean => c.method === 'POST' && /^\/?api\/subscribers\/?$/.test(c.path);

/** Every create MailerLite received, batched or not, whatever it answered. */
const creates = (requests: LoggedRequest[]): number =>
  requests.flatMap((q) => q.items ?? (q.path.startsWith('/api/batch') ? [] : [q])).filter(isCreate).length;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function carriesCreate(path: string, method: string, payload: Buffer): boolean {
  if (isCreate({ method, path })) return true;
  try {
    const requests = (JSON.parse(payload.toString('utf8')) as { requests?: { method?: string; path?: string }[] }).requests;
    return Array.isArray(requests) && requests.some((r) => isCreate({ method: String(r.method).toUpperCase(), path: String(r.path) }));
  } catch {
    return false;
  }
}

/**
 * Forwards to the fake. The first request carrying a create is carried out by the fake, and its
 * answer is withheld for good (`held` resolves then); everything after it passes through.
 */
async function withholdingProxy(target: string): Promise<{ url: string; held: Promise<void>; close(): Promise<void> }> {
  let hold: (() => void) | null = null;
  const held = new Promise<void>((resolve) => (hold = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const init: RequestInit = { method: req.method ?? 'GET', headers };
      if (payload.length > 0) init.body = payload;
      const withhold = hold !== null && carriesCreate(new URL(req.url ?? '/', target).pathname, init.method!, payload);
      const answer = await fetch(new URL(req.url ?? '/', target), init);
      const text = await answer.text();
      if (withhold && hold) {
        const release = hold;
        hold = null;
        return release(); // carried out by MailerLite; the engine never hears back
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
      });
      res.writeHead(answer.status, out).end(text);
    })().catch(() => req.socket.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    held,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
  });
}

async function serve(flows: string, db: string, children: Set<ChildProcess>): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['engine/cli/bin.js', 'serve', '--flows', flows, '--db', db, '--port', String(port), '--no-watch'], {
    env: { ...process.env, ...ENV, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(proc);
  const url = `http://127.0.0.1:${port}`;
  await untilValue('readiness', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined));
  return { proc, url };
}

interface Row { id: number; status: string; outcome: string | null; attempts: number }

function readRecords(db: string): { records: Row[]; history: number; effects: { action: string; subscriber_id: string }[] } {
  const store = new Database(db, { readonly: true });
  try {
    return {
      records: store.prepare(`SELECT id, status, outcome, attempts FROM records WHERE flow = 'killed' ORDER BY id`).all() as Row[],
      history: (store.prepare(`SELECT count(*) AS n FROM history`).get() as { n: number }).n,
      effects: store.prepare(`SELECT action, subscriber_id FROM effects WHERE flow = 'killed'`).all() as { action: string; subscriber_id: string }[],
    };
  } finally {
    store.close();
  }
}

test('lost 201 (issue 12 case 10): SIGKILL after MailerLite carried out a create, before the store recorded it; after a restart the record ends created, the subscriber exists once, one create was sent, and purge-test-contacts deletes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-kill-create-'));
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'] } } });
  const proxy = await withholdingProxy(fake.url);
  const flows = join(dir, 'flows');
  mkdirSync(join(flows, 'killed'), { recursive: true });
  const flowFile = join(flows, 'killed', 'flow.yaml');
  writeFileSync(flowFile, flowYaml('killed', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] })
    .replace('    api_key: ${env:TEST_MAILERLITE_KEY}', `    api_key: \${env:TEST_MAILERLITE_KEY}\n    base_url: ${proxy.url}`));
  const db = join(dir, 'engine.sqlite');
  const children = new Set<ChildProcess>();
  try {
    const first = await serve(flows, db, children);
    const delivery = JSON.stringify([{
      webhook_record_id: '912001', webhook_trigger_type: 'new_contact', user_id: '638', contact_id: 'CID638-2912001',
      first_name: 'Killed', last_name: 'Create', email: EMAIL, created_on: '2026-11-08 15:40:11',
    }]);
    const res = await fetch(`${first.url}/hooks/killed`, { method: 'POST', headers: { 'x-flipcause-hmac-sha256': signBody(delivery, SECRET) }, body: delivery });
    assert.equal(res.status, 200);
    await proxy.held;
    first.proc.kill('SIGKILL');
    await exited(first.proc);

    // The case: MailerLite has the subscriber, the store has nothing of the attempt.
    assert.equal(fake.account(TOKEN).subscribers().length, 1, 'the create was carried out');
    const killed = readRecords(db);
    assert.deepEqual(killed.records.map((r) => [r.status, r.attempts]), [['pending', 0]], 'the kill landed between the send and its record');
    assert.equal(killed.history, 0);
    assert.deepEqual(killed.effects, []);

    const second = await serve(flows, db, children);
    const done = await untilValue('the record finished', () => {
      const now = readRecords(db);
      return now.records.every((r) => r.status !== 'pending') ? now : undefined;
    });
    second.proc.kill('SIGTERM');
    await exited(second.proc);

    const subscribers = fake.account(TOKEN).subscribers().filter((s) => s.email === EMAIL);
    assert.equal(subscribers.length, 1, 'the subscriber exists once');
    const subscriberId = String((subscribers[0] as { id: string }).id);
    assert.deepEqual(done.records.map((r) => [r.status, r.outcome]), [['done', 'created']], 'created by this flow, not "updated"');
    assert.deepEqual(done.effects, [{ action: 'created', subscriber_id: subscriberId }]);
    assert.equal(creates(fake.requests(TOKEN)), 1, 'MailerLite saw exactly one create');

    const listed = await runEngine(['purge-test-contacts', flowFile, '--since', '1h', '--db', db, '--format', 'json'], { add: ENV });
    assert.equal(listed.code, 0, listed.stderr);
    const report = JSON.parse(listed.stdout) as { candidates: { subscriber_id: string }[] };
    assert.deepEqual(report.candidates.map((c) => c.subscriber_id), [subscriberId], 'purge-test-contacts lists it');
    const purged = await runEngine(['purge-test-contacts', flowFile, '--since', '1h', '--db', db, '--yes'], { add: ENV });
    assert.equal(purged.code, 0, purged.stderr);
    assert.equal(fake.account(TOKEN).subscribers().length, 0, 'and deletes it');
  } finally {
    for (const c of children) {
      c.kill('SIGKILL');
      await exited(c);
    }
    await proxy.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
