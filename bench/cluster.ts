/**
 * Several instances on PostgreSQL. Durable intake (signed deliveries, one new record each,
 * committed before the 200) on SQLite, on PostgreSQL with one instance, and with two instances
 * sharing the database, each load driven with the same settings in the same run, alternating.
 * Then failover: two instances drain one account's backlog from the MailerLite fake; the owner
 * is killed with SIGKILL, and the time until the account's next write (from the other instance)
 * is measured, several times. PostgreSQL runs embedded, with fsync on, like SQLite's FULL sync.
 * Instances are the built CLI (`npm run build`), as operators run them.
 *
 * Run alone: npm run build && node --import tsx bench/cluster.ts
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { startInstance, stopped, type Instance } from '../test/support/cluster.ts';
import { startEmbeddedPostgres } from '../test/support/postgres.ts';
import { fmt, flowYaml, median, SECRET, sleep, syntheticRecord, writeFlow, type Row } from './common.ts';

const REPS = 3;
const SECONDS = 3;
const CONNECTIONS = 32;
const FAILOVERS = 5;
const LEASE_SECONDS = 3;
const KEY = 'bench-cluster-key';

let counter = 0;

/** Deliveries/s answered 200 by these instances together, the load split evenly between them. */
async function intake(urls: readonly string[]): Promise<{ rps: number; failed: number }> {
  const results = await Promise.all(urls.map((url) => autocannon({
    url,
    connections: Math.ceil(CONNECTIONS / urls.length),
    duration: SECONDS,
    timeout: 5,
    requests: [{
      method: 'POST',
      path: '/hooks/bench',
      setupRequest: (req) => {
        const body = JSON.stringify([syntheticRecord(counter++)]);
        return { ...req, body, headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': signBody(body, SECRET) } };
      },
    }],
  })));
  return {
    rps: results.reduce((n, r) => n + r['2xx'] / r.duration, 0),
    failed: results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
  };
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const server = await startEmbeddedPostgres({ durable: true });
  const admin = new pg.Client({ connectionString: server.url });
  const started: Instance[] = [];
  const env = { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: KEY };
  const start = async (flows: string, store: string): Promise<Instance> => {
    const i = await startInstance({ flows, store, leaseSeconds: LEASE_SECONDS, env });
    started.push(i);
    return i;
  };
  try {
    await admin.connect();
    await admin.query('CREATE DATABASE bench_intake');
    await admin.query('CREATE DATABASE bench_failover');
    const dbUrl = (name: string): string => Object.assign(new URL(server.url), { pathname: `/${name}` }).toString();

    // Intake: the flow waits an hour and points at a closed port, so no worker competes.
    const quiet = join(dir, 'quiet');
    writeFlow(quiet, 'bench', flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 3600, baseUrl: 'http://127.0.0.1:9' }));
    const sqlite = await start(quiet, join(dir, 'engine.sqlite'));
    const pgOne = await start(quiet, dbUrl('bench_intake'));
    const pgTwo = await start(quiet, dbUrl('bench_intake'));
    const setups: [string, string[]][] = [['sqlite', [sqlite.url]], ['pg1', [pgOne.url]], ['pg2', [pgOne.url, pgTwo.url]]];
    const runs = new Map<string, number[]>(setups.map(([k]) => [k, []]));
    let failed = 0;
    for (const [, urls] of setups) await intake(urls); // warm-up: JIT, pages, pools
    for (let r = 0; r < REPS; r++) {
      for (const [k, urls] of setups) {
        const l = await intake(urls);
        runs.get(k)!.push(l.rps);
        failed += l.failed;
      }
    }
    for (const i of started.splice(0)) await stopped(i.proc, 'SIGTERM');

    // Failover: a backlog far longer than the run, drained by whichever instance owns the account.
    const fake = await startFakeMailerLite({ accounts: { [KEY]: { groups: ['Newsletter', 'Donors'] } } });
    const times: number[] = [];
    try {
      const busy = join(dir, 'busy');
      writeFlow(busy, 'bench', flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 0, baseUrl: fake.url }));
      const store = dbUrl('bench_failover');
      const pair = [await start(busy, store), await start(busy, store)];
      await intake([pair[0]!.url]);
      const db = new pg.Client({ connectionString: store });
      await db.connect();
      // The killed owner sends nothing more: the account's next call is the new owner's.
      const firstCallAfter = (t: number): number | undefined => fake.requests(KEY).find((r) => r.at > t)?.at;
      try {
        for (let f = 0; f < FAILOVERS; f++) {
          await sleep(1_500);
          const { rows } = await db.query<{ owner: string }>('SELECT owner FROM account_leases');
          const pid = Number(rows[0]?.owner.split(':')[1]);
          const victim = pair.findIndex((i) => i.proc.pid === pid);
          if (victim < 0) throw new Error('no instance owns the account');
          const killedAt = Date.now();
          await stopped(pair[victim]!.proc, 'SIGKILL');
          const until = killedAt + LEASE_SECONDS * 1000 * 4;
          while (firstCallAfter(killedAt) === undefined && Date.now() < until) await sleep(10);
          const resumed = firstCallAfter(killedAt);
          if (resumed === undefined) throw new Error('the account was not resumed by the other instance');
          times.push(resumed - killedAt);
          pair[victim] = await start(busy, store);
        }
      } finally {
        await db.end();
      }
    } finally {
      for (const i of started.splice(0)) await stopped(i.proc, 'SIGKILL');
      await fake.close();
    }

    const rps = (k: string): number => median(runs.get(k)!);
    const setting = `${CONNECTIONS} connections, ${SECONDS} s, median of ${REPS}`;
    return [
      { bench: 'cluster', metric: `durable intake, deliveries/s (${setting}): SQLite, one process`, value: fmt(rps('sqlite')) },
      { bench: 'cluster', metric: 'durable intake, deliveries/s: PostgreSQL (embedded, fsync on), one instance', value: fmt(rps('pg1')) },
      { bench: 'cluster', metric: 'durable intake, deliveries/s: PostgreSQL, two instances on one database (load split between them)', value: fmt(rps('pg2')) },
      { bench: 'cluster', metric: 'PostgreSQL two instances ÷ one; one instance ÷ SQLite', value: `${fmt(rps('pg2') / rps('pg1'), 2)} / ${fmt(rps('pg1') / rps('sqlite'), 2)}` },
      { bench: 'cluster', metric: 'deliveries not answered 200 (all cluster intake runs)', value: fmt(failed), target: '0', met: failed === 0 },
      {
        bench: 'cluster',
        metric: `failover: SIGKILL of the account's owner → the account's next MailerLite call, from the other instance, lease ${LEASE_SECONDS} s: p50 / max ms (${times.length} kills)`,
        value: `${fmt(median(times))} / ${fmt(Math.max(...times))}`,
        target: `≤ lease + 2 heartbeats (${fmt(LEASE_SECONDS * 1000 * (1 + 2 / 3))} ms)`,
        met: Math.max(...times) <= LEASE_SECONDS * 1000 * (1 + 2 / 3),
      },
    ];
  } finally {
    for (const i of started) await stopped(i.proc, 'SIGKILL');
    await admin.end().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
  process.exit(0);
}
