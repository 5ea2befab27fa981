/**
 * Several instances, one PostgreSQL, no single point of failure: three `engine serve` processes
 * share one database and one MailerLite account; signed deliveries are spread over all three
 * while random instances are killed with SIGKILL (during intake and while draining) and
 * restarted. At the end every acknowledged record is finished and its contact exists once in
 * MailerLite, the account saw no more 429s than one instance restarted as often would cause, and
 * the time from killing the account's owner to the account's next write elsewhere is printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { flowYaml, SECRET, TOKEN } from './support/harness.ts';
import { startInstance, stopped, type Instance } from './support/cluster.ts';
import { postgresForTests } from './support/postgres.ts';
import '../adapters/index.ts';

const postgres = postgresForTests();
const ADMIN = 'cluster-admin-token';
const DELIVERIES = 3_000;
const LEASE_SECONDS = 2;
const KILLS = 6;

function contact(n: number): Record<string, unknown> {
  return {
    webhook_record_id: String(700_000 + n),
    webhook_trigger_type: 'new_contact',
    user_id: '638',
    contact_id: `CID638-${3_000_000 + n}`,
    first_name: 'Cluster',
    last_name: `Tester${n}`,
    email: `cluster.tester.${n}@example.org`,
    created_on: '2026-11-08 15:40:11',
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('three instances on one PostgreSQL, six SIGKILLs: every acknowledged record reaches MailerLite once, the account fails over within the lease', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-cluster-'));
  const store = await postgres.freshDatabase();
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'] } } });
  const flows = join(dir, 'flows');
  mkdirSync(join(flows, 'cluster'), { recursive: true });
  writeFileSync(
    join(flows, 'cluster', 'flow.yaml'),
    flowYaml('cluster', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] })
      .replace('api_key: ${env:TEST_MAILERLITE_KEY}', `api_key: \${env:TEST_MAILERLITE_KEY}\n    base_url: ${fake.url}`),
  );
  const env = { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, ENGINE_ADMIN_TOKEN: ADMIN };
  const start = (): Promise<Instance> => startInstance({ flows, store, leaseSeconds: LEASE_SECONDS, env });
  const db = new pg.Pool({ connectionString: store, max: 2 });
  const instances: (Instance | null)[] = [];
  const acked = new Set<number>();
  const failovers: number[] = [];
  const writesAfterKill: number[] = [];
  let kills = 0;
  try {
    instances.push(...(await Promise.all([start(), start(), start()])));

    // The sender: deliveries of 1 record each, round-robin over the live instances, a few at a
    // time; what got no 200 is sent again (as Flipcause does), to another instance.
    let next = 0;
    const unacked: number[] = [];
    const sender = async (): Promise<void> => {
      let turn = 0;
      while (acked.size < DELIVERIES) {
        const n = unacked.shift() ?? (next < DELIVERIES ? next++ : undefined);
        if (n === undefined) {
          await sleep(20);
          continue;
        }
        const live = instances.filter((i): i is Instance => i !== null);
        const target = live[turn++ % Math.max(1, live.length)];
        const body = JSON.stringify([contact(n)]);
        let ok = false;
        try {
          const res = await fetch(`${target?.url}/hooks/cluster`, {
            method: 'POST', headers: { 'content-type': 'application/json', 'x-flipcause-hmac-sha256': signBody(body, SECRET) }, body,
          });
          ok = res.status === 200;
          await res.arrayBuffer();
        } catch {
          // The instance died mid-request: not acknowledged.
        }
        if (ok) acked.add(n);
        else {
          unacked.push(n);
          await sleep(10);
        }
        await sleep(3); // about 150 deliveries a second over four senders: intake overlaps the kills
      }
    };
    const sending = Promise.all([sender(), sender(), sender(), sender()]);

    const owner = async (): Promise<string | null> => {
      const { rows } = await db.query<{ owner: string }>(`SELECT owner FROM account_leases WHERE expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint`);
      return rows[0]?.owner ?? null;
    };
    const pidOf = (owner: string): number => Number(owner.split(':')[1]);
    // The account's first call to MailerLite after a time (the new owner's: the killed one sends nothing more).
    const firstCallAfter = (t: number): number | undefined => fake.requests(TOKEN).find((r) => r.at > t)?.at;
    const firstWriteAfter = (t: number): number | undefined => fake.requests(TOKEN).find((r) => r.at > t && r.path.startsWith('/api/batch') && r.status === 200)?.at;

    for (let k = 0; k < KILLS; k++) {
      await sleep(1_500 + Math.random() * 2_500);
      // Every other kill is the account's owner while it drains, to measure failover.
      const current = await owner();
      const byOwner = k % 2 === 1 && current !== null ? instances.findIndex((i) => i?.proc.pid === pidOf(current)) : -1;
      const victim = byOwner >= 0 ? byOwner : Math.floor(Math.random() * instances.length);
      const instance = instances[victim]!;
      instances[victim] = null;
      const killedAt = Date.now();
      await stopped(instance.proc, 'SIGKILL');
      kills++;
      if (byOwner >= 0) {
        // Failover: the next write to MailerLite after the kill comes from another instance.
        const pendingBefore = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE status = 'pending'`);
        if ((pendingBefore.rows[0]?.n ?? 0) > 0) {
          const until = Date.now() + 90_000;
          while (firstWriteAfter(killedAt) === undefined && Date.now() < until) await sleep(20);
          const write = firstWriteAfter(killedAt);
          assert.ok(write !== undefined, 'another instance wrote to MailerLite after the owner was killed');
          // Resumed: the new owner's first call. Its first accepted write may wait out the
          // account's rate window, which the killed owner may have just spent: the limit holds.
          failovers.push(firstCallAfter(killedAt)! - killedAt);
          writesAfterKill.push(write - killedAt);
        }
      }
      instances[victim] = await start();
    }
    await sending;

    // Every acknowledged record finishes; any instance answers for the whole fleet.
    const deadline = Date.now() + 240_000;
    let pending = -1;
    while (Date.now() < deadline) {
      const any = instances.find((i) => i !== null)!;
      const res = await fetch(`${any.url}/admin/flows`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const view = (await res.json()) as { flows: { flow: string; pending: number }[] };
      pending = view.flows.find((f) => f.flow === 'cluster')?.pending ?? -1;
      if (pending === 0) break;
      await sleep(250);
    }
    assert.equal(pending, 0, 'records still pending at the end');

    const { rows } = await db.query<{ dedupe_key: string; status: string }>(`SELECT dedupe_key, status FROM records WHERE flow = 'cluster'`);
    const byKey = new Map(rows.map((r) => [r.dedupe_key, r]));
    assert.equal(byKey.size, rows.length, 'each record stored once');
    assert.equal(acked.size, DELIVERIES);
    for (const n of acked) {
      const row = byKey.get(`new_contact:${700_000 + n}`);
      assert.ok(row, `acknowledged record ${n} is in the store`);
      assert.equal(row.status, 'done', `record ${n} finished`);
    }
    const subscribers = new Map<string, number>();
    for (const s of fake.account(TOKEN).subscribers()) subscribers.set(s.email, (subscribers.get(s.email) ?? 0) + 1);
    for (const n of acked) assert.equal(subscribers.get(`cluster.tester.${n}@example.org`), 1, `contact ${n} exists exactly once`);
    assert.equal(subscribers.size, DELIVERIES, 'no contact the sender never sent');

    // Writes repeated by a crash: only a killed instance's batch in flight may be sent again.
    const writes = new Map<string, number>();
    const requests = fake.requests(TOKEN);
    for (const r of requests) {
      for (const item of r.items ?? []) {
        const email = (item.body as { email?: string } | null)?.email;
        if (item.method === 'POST' && email && item.status >= 200 && item.status < 300) writes.set(email, (writes.get(email) ?? 0) + 1);
      }
    }
    const repeated = [...writes.values()].filter((c) => c > 1).length;
    const refused = requests.filter((r) => r.status === 429).length;
    const sorted = [...failovers].sort((a, b) => a - b);
    const writes2 = [...writesAfterKill].sort((a, b) => a - b);
    t.diagnostic(`deliveries ${DELIVERIES}, kills ${kills}, MailerLite requests ${requests.length}, 429s ${refused}, contacts written again ${repeated}`);
    t.diagnostic(`failover (kill of the owner → its account's next call from another instance, lease ${LEASE_SECONDS} s): p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms over ${sorted.length}; → next accepted write: p50 ${writes2[Math.floor(writes2.length / 2)]} ms, max ${writes2.at(-1)} ms`);
    assert.ok(repeated <= kills * 50, `${repeated} contacts written more than once: more than ${kills} killed batches can hold`);
    // One instance draining at a time, each following the account's answers: at most the one
    // request a restarted owner sends before it learns what the last one spent.
    assert.ok(refused <= kills, `${refused} answers 429 for ${kills} kills`);
    assert.ok(failovers.length >= 2, `failover measured ${failovers.length} times`);
    // Bound: the lease, the heartbeat that finds it expired, and a start of the worker.
    assert.ok(Math.max(...failovers) <= LEASE_SECONDS * 1000 * 2 + 3_000, `failover took ${Math.max(...failovers)} ms`);
  } finally {
    await Promise.all(instances.map((i) => (i ? stopped(i.proc, 'SIGKILL') : undefined)));
    await db.end();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
