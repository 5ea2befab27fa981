/**
 * Scale of the fleet. From spawn to the first 200 from /healthz: `engine serve` from the build in
 * dist/ (as production runs it, the flows' secrets in its environment, the flow watcher on) with
 * 1 and with 1,000 flows, each on its own account: wall time, the server's CPU time and resident
 * memory at that moment. Start-up in process (load, validate and compile every flow, open the
 * store, listen) and resident memory with 10, 100 and 1,000 flows, each measured in a
 * fresh child process. Then memory after a warm-up and at 100,000, 250,000, 500,000 and
 * 1,000,000 records through the per-record pipeline (normalise → when → map → decide → plan, as the worker runs it, without HTTP: the
 * HTTP path drains at MailerLite's pace, not the engine's), in a child with a forced GC before
 * each reading. And the store's bytes per record kept against the raw JSON it holds.
 *
 * Run alone: npm run build && node --import tsx bench/fleet.ts
 * One part alone, its figures as JSON: node --import tsx --expose-gc bench/fleet.ts --growth (or
 * --spawn, --store, --store --finished, --start-up N).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Subscriber } from '../adapters/mailerlite/index.ts';
import { freePort } from '../test/support/free-port.ts';
import { ACCOUNT_SEED, discardLogger, fmt, flowYaml, mb, median, SECRET, sleep, syntheticRecord, writeFlow, type Mode, type Row } from './common.ts';
import '../adapters/index.ts';

const COUNTS = [10, 100, 1_000];
/** Flows in the spawn measurement: one, and the fleet of the goal. */
const SPAWN_COUNTS = [1, 1_000];
const SPAWN_RUNS = 3;
const CLI = fileURLToPath(new URL('../engine/cli/bin.js', import.meta.url));
const RECORDS = 1_000_000;
/** Where memory is read on the way (records through the pipeline so far). */
const CHECKPOINTS = [100_000, 250_000, 500_000, RECORDS];
const STORE_RECORDS = 20_000;
const READY_TARGET_MS = 2_000;
const PER_FLOW_TARGET_KB = 100;
const MODES: Mode[] = ['all_contacts_by_list', 'mailing_list', 'all_contacts'];

interface StartUp {
  flows: number;
  ms: number;
  rssBefore: number;
  rssAfter: number;
}

interface Spawned {
  flows: number;
  /** Spawn to the first 200 from /healthz. */
  ms: number;
  /** The server's user + system CPU time at that moment. */
  cpuMs: number;
  rss: number;
}

interface StoreCost {
  records: number;
  /** Bytes of the records' raw JSON as received. */
  rawBytes: number;
  /** The database's pages in use after a checkpoint (WAL folded in), with its indexes. */
  fileBytes: number;
  /** Bytes of each table and index that holds anything per record (SQLite's dbstat), largest first. */
  parts: { name: string; bytes: number }[];
  /** This process's CPU µs per record in `ingest` (1,000 records a commit): the rows, their indexes, the payload as stored. */
  ingestUs: number;
  /** CPU µs per record in `claim` (50 a claim; `finished` only, else 0): the rows read back as records, the payload parsed. */
  claimUs: number;
}

interface Reading {
  records: number;
  rss: number;
  heap: number;
}

interface Growth {
  /** After the warm-up, before the measured records. */
  before: Reading;
  /** At each checkpoint, after a forced GC. */
  at: Reading[];
  seconds: number;
}

/** `count` flows under `dir`/flows, each on its own account (MailerLite at a closed port), and the secrets they name. */
function writeFleet(dir: string, count: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    env[`BENCH_SECRET_${i}`] = `${SECRET}_${i}`;
    env[`BENCH_KEY_${i}`] = `bench-key-${i}`;
    writeFlow(join(dir, 'flows'), `org-${i}`, flowYaml(`org-${i}`, {
      mode: MODES[i % MODES.length]!, keyEnv: `BENCH_KEY_${i}`, secretEnv: `BENCH_SECRET_${i}`, settleSeconds: 30, baseUrl: 'http://127.0.0.1:9',
    }));
  }
  return env;
}

