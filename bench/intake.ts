/**
 * Durable intake, measured in production form and against an honest baseline, in one run:
 *
 * - production: `engine serve` as it runs for a customer: the worker live, the MailerLite fake
 *   reachable (at its real 120 requests a minute, in the parent process), settle 0, so records
 *   drain while deliveries arrive and every delivery wakes the account's worker;
 * - isolation: the same server with the worker idle (settle one hour, MailerLite at a closed
 *   port): intake alone;
 * - baseline: the least a durable webhook server must do: node:http, the HMAC check, JSON.parse,
 *   and a better-sqlite3 insert (WAL, synchronous=FULL) in a group commit every ~1 ms, 200 only
 *   after the commit;
 * - bare: a fastify route that reads the bytes and answers 200 storing nothing (a ceiling).
 *
 * Each server is a child process; autocannon drives them from this process with the same
 * settings, alternating. Bodies (1–3 records each, every record new) are built and signed before
 * each run, so the client spends its time sending. Server CPU is the child's own user+sys time
 * over the deliveries it answered, every thread of it (the engine's SQLite store runs in a thread
 * of its own). A CPU profile of the production form (the V8 profiler that node --cpu-prof runs,
 * over the load only) gives the functions that take the most of the event loop's thread.
 *
 * Run alone: node --import tsx bench/intake.ts   (--profile-only [production|isolation]: just one profile;
 * --against DIR: the production form of this checkout and of another one (the code before a
 * change), run in turn with the baseline in one run, so both meet the same load on the machine)
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { findSourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deliveryRequests, signedBodies } from './signed-deliveries.ts';
import { hotFunctions, type CpuProfile } from './cpu-profile.ts';
import { ACCOUNT_SEED, discardLogger, fmt, flowYaml, median, pct, SECRET, writeFlow, type Row } from './common.ts';

const REPS = 3;
const SECONDS = 3;
const CONNECTIONS = 50;
const PACED_RATE = 1000;
const PROFILE_SECONDS = 6;
const TOKEN = 'bench-intake-key';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Kind = 'production' | 'isolation' | 'baseline' | 'bare';
const KINDS: Kind[] = ['production', 'isolation', 'baseline', 'bare'];

interface Served {
  url: string;
  close(): Promise<void>;
}

async function serveEngine(production: boolean, fakeUrl: string): Promise<Served> {
  const { startServer } = await import('../engine/server/server.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
  const yaml = production
    ? flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 0, baseUrl: fakeUrl })
    : flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 3600, baseUrl: 'http://127.0.0.1:9' });
  writeFlow(join(dir, 'flows'), 'bench', yaml);
  const server = await startServer({
    flows: [join(dir, 'flows')], db: join(dir, 'engine.sqlite'), port: 0, log: discardLogger('info'),
    env: { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: TOKEN },
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The durable baseline: verify, parse, group-commit every ~1 ms, answer after the commit. */
async function serveBaseline(): Promise<Served> {
  const { default: Database } = await import('better-sqlite3');
  const { createServer } = await import('node:http');
  const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
  const db = new Database(join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE records (key TEXT PRIMARY KEY, raw TEXT NOT NULL, received_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO records (key, raw, received_at) VALUES (?, ?, ?)');
  type Waiting = { rows: [string, string][]; answer: (status: number, body: string) => void };
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;
  const commit = db.transaction((batch: Waiting[], now: number) => {
    let accepted = 0;
    for (const w of batch) for (const [key, raw] of w.rows) accepted += insert.run(key, raw, now).changes;
    return accepted;
  });
  const flush = (): void => {
    timer = null;
    const batch = waiting;
    waiting = [];
    try {
      commit(batch, Date.now());
      for (const w of batch) w.answer(200, `{"accepted":${w.rows.length}}`);
    } catch {
      for (const w of batch) w.answer(503, '{"code":"STORE"}');
    }
  };
  const server = createServer((req, res) => {
    const answer = (status: number, body: string): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = req.headers['x-flipcause-hmac-sha256'];
      const expected = Buffer.from(createHmac('sha256', SECRET).update(body).digest('base64'));
      if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(expected, Buffer.from(given))) return answer(401, '{}');
      let records: unknown;
      try {
        records = JSON.parse(body.toString('utf8'));
      } catch {
        return answer(400, '{}');
      }
      if (!Array.isArray(records)) return answer(400, '{}');
      const rows = records.map((r: Record<string, unknown>): [string, string] => [`${String(r.webhook_trigger_type)}:${String(r.webhook_record_id ?? r.id)}`, JSON.stringify(r)]);
      waiting.push({ rows, answer });
      timer ??= setTimeout(flush, 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function serveBare(): Promise<Served> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Flipcause's "application-json" would be refused with 415: relabelled as the engine does.
  app.addHook('onRequest', async (req) => {
    req.headers['content-type'] = 'application/octet-stream';
  });
  app.post('/hooks/:flow', async (_req, reply) => reply.code(200).send({ accepted: 1, duplicates: 0 }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

/**
 * The profile with each function placed at its line in the TypeScript source: the profiler sees
 * the code tsx transformed, and its source maps (--enable-source-maps) lead back.
 */
function toSource(profile: CpuProfile): CpuProfile {
  for (const { callFrame: f } of profile.nodes) {
    if (!f.url.startsWith('file:')) continue;
    const entry = findSourceMap(f.url)?.findEntry(f.lineNumber, f.columnNumber);
    if (entry && 'originalLine' in entry) {
      f.lineNumber = entry.originalLine;
      f.columnNumber = entry.originalColumn;
    }
  }
  return profile;
}

/**
 * CPU time of the event loop's thread alone, µs (Linux: the main thread's task is the process id;
 * its user and system clock ticks are fields 14 and 15 of its stat). The rest of the process's
 * CPU is its other threads': the engine's store thread, the checkpointer, GC and libuv helpers.
 */
function loopThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

async function serve(kind: Kind, fakeUrl: string): Promise<void> {
  const served = kind === 'baseline' ? await serveBaseline() : kind === 'bare' ? await serveBare() : await serveEngine(kind === 'production', fakeUrl);
  // The V8 CPU profiler (what --cpu-prof runs), started and stopped around the load only, so
  // start-up (module loading) stays out of the profile.
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> => new Promise((resolve, reject) => session.post(method, (err, answer) => (err ? reject(err) : resolve(answer))));
  // How long the event loop was held: a delivery arriving meanwhile waits at least that long.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  process.send!({ url: served.url });
  process.on('message', (m) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage(), loopThreadUs: loopThreadCpuUs() });
    if (m === 'lag') {
      process.send!({ lag: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 } });
      lag.reset();
    }
    if (m === 'profile-start') void post('Profiler.enable').then(() => post('Profiler.start')).then(() => process.send!({ profiling: true }));
    if (m === 'profile-stop') void post('Profiler.stop').then((answer) => process.send!({ profile: toSource((answer as { profile: CpuProfile }).profile) }));
    if (m === 'stop') void served.close().then(() => process.exit(0));
  });
}

interface Child {
  kind: Kind;
  url: string;
  proc: ChildProcess;
}

/** One server as a child process: this checkout's, or (`checkout`) another's bench file serving it. */
export function spawn(kind: Kind, fakeUrl: string, checkout?: string): Promise<Child> {
  const bench = checkout === undefined ? fileURLToPath(import.meta.url) : join(checkout, 'bench', 'intake.ts');
  const proc = fork(bench, ['--serve', kind, fakeUrl], { execArgv: ['--enable-source-maps', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 60_000);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve({ kind, url: (m as { url: string }).url, proc });
    });
    proc.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

export function stop(child: Child): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      resolve();
    }, 20_000);
    child.proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.proc.send('stop');
  });
}

