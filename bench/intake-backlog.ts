/**
 * Intake whatever the backlog: the engine as it runs in production (worker live, MailerLite fake
 * reachable, the default 30 s settle window), with 0, 10k, 50k and 100k records already waiting
 * in the store — the backlog a MailerLite outage or a revoked key leaves (records waiting for their
 * retry time). Every delivery wakes its account's worker, which looks for due records and for its
 * next due time: the cost of that must not grow with the backlog. Bodies are signed before the run,
 * so the client spends its time sending. CPU per delivery is the server process's own user+sys
 * time over the deliveries it answered.
 *
 * Run alone: node --import tsx bench/intake-backlog.ts
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deliveryRequests, signedBodies } from './signed-deliveries.ts';
import { discardLogger, fmt, flowYaml, median, SECRET, syntheticRecord, writeFlow, ACCOUNT_SEED, type Row } from './common.ts';

const BACKLOGS = [0, 10_000, 50_000, 100_000];
const REPS = 3;
const SECONDS = 3;
const CONNECTIONS = 10;
const TOKEN = 'bench-backlog-key';

/** Child: seeds the backlog, then serves one flow against a MailerLite fake in the same process. */
async function serve(backlog: number): Promise<void> {
  const { startFakeMailerLite } = await import('../adapters/mailerlite/index.ts');
  const { openSqliteStore } = await import('../engine/store/sqlite.ts');
  const { startServer } = await import('../engine/server/server.ts');
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: ACCOUNT_SEED } });
  const dir = mkdtempSync(join(tmpdir(), 'bench-backlog-'));
  const db = join(dir, 'engine.sqlite');
  writeFlow(join(dir, 'flows'), 'bench', flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 30, baseUrl: fake.url }));
  const seed = openSqliteStore({ file: db });
  const waitUntil = Date.now() + 3_600_000;
  for (let from = 0; from < backlog; from += 10_000) {
    const records = [];
    for (let i = from; i < Math.min(backlog, from + 10_000); i++) {
      records.push({
        flow: 'bench', dedupeKey: `new_activity:backlog-${i}`, trigger: 'new_activity', raw: syntheticRecord(i),
        subject: `backlog-${i}`, txn: `backlog-${i}`, availableAt: waitUntil,
      });
    }
    await seed.ingest([records], Date.now());
  }
  await seed.close();
  const server = await startServer({
    flows: [join(dir, 'flows')], db, port: 0, log: discardLogger('info'),
    env: { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: TOKEN },
    // After its 1,000th request a connection is told to close (Connection: close), and Node
    // answers 503 to anything sent on it after that. A sender opens a new connection; autocannon
    // keeps sending on the old one, so at 10 connections any run over 3,333 deliveries/s would
    // count the bench client's own requests as refused.
    limits: { maxRequestsPerSocket: 1_000_000 },
  });
  process.send!({ url: server.url });
  process.on('message', (m) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'stop') {
      void server.close().then(async () => {
        await fake.close();
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

function spawn(backlog: number): Promise<{ url: string; proc: ChildProcess }> {
  const proc = fork(fileURLToPath(import.meta.url), ['--serve', String(backlog)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 120_000);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve({ url: (m as { url: string }).url, proc });
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function ask(proc: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    proc.once('message', (m) => resolve((m as { cpu: NodeJS.CpuUsage }).cpu));
    proc.send('cpu');
  });
}

// Signed before any run; every body is a new record (shared counter across all servers).
const ids = { next: 10_000_000 };

async function load(url: string, seconds: number): Promise<{ rps: number; answered: number; failed: number }> {
  const bodies = signedBodies(40_000, ids, () => 1);
  const result = await autocannon({
    url, connections: CONNECTIONS, duration: seconds, timeout: 5,
    requests: deliveryRequests(bodies),
  });
  return { rps: result['2xx'] / result.duration, answered: result['2xx'], failed: result.non2xx + result.errors + result.timeouts };
}

export async function run(): Promise<Row[]> {
  const perBacklog: { backlog: number; rps: number; cpuUs: number; failed: number }[] = [];
  for (const backlog of BACKLOGS) {
    const child = await spawn(backlog);
    const rps: number[] = [];
    const cpu: number[] = [];
    let failed = 0;
    try {
      await load(child.url, 1); // warm-up
      for (let r = 0; r < REPS; r++) {
        const before = await ask(child.proc);
        const l = await load(child.url, SECONDS);
        const after = await ask(child.proc);
        rps.push(l.rps);
        cpu.push((after.user - before.user + after.system - before.system) / Math.max(1, l.answered));
        failed += l.failed;
      }
    } finally {
      await new Promise<void>((resolve) => {
        child.proc.once('exit', () => resolve());
        child.proc.send('stop');
      });
    }
    perBacklog.push({ backlog, rps: median(rps), cpuUs: median(cpu), failed });
  }
  const best = Math.max(...perBacklog.map((p) => p.rps));
  const worst = Math.min(...perBacklog.map((p) => p.rps));
  const spread = best / worst;
  const failed = perBacklog.reduce((n, p) => n + p.failed, 0);
  // CPU per delivery is the cost the backlog must not raise; deliveries/s also moves with
  // whatever else the shared machine runs, so a miss there is read against the CPU row.
  const none = perBacklog[0]!;
  const largest = perBacklog[perBacklog.length - 1]!;
  const cpuGrowth = largest.cpuUs / none.cpuUs;
  const trend = perBacklog.every((p, i) => i === 0 || p.rps <= perBacklog[i - 1]!.rps);
  return [
    ...perBacklog.map((p): Row => ({
      bench: 'intake-backlog',
      metric: `${fmt(p.backlog)} records waiting: deliveries/s; server CPU µs per delivery (worker live, MailerLite reachable, ${CONNECTIONS} connections, median of ${REPS} × ${SECONDS} s)`,
      value: `${fmt(p.rps)}; ${fmt(p.cpuUs)} µs`,
    })),
    {
      bench: 'intake-backlog', metric: `server CPU per delivery, ${fmt(largest.backlog)} waiting ÷ none`, value: `${fmt(cpuGrowth, 2)}×`,
      target: 'flat (≤ 1.2×)', met: cpuGrowth <= 1.2,
    },
    {
      bench: 'intake-backlog', metric: 'fastest ÷ slowest deliveries/s across the backlogs',
      value: `${fmt(spread, 2)}×` + (spread <= 1.2 ? '' : trend ? ' — falls as the backlog grows' : ' — no trend with the backlog (the fastest is not the emptiest store): the shared machine\'s noise; the CPU row is the cost'),
      target: 'flat (≤ 1.2×)', met: spread <= 1.2,
    },
    { bench: 'intake-backlog', metric: 'deliveries not answered 200 (all backlog runs)', value: fmt(failed), target: '0', met: failed === 0 },
  ];
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  await serve(Number(process.argv[serveAt + 1]));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