/** CPU time (user + system) and resident memory of a running process, from /proc (Linux). */
function processUse(pid: number): { cpuMs: number; rss: number } {
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th, in clock ticks (100 a second).
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const stat = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuMs: (Number(stat[11]) + Number(stat[12])) * 10, rss: rssKb * 1024 };
}

/** `engine serve` spawned as production runs it; timed to its first 200 from /healthz, then stopped. */
async function spawnToHealthz(dir: string, count: number, env: Record<string, string>): Promise<Spawned> {
  rmSync(join(dir, 'engine.sqlite'), { force: true });
  rmSync(join(dir, 'engine.sqlite-wal'), { force: true });
  rmSync(join(dir, 'engine.sqlite-shm'), { force: true });
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve', '--flows', join(dir, 'flows'), '--db', join(dir, 'engine.sqlite'), '--port', String(port)], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`engine serve exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - t0 > 120_000) throw new Error('engine serve did not answer /healthz within 120 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await sleep(5);
    }
    const ms = performance.now() - t0;
    return { flows: count, ms, ...processUse(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Spawn to /healthz with 1 and 1,000 flows, alternating, SPAWN_RUNS times each; the medians. */
async function spawned(): Promise<Spawned[]> {
  const fleets = SPAWN_COUNTS.map((count) => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-spawn-'));
    return { count, dir, env: writeFleet(dir, count), runs: [] as Spawned[] };
  });
  try {
    await spawnToHealthz(fleets[0]!.dir, fleets[0]!.count, fleets[0]!.env); // warm-up: page cache
    for (let r = 0; r < SPAWN_RUNS; r++) for (const f of fleets) f.runs.push(await spawnToHealthz(f.dir, f.count, f.env));
  } finally {
    for (const f of fleets) rmSync(f.dir, { recursive: true, force: true });
  }
  return fleets.map((f) => ({
    flows: f.count, ms: median(f.runs.map((x) => x.ms)), cpuMs: median(f.runs.map((x) => x.cpuMs)), rss: median(f.runs.map((x) => x.rss)),
  }));
}

async function startUp(count: number): Promise<StartUp> {
  const { startServer } = await import('../engine/server/server.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const env = writeFleet(dir, count);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const server = await startServer({ flows: [join(dir, 'flows')], db: join(dir, 'engine.sqlite'), port: 0, log: discardLogger('info'), env });
  const ms = performance.now() - t0;
  const loaded = server.fleet.all().length;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (loaded !== count) throw new Error(`${loaded} of ${count} flows loaded`);
  return { flows: count, ms, rssBefore, rssAfter };
}

/**
 * What the store costs per record: the database's pages in use (after a checkpoint, indexes
 * included) against the raw JSON it holds. `finished`: each record then claimed and finished as
 * the worker finishes a new contact (its outcome, history entry with the worker's detail, and
 * effect, 50 a commit), the state a record is kept in for the retention window.
 */
async function storeCost(finished: boolean): Promise<StoreCost> {
  const { openSqliteStore } = await import('../engine/store/sqlite.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const file = join(dir, 'engine.sqlite');
  const store = openSqliteStore({ file });
  let rawBytes = 0;
  let ingestCpu = 0;
  let claimCpu = 0;
  const cpu = (): number => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const now = Date.now();
  for (let from = 0; from < STORE_RECORDS; from += 1_000) {
    const records = [];
    for (let i = from; i < from + 1_000; i++) {
      const raw = syntheticRecord(i, { list: i % 2 === 0 });
      rawBytes += Buffer.byteLength(JSON.stringify(raw));
      records.push({ flow: 'bench', dedupeKey: `new_activity:${1_000_000 + i}`, trigger: 'new_activity', raw, subject: `subject-${i}`, txn: `T${3_000_000 + i}`, availableAt: now });
    }
    const before = cpu();
    await store.ingest([records], now);
    ingestCpu += cpu() - before;
  }
  if (finished) {
    for (;;) {
      const before = cpu();
      const claimed = await store.claim(['bench'], now + 1, 50, 60_000);
      claimCpu += cpu() - before;
      if (claimed.length === 0) break;
      const at = now + 2;
      await store.applyOutcomes({
        finished: claimed.map((r) => ({
          id: r.id, at,
          entry: {
            outcome: 'created',
            detail: {
              rule: 'all_contacts_by_list.not_on_list', on_list: false, ml_status: 'none', subscriber: String(90_000_000_000 + r.id),
              groups: ['Donors'], requests: ['POST api/subscribers'], ml_did: 'created a new subscriber',
            },
          },
        })),
        retried: [], released: [], listed: [], createSent: [],
        effects: claimed.map((r) => ({ flow: 'bench', recordId: r.id, subscriberId: String(90_000_000_000 + r.id), email: `donor${r.id}@example.org`, action: 'created', at })),
      });
    }
  }
  await store.close(); // closing the last connection checkpoints the WAL into the file
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  // Pages a finished record freed (its pending-only index entries) are reused by the next records intake writes.
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const inUse = ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) * pageSize;
  const parts = db.prepare(`SELECT name, sum(pgsize) AS bytes, sum(unused) AS unused FROM dbstat GROUP BY name HAVING count(*) > 1 ORDER BY bytes DESC`).all() as { name: string; bytes: number }[];
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { records: STORE_RECORDS, rawBytes, fileBytes: inUse, parts, ingestUs: ingestCpu / STORE_RECORDS, claimUs: claimCpu / STORE_RECORDS };
}

async function growth(): Promise<Growth> {
  const { loadFlowDir } = await import('../engine/flow/load-dir.ts');
  const { secretContext } = await import('../engine/flow/secrets.ts');
  const { compileFlow } = await import('../engine/runtime/compile-flow.ts');
  const { accountDirectory } = await import('../engine/pipeline/account-directory.ts');
  const { cleanMapped } = await import('../engine/pipeline/mapped.ts');
  const { plan } = await import('../engine/pipeline/plan.ts');
  const { prepare } = await import('../engine/pipeline/prepare.ts');
  const { formUnits } = await import('../engine/pipeline/units.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-growth-'));
  writeFlow(dir, 'growth', flowYaml('growth', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 0, baseUrl: 'http://127.0.0.1:9' }));
  const first = loadFlowDir([dir]).flows[0]!;
  const flow = compileFlow(first.flow, first.file, secretContext(first.file, { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: 'k' }));
  rmSync(dir, { recursive: true, force: true });
  const directory = accountDirectory(
    ACCOUNT_SEED.groups.map((name, i) => ({ id: `g${i}`, name })) as never,
    ['name', 'last_name', 'company', 'country', 'city', 'phone', 'state', 'z_i_p', 'street_address'].map((key, i) => ({ id: String(i), name: key, key, type: 'text' })) as never,
  );
  let sink = 0;
  const batch = async (from: number, n: number): Promise<void> => {
    for (let i = from; i < from + n; i++) {
      const record = { id: i, flow: 'growth', dedupeKey: `k${i}`, trigger: 'new_activity', raw: syntheticRecord(i, { list: i % 2 === 0 }), receivedAt: 0, subject: null, txn: null, status: 'pending', availableAt: 0, attempts: 0, outcome: null, reason: null, errorCode: null, finishedAt: null } as const;
      const p = await prepare(flow, record);
      if (p.skip) continue;
      const unit = formUnits([p])[0]!;
      const mapped = cleanMapped(await flow.mapping.evaluate(unit.event));
      const existing = i % 3 === 0 ? ({ id: `s${i}`, email: unit.email, status: 'active', fields: {}, groups: [] } as unknown as Subscriber) : null;
      const decision = flow.decide({ onList: unit.joinedList, state: existing ? 'active' : 'none' });
      if (decision.action !== 'skip') sink += plan(decision, { ...mapped, email: mapped.email ?? unit.email! }, existing, directory).action.length;
    }
  };
  const read = (records: number): Reading => {
    global.gc?.();
    const m = process.memoryUsage();
    return { records, rss: m.rss, heap: m.heapUsed };
  };
  await batch(0, 5_000); // warm-up: JIT and lazily built structures
  const before = read(0);
  const at: Reading[] = [];
  let seconds = 0;
  let done = 0;
  for (const checkpoint of CHECKPOINTS) {
    const t0 = performance.now();
    await batch(10_000 + done, checkpoint - done);
    seconds += (performance.now() - t0) / 1000;
    done = checkpoint;
    at.push(read(done));
  }
  if (sink < 0) process.stdout.write('');
  return { before, at, seconds };
}