/** The server's CPU so far, µs: the whole process, and its event loop's thread. */
function cpuOf(child: Child): Promise<{ all: number; loop: number }> {
  return new Promise((resolve) => {
    child.proc.once('message', (m) => {
      const { cpu: { user, system }, loopThreadUs } = m as { cpu: NodeJS.CpuUsage; loopThreadUs: number };
      resolve({ all: user + system, loop: loopThreadUs });
    });
    child.proc.send('cpu');
  });
}

// Every record of every run is new: one counter across all servers.
const ids = { next: 0 };

interface Load {
  rps: number;
  p50: number;
  p99: number;
  answered: number;
  failed: number;
  cpuUs: number;
  /** Of which on the event loop's thread, µs per delivery. */
  loopCpuUs: number;
  /** The server's event-loop delay over the run (monitorEventLoopDelay), ms: p99 and the longest. */
  loopP99: number;
  loopMax: number;
}

export async function load(child: Child, opts: { seconds: number; paced?: boolean }): Promise<Load> {
  // 1–3 records a delivery, as Flipcause batches them, built and signed before the run.
  const bodies = signedBodies(opts.paced ? PACED_RATE * opts.seconds + 1000 : 60_000, ids, (i) => 1 + (i % 3));
  await ask(child, 'lag', 'lag'); // resets the child's event-loop delay histogram
  const before = await cpuOf(child);
  const result = await autocannon({
    url: child.url,
    connections: opts.paced ? 10 : CONNECTIONS,
    duration: opts.seconds,
    timeout: 5,
    ...(opts.paced ? { overallRate: PACED_RATE } : {}),
    requests: deliveryRequests(bodies),
  });
  const after = await cpuOf(child);
  const lag = await ask<{ p99: number; max: number }>(child, 'lag', 'lag');
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    answered: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    cpuUs: (after.all - before.all) / Math.max(1, result['2xx']),
    loopCpuUs: (after.loop - before.loop) / Math.max(1, result['2xx']),
    loopP99: lag.p99,
    loopMax: lag.max,
  };
}

