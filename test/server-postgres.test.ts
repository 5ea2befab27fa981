/**
 * The server on PostgreSQL, and what goes wrong there: a database that cannot commit answers
 * 503 with nothing stored and recovers by itself; a connection cut in the middle of a commit
 * refuses the delivery, whose resend is stored once; a database written by a newer engine is
 * refused at start; two instances serving different flow sets both serve, and status shows it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../engine/log/logger.ts';
import { startServer } from '../engine/server/server.ts';
import { PG_SCHEMA_VERSION } from '../engine/store/postgres-migrations.ts';
import { flowYaml, startHarness, TOKEN, SECRET } from './support/harness.ts';
import { runEngine } from './support/cli.ts';
import { postgresForTests, queryOnce } from './support/postgres.ts';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';

const postgres = postgresForTests();
const ADMIN = 'pg-admin-token';

function contact(n: number): Record<string, unknown> {
  return {
    webhook_record_id: String(500_000 + n), webhook_trigger_type: 'new_contact', user_id: '638', contact_id: `CID638-${n}`,
    first_name: 'Pg', last_name: `Tester${n}`, email: `pg.tester.${n}@example.org`, created_on: '2026-11-08 15:40:11',
  };
}

async function count(url: string): Promise<number> {
  return (await queryOnce<{ n: number }>(url, 'SELECT count(*)::int AS n FROM records'))[0]!.n;
}

test('a database that cannot commit: deliveries get 503 with nothing stored, /readyz says why, and both recover by themselves', async () => {
  const url = await postgres.freshDatabase();
  const name = new URL(url).pathname.slice(1);
  const maintenance = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  const h = await startHarness({
    flows: { pgflow: flowYaml('pgflow', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }) },
    server: { store: { kind: 'postgres', url }, leaseMs: 1_000 },
  });
  try {
    assert.equal((await h.send('pgflow', [contact(1)])).status, 200);
    await h.settled();
    // The database goes away for this engine: new connections refused, open ones cut.
    await queryOnce(maintenance, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await queryOnce(maintenance, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    const refused = await h.send('pgflow', [contact(2), contact(3)]);
    assert.equal(refused.status, 503);
    assert.equal(((await refused.json()) as { code: string }).code, 'ENGINE_ERR_STORE_UNAVAILABLE');
    const ready = await fetch(`${h.server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { store: { writable: boolean } }).store.writable, false);

    await queryOnce(maintenance, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    assert.equal(await count(url), 1, 'nothing of the refused delivery was stored');
    assert.equal((await fetch(`${h.server.url}/readyz`)).status, 200, 'ready again without a restart');
    const resent = await h.send('pgflow', [contact(2), contact(3)]);
    assert.equal(resent.status, 200);
    assert.deepEqual(await resent.json(), { accepted: 2, duplicates: 0 });
    await h.settled(20_000);
    assert.deepEqual(h.fake.account(TOKEN).subscribers().map((s) => s.email).sort(), [1, 2, 3].map((n) => `pg.tester.${n}@example.org`));
  } finally {
    await queryOnce(maintenance, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await h.close();
  }
});

test('a connection cut in the middle of a commit: the delivery is refused, and its resend is stored once', async () => {
  const url = await postgres.freshDatabase();
  const h = await startHarness({
    flows: { pgflow: flowYaml('pgflow', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }) },
    server: { store: { kind: 'postgres', url } },
  });
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE records IN EXCLUSIVE MODE');
    const delivery = [contact(10), contact(11)];
    const answer = h.send('pgflow', delivery);
    let pid: number | undefined;
    while (pid === undefined) {
      const rows = await queryOnce<{ pid: number }>(url, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO records%'`);
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
    const res = await answer;
    assert.equal(res.status, 503, 'refused, not acknowledged');
    await blocker.query('ROLLBACK');
    assert.equal(await count(url), 0, 'and nothing of it committed');
    const again = await h.send('pgflow', delivery);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { accepted: 2, duplicates: 0 });
    assert.deepEqual(await (await h.send('pgflow', delivery)).json(), { accepted: 0, duplicates: 2 }, 'a second resend is absorbed');
  } finally {
    await blocker.end();
    await h.close();
  }
});

test('engine serve refuses a database written by a newer engine, naming both versions', async () => {
  const url = await postgres.freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'engine-pg-newer-'));
  try {
    mkdirSync(join(dir, 'flows', 'pgflow'), { recursive: true });
    writeFileSync(join(dir, 'flows', 'pgflow', 'flow.yaml'), flowYaml('pgflow', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }));
    await queryOnce(url, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    await queryOnce(url, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from a newer engine')`, [PG_SCHEMA_VERSION + 1]);
    const run = await runEngine(['serve', '--flows', join(dir, 'flows'), '--store', url, '--port', '0', '--no-watch'], {
      add: { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, LOG_LEVEL: 'error' },
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`schema is version ${PG_SCHEMA_VERSION + 1}, newer than this engine knows \\(${PG_SCHEMA_VERSION}\\)`));
    assert.doesNotMatch(run.stderr, /engine-test-password/, 'the password is not printed');
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'one line, not a stack');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two instances with different flow sets both serve, and status from either shows the whole fleet and the difference', async () => {
  const url = await postgres.freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'engine-pg-sets-'));
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'] } } });
  // Both flows on one MailerLite account, each with its own signing secret.
  const write = (set: string, flow: string): void => {
    mkdirSync(join(dir, set, flow), { recursive: true });
    writeFileSync(join(dir, set, flow, 'flow.yaml'), flowYaml(flow, 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] })
      .replace('TEST_FLIPCAUSE_SECRET', `SECRET_${flow.toUpperCase()}`));
  };
  write('a', 'alpha');
  write('a', 'beta');
  write('b', 'alpha');
  const start = (set: string) => startServer({
    flows: [join(dir, set)], store: { kind: 'postgres', url }, port: 0, log: silentLogger, adminToken: ADMIN, leaseMs: 2_000,
    env: { SECRET_ALPHA: SECRET, SECRET_BETA: `${SECRET}-beta`, TEST_MAILERLITE_KEY: TOKEN },
    override: (flow) => ({ ...flow, destination: { mailerlite: { ...flow.destination.mailerlite, base_url: fake.url } } }),
    worker: { idleMs: 20 },
  });
  const [a, b] = [await start('a'), await start('b')];
  const send = (base: string, flow: string, n: number): Promise<Response> => {
    const body = JSON.stringify([contact(n)]);
    const secret = flow === 'beta' ? `${SECRET}-beta` : SECRET;
    return fetch(`${base}/hooks/${flow}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-flipcause-hmac-sha256': signBody(body, secret) }, body });
  };
  try {
    assert.equal((await send(a.url, 'beta', 20)).status, 200);
    assert.equal((await send(b.url, 'alpha', 21)).status, 200);
    assert.equal((await send(b.url, 'beta', 22)).status, 404, 'b does not serve beta');
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await a.store.stats()).some((s) => s.pending > 0)) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await a.store.stats()).map((s) => [s.flow, s.done]), [['alpha', 1], ['beta', 1]], 'every flow drained');
    const account = a.fleet.flow('beta')!.accountKey;
    assert.equal(a.fleet.ownership.owns(account), true, 'the instance serving more of the account\'s flows drains it');
    const owned = async (base: string): Promise<string | undefined> => (await (await fetch(`${base}/metrics`)).text())
      .match(new RegExp(`^engine_account_owned\\{account="${escapeRegExp(account)}"\\} (\\d+)$`, 'm'))?.[1];
    assert.deepEqual([await owned(a.url), await owned(b.url)], ['1', '0'], 'each instance says whether it drains the account it serves');

    const status = await runEngine(['status', '--url', b.url, '--token', ADMIN]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^beta\s+0\s+1\s+0\s+served only by \S+/m, 'b lists the flow only a serves');
    assert.match(status.stdout, /2 instances on this store/);
    assert.match(status.stdout, new RegExp(`${escapeRegExp(b.cluster!.instanceId)} does not serve: beta`));
    const json = JSON.parse((await runEngine(['status', '--url', a.url, '--token', ADMIN, '--format', 'json'])).stdout) as {
      instances: { id: string; this: boolean; accounts_drained: string[] }[];
    };
    assert.deepEqual(json.instances.map((i) => i.this).sort(), [false, true]);
    assert.deepEqual(json.instances.map((i) => [i.this, i.accounts_drained.length]).sort(), [[false, 0], [true, 1]], 'a drains the one account');
  } finally {
    await a.close();
    await b.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