function inChild<T>(args: string[], timeoutMs = 120_000): Promise<T> {
  const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fleet child ${args.join(' ')} took over ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as T);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`fleet child ${args.join(' ')} exited with ${code}`));
    });
  });
}

export async function run(): Promise<Row[]> {
  const loadBefore = loadavg()[0]!;
  const [one, fleet] = await spawned();
  const loadAfter = loadavg()[0]!;
  const starts: StartUp[] = [];
  for (const n of COUNTS) starts.push(await inChild<StartUp>(['--start-up', String(n)]));
  const g = await inChild<Growth>(['--growth'], 600_000);
  const st = await inChild<StoreCost>(['--store']);
  const kept = await inChild<StoreCost>(['--store', '--finished']);
  const perFlowKb = (fleet!.rss - one!.rss) / (fleet!.flows - one!.flows) / 1024;
  const rows: Row[] = [
    ...[one!, fleet!].map((x) => ({
      bench: 'fleet',
      metric: `\`engine serve\` with ${fmt(x.flows)} flow${x.flows === 1 ? '' : 's'}, spawn → first 200 from /healthz (median of ${SPAWN_RUNS}): wall ms; server CPU ms; RSS`,
      value: `${fmt(x.ms)} ms; ${fmt(x.cpuMs)} ms; ${mb(x.rss)}`,
    })),
    {
      bench: 'fleet', metric: `${fmt(fleet!.flows)} flows ready: spawn → /healthz, wall ms (load average ${fmt(loadBefore, 1)} → ${fmt(loadAfter, 1)} on ${fmt(cpus().length)} CPUs)`,
      value: fmt(fleet!.ms) + (fleet!.ms <= READY_TARGET_MS ? '' : ` — ${fmt(fleet!.cpuMs)} ms of CPU; on a loaded machine the wall time is the CPU time stretched by the wait for a core`),
      target: `≤ ${fmt(READY_TARGET_MS)} ms`, met: fleet!.ms <= READY_TARGET_MS,
    },
    { bench: 'fleet', metric: `start-up CPU ${fmt(fleet!.flows)} ÷ ${fmt(one!.flows)} flow, spawn → /healthz`, value: `${fmt(fleet!.cpuMs / one!.cpuMs, 1)}×` },
    {
      bench: 'fleet', metric: `memory per flow: RSS at /healthz, (${fmt(fleet!.flows)} flows − ${fmt(one!.flows)}) ÷ ${fmt(fleet!.flows - one!.flows)}, KB`,
      value: fmt(perFlowKb), target: `≤ ${fmt(PER_FLOW_TARGET_KB)} KB`, met: perFlowKb <= PER_FLOW_TARGET_KB,
    },
    ...starts.map((s) => ({
      bench: 'fleet',
      metric: `in process, ${fmt(s.flows)} flows: start-up ms; RSS before → after start`,
      value: `${fmt(s.ms)} ms; ${mb(s.rssBefore)} → ${mb(s.rssAfter)}`,
    })),
  ];
  const small = starts[0]!;
  const large = starts[starts.length - 1]!;
  const perFlowMs = (large.ms - small.ms) / (large.flows - small.flows);
  const storeRatio = st.fileBytes / st.rawBytes;
  const keptRatio = kept.fileBytes / kept.rawBytes;
  const first = g.at[0]!;
  const last = g.at[g.at.length - 1]!;
  const marginalKb = (large.rssAfter - large.rssBefore - (small.rssAfter - small.rssBefore)) / (large.flows - small.flows) / 1024;
  rows.push(
    { bench: 'fleet', metric: `in process: start-up ${fmt(large.flows)} ÷ ${fmt(small.flows)} flows (${fmt(large.flows / small.flows)}× the flows)`, value: `${fmt(large.ms / small.ms, 1)}×` },
    { bench: 'fleet', metric: 'in process: marginal cost of one more flow, start-up ms / memory', value: `${fmt(perFlowMs, 1)} ms / ${fmt(marginalKb)} KB` },
    {
      bench: 'fleet', metric: `store bytes per record kept (finished: outcome, history entry, effect) ÷ raw JSON bytes (${fmt(kept.records)} records, pages in use after a checkpoint, indexes included)`,
      value: `${fmt(kept.fileBytes / kept.records)} / ${fmt(kept.rawBytes / kept.records)} B = ${fmt(keptRatio, 2)}×`,
      target: '≤ 1.2×', met: keptRatio <= 1.2,
    },
    {
      bench: 'fleet', metric: 'the same, by table and index (SQLite\'s dbstat), bytes per record',
      value: kept.parts.map((p) => `${p.name} ${fmt(p.bytes / kept.records)}`).join(', '),
    },
    {
      bench: 'fleet', metric: `store bytes per record while pending (just received, before its settle window ends) ÷ raw JSON bytes`,
      value: `${fmt(st.fileBytes / st.records)} / ${fmt(st.rawBytes / st.records)} B = ${fmt(storeRatio, 2)}× — the raw JSON kept as a field table (engine/store/payload-codec.ts) beside the columns and indexes that order, dedupe and claim it`,
      target: '≤ 1.2×', met: storeRatio <= 1.2,
    },
    {
      bench: 'fleet', metric: 'the same, by table and index, bytes per record',
      value: st.parts.map((p) => `${p.name} ${fmt(p.bytes / st.records)}`).join(', '),
    },
    {
      bench: 'fleet', metric: 'store CPU per record: intake\'s `ingest` (1,000 records a commit, the payload encoded in it); the worker\'s `claim` (50 a claim, the payload read back), µs',
      value: `${fmt(st.ingestUs, 1)}; ${fmt(kept.claimUs, 1)}`,
    },
    {
      bench: 'fleet', metric: `RSS (heap used) after a forced GC: after the warm-up → after ${g.at.map((r) => fmt(r.records)).join(' → ')} records through the pipeline`,
      value: [g.before, ...g.at].map((r) => `${mb(r.rss)} (${mb(r.heap)})`).join(' → '),
    },
    {
      bench: 'fleet', metric: `RSS growth over the records: ${fmt(last.records)} ÷ ${fmt(first.records)} records (after the first burst); ÷ after the warm-up`,
      value: `${fmt(last.rss / first.rss, 2)}×; ${fmt(last.rss / g.before.rss, 2)}×`, target: 'flat (≤ 1.10×)', met: last.rss / first.rss <= 1.1,
    },
    { bench: 'fleet', metric: `heap-used growth ${fmt(last.records)} records ÷ after the warm-up (after a forced GC)`, value: `${fmt(last.heap / g.before.heap, 2)}×`, target: 'flat (≤ 1.10×)', met: last.heap / g.before.heap <= 1.1 },
    { bench: 'fleet', metric: `pipeline rate during the ${fmt(RECORDS)} records, records/s`, value: fmt(RECORDS / g.seconds) },
  );
  return rows;
}

/** A part run as a child answers its parent; run by hand, it prints its figures. */
function report(figures: unknown): void {
  if (process.send) {
    process.send(figures);
    process.disconnect();
  } else process.stdout.write(JSON.stringify(figures) + '\n');
}

const startAt = process.argv.indexOf('--start-up');
if (startAt >= 0) {
  report(await startUp(Number(process.argv[startAt + 1])));
  process.exit(0);
} else if (process.argv.includes('--store')) {
  report(await storeCost(process.argv.includes('--finished')));
} else if (process.argv.includes('--growth')) {
  report(await growth());
} else if (process.argv.includes('--spawn')) {
  report(await spawned());
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