export function ask<T>(child: Child, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: unknown): void => {
      if (typeof m !== 'object' || m === null || !(key in m)) return;
      child.proc.off('message', listener);
      resolve((m as Record<string, T>)[key]!);
    };
    child.proc.on('message', listener);
    child.proc.send(message);
  });
}

/** One engine form under the CPU profiler, over a load only: its top functions. */
export async function profile(fakeUrl: string, kind: 'production' | 'isolation' = 'production'): Promise<Row[]> {
  const child = await spawn(kind, fakeUrl);
  let answered = 0;
  let recorded: CpuProfile;
  try {
    await load(child, { seconds: 1 });
    await ask(child, 'profile-start', 'profiling');
    answered = (await load(child, { seconds: PROFILE_SECONDS })).answered;
    recorded = await ask<CpuProfile>(child, 'profile-stop', 'profile');
  } finally {
    await stop(child);
  }
  const { self, total, busyMs } = hotFunctions(recorded, ROOT, 8);
  const bench = `intake-profile-${kind}`;
  return [
    { bench, metric: `${kind === 'production' ? 'production form' : 'isolation'} under the V8 CPU profiler (the event loop's thread), ${PROFILE_SECONDS} s at ${CONNECTIONS} connections: busy CPU ms; deliveries answered; busy µs per delivery`, value: `${fmt(busyMs)} ms; ${fmt(answered)}; ${fmt((busyMs * 1000) / Math.max(1, answered))} µs` },
    ...self.map((f, i): Row => ({ bench, metric: `self time #${i + 1}: ${f.where}`, value: pct(f.share) })),
    ...total.map((f, i): Row => ({ bench, metric: `total time, project code #${i + 1}: ${f.where}`, value: pct(f.share) })),
  ];
}

export async function run(): Promise<Row[]> {
  const { startFakeMailerLite } = await import('../adapters/mailerlite/index.ts');
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: ACCOUNT_SEED } });
  const children = new Map<Kind, Child>();
  const full = new Map<Kind, Load[]>(KINDS.map((k) => [k, []]));
  const paced = new Map<Kind, Load[]>(KINDS.map((k) => [k, []]));
  let profileRows: Row[] = [];
  try {
    for (const kind of KINDS) children.set(kind, await spawn(kind, fake.url));
    // Warm-up: JIT, SQLite pages, connection pools.
    for (const kind of KINDS) await load(children.get(kind)!, { seconds: 1 });
    for (let r = 0; r < REPS; r++) for (const kind of KINDS) full.get(kind)!.push(await load(children.get(kind)!, { seconds: SECONDS }));
    for (let r = 0; r < REPS; r++) for (const kind of ['production', 'baseline'] as const) paced.get(kind)!.push(await load(children.get(kind)!, { seconds: SECONDS, paced: true }));
  } finally {
    for (const child of children.values()) await stop(child);
  }
  try {
    profileRows = [...await profile(fake.url, 'production'), ...await profile(fake.url, 'isolation')];
  } finally {
    await fake.close();
  }

  const rps = (k: Kind) => median(full.get(k)!.map((l) => l.rps));
  const cpu = (k: Kind) => median(full.get(k)!.map((l) => l.cpuUs));
  const ratio = (k: Kind) => median(full.get(k)!.map((l, i) => l.rps / full.get('baseline')![i]!.rps));
  const cpuRatio = (k: Kind) => median(full.get(k)!.map((l, i) => l.cpuUs / full.get('baseline')![i]!.cpuUs));
  const p99 = median(paced.get('production')!.map((l) => l.p99));
  const pacedRps = median(paced.get('production')!.map((l) => l.rps));
  const failed = [...full.values(), ...paced.values()].flat().reduce((n, l) => n + l.failed, 0);
  const baselineP99 = median(paced.get('baseline')!.map((l) => l.p99));
  const loopMax = median(paced.get('production')!.map((l) => l.loopMax));
  // Whose time the tail is: the machine's (the baseline misses too) or the engine's event loop.
  const p99Why = (): string => baselineP99 >= 20
    ? `the baseline's p99 at the same rate is ${fmt(baselineP99, 1)} ms too: on a loaded machine the tail is the processes waiting for a core`
    : `the engine's event loop was held up to ${fmt(loopMax, 1)} ms at a time (row below)`;
  const setting = `${CONNECTIONS} connections, 1–3 records a delivery, signed before the run, median of ${REPS} × ${SECONDS} s`;
  const prodRatio = ratio('production');
  const why = prodRatio >= 0.5 ? undefined : `the engine spends ${fmt(cpuRatio('production'), 1)}× the baseline's CPU per delivery (profile below); on 2 shared cores CPU is the limit`;
  return [
    { bench: 'intake', metric: `production form (worker live, MailerLite fake reachable, records draining): deliveries/s; server CPU µs per delivery (${setting})`, value: `${fmt(rps('production'))}; ${fmt(cpu('production'))} µs` },
    { bench: 'intake', metric: 'isolation (worker idle: settle 1 h, MailerLite unreachable): deliveries/s; server CPU µs per delivery', value: `${fmt(rps('isolation'))}; ${fmt(cpu('isolation'))} µs` },
    { bench: 'intake', metric: 'durable baseline (node:http, HMAC check, JSON.parse, SQLite WAL synchronous=FULL, group commit every ~1 ms): deliveries/s; server CPU µs per delivery', value: `${fmt(rps('baseline'))}; ${fmt(cpu('baseline'))} µs` },
    { bench: 'intake', metric: 'bare fastify route (stores nothing; a ceiling): requests/s; server CPU µs per request', value: `${fmt(rps('bare'))}; ${fmt(cpu('bare'))} µs` },
    {
      bench: 'intake', metric: 'production form ÷ baseline, deliveries/s (median of per-pair ratios); CPU per delivery ÷ baseline',
      value: `${pct(prodRatio)}; ${fmt(cpuRatio('production'), 1)}×${why ? ` — ${why}` : ''}`, target: '≥ 50%', met: prodRatio >= 0.5,
    },
    {
      bench: 'intake', metric: 'server CPU µs per delivery on the event loop\'s thread (the rest is the other threads\': the store\'s, GC); production form, isolation, baseline',
      value: `${fmt(median(full.get('production')!.map((l) => l.loopCpuUs)))}; ${fmt(median(full.get('isolation')!.map((l) => l.loopCpuUs)))}; ${fmt(median(full.get('baseline')!.map((l) => l.loopCpuUs)))} µs`,
    },
    { bench: 'intake', metric: 'isolation ÷ baseline, deliveries/s; CPU per delivery ÷ baseline', value: `${pct(ratio('isolation'))}; ${fmt(cpuRatio('isolation'), 1)}×` },
    {
      bench: 'intake', metric: `production form: p99 latency at ${fmt(PACED_RATE)} deliveries/s, ms (achieved ${fmt(pacedRps)}/s; 10 connections)`,
      value: fmt(p99, 1) + (p99 < 20 ? '' : ` — ${p99Why()}`), target: '< 20 ms', met: p99 < 20,
    },
    { bench: 'intake', metric: 'p50 / p99 at the same rate, baseline, ms', value: `${fmt(median(paced.get('baseline')!.map((l) => l.p50)), 1)} / ${fmt(median(paced.get('baseline')!.map((l) => l.p99)), 1)}` },
    {
      bench: 'intake', metric: 'server event loop held at the same rate (monitorEventLoopDelay): p99 / longest, ms; production form, then baseline',
      value: `${fmt(median(paced.get('production')!.map((l) => l.loopP99)), 1)} / ${fmt(median(paced.get('production')!.map((l) => l.loopMax)), 1)}; ${fmt(median(paced.get('baseline')!.map((l) => l.loopP99)), 1)} / ${fmt(median(paced.get('baseline')!.map((l) => l.loopMax)), 1)}`,
    },
    {
      bench: 'intake', metric: `server event loop held at full load (${CONNECTIONS} connections, monitorEventLoopDelay): p99 / longest, ms; production form, then baseline`,
      value: `${fmt(median(full.get('production')!.map((l) => l.loopP99)), 1)} / ${fmt(median(full.get('production')!.map((l) => l.loopMax)), 1)}; ${fmt(median(full.get('baseline')!.map((l) => l.loopP99)), 1)} / ${fmt(median(full.get('baseline')!.map((l) => l.loopMax)), 1)}`,
    },
    { bench: 'intake', metric: 'deliveries not answered 200 (all intake runs)', value: fmt(failed), target: '0', met: failed === 0 },
    ...profileRows,
  ];
}

/**
 * The production form of this checkout ("after") and of `checkout` ("before"), each rep run in
 * turn with the baseline: the ratios of one rep share the machine's load of that moment.
 */
export async function compare(checkout: string): Promise<Row[]> {
  const { startFakeMailerLite } = await import('../adapters/mailerlite/index.ts');
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: ACCOUNT_SEED } });
  const sides = ['before', 'after', 'baseline'] as const;
  type Side = (typeof sides)[number];
  const children = new Map<Side, Child>();
  const full = new Map<Side, Load[]>(sides.map((k) => [k, []]));
  const paced = new Map<Side, Load[]>(sides.map((k) => [k, []]));
  const reps = 5;
  try {
    children.set('before', await spawn('production', fake.url, checkout));
    children.set('after', await spawn('production', fake.url));
    children.set('baseline', await spawn('baseline', fake.url));
    for (const side of sides) await load(children.get(side)!, { seconds: 1 });
    for (let r = 0; r < reps; r++) for (const side of sides) full.get(side)!.push(await load(children.get(side)!, { seconds: SECONDS }));
    for (let r = 0; r < reps; r++) for (const side of sides) paced.get(side)!.push(await load(children.get(side)!, { seconds: SECONDS, paced: true }));
  } finally {
    for (const child of children.values()) await stop(child);
    await fake.close();
  }
  const m = (xs: Load[], f: (l: Load) => number): number => median(xs.map(f));
  const ratio = (side: Side): number => median(full.get(side)!.map((l, i) => l.rps / full.get('baseline')![i]!.rps));
  const bench = 'intake-compare';
  return (['before', 'after'] as const).flatMap((side): Row[] => {
    const f = full.get(side)!;
    const p = paced.get(side)!;
    return [
      {
        bench, metric: `${side}: production form ÷ baseline, deliveries/s (median of ${reps} per-rep ratios; each rep's figures in turn: ${f.map((l, i) => `${fmt(l.rps)}/${fmt(full.get('baseline')![i]!.rps)}`).join(', ')})`,
        value: pct(ratio(side)), target: '≥ 50%', met: ratio(side) >= 0.5,
      },
      { bench, metric: `${side}: server CPU µs per delivery, all threads; on the event loop's thread`, value: `${fmt(m(f, (l) => l.cpuUs))}; ${fmt(m(f, (l) => l.loopCpuUs))} µs` },
      { bench, metric: `${side}: event loop held at full load, p99 / longest, ms`, value: `${fmt(m(f, (l) => l.loopP99), 1)} / ${fmt(m(f, (l) => l.loopMax), 1)}` },
      {
        bench, metric: `${side}: p99 at ${fmt(PACED_RATE)} deliveries/s, ms (median of ${reps}; each: ${p.map((l) => fmt(l.p99)).join(', ')}; the baseline's: ${paced.get('baseline')!.map((l) => fmt(l.p99)).join(', ')})`,
        value: fmt(m(p, (l) => l.p99)), target: '< 20 ms', met: m(p, (l) => l.p99) < 20,
      },
      { bench, metric: `${side}: event loop held at ${fmt(PACED_RATE)}/s, p99 / longest, ms`, value: `${fmt(m(p, (l) => l.loopP99), 1)} / ${fmt(m(p, (l) => l.loopMax), 1)}` },
    ];
  });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  await serve(process.argv[serveAt + 1] as Kind, process.argv[serveAt + 2] ?? '');
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let rows: Row[];
  const against = process.argv.indexOf('--against');
  if (against >= 0) {
    rows = await compare(process.argv[against + 1] ?? '');
  } else if (process.argv.includes('--profile-only')) {
    const { startFakeMailerLite } = await import('../adapters/mailerlite/index.ts');
    const fake = await startFakeMailerLite({ accounts: { [TOKEN]: ACCOUNT_SEED } });
    const kind = process.argv[process.argv.indexOf('--profile-only') + 1] === 'isolation' ? 'isolation' : 'production';
    rows = await profile(fake.url, kind).finally(() => fake.close());
  } else {
    rows = await run();
  }
  for (const r of rows) process.stdout.write(`| ${r.bench} | ${r.metric} | ${r.value} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |\n`);
  process.exit(0);
}
