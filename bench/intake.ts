/**
 * Durable intake: signed Flipcause deliveries (one record each, every one new) → committed →
 * 200, against a bare fastify route that reads the same bytes and answers 200 without storing.
 * Each server runs in its own child process; autocannon drives both from this process with the
 * same settings, alternating, in the same run. The engine's flow waits an hour before deciding
 * and points at a closed port, so no worker competes with intake.
 *
 * Run alone: node --import tsx bench/intake.ts
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signBody } from '../adapters/flipcause/index.ts';
import { discardLogger, fmt, flowYaml, median, pct, SECRET, syntheticRecord, writeFlow, type Row } from './common.ts';

const REPS = 3;
const SECONDS = 3;
const CONNECTIONS = 32;
const PACED_RATE = 1000;

type Kind = 'engine' | 'bare';

async function serve(kind: Kind): Promise<void> {
  let url: string;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // Flipcause's "application-json" would be refused with 415: relabelled as the engine does.
    app.addHook('onRequest', async (req) => {
      req.headers['content-type'] = 'application/octet-stream';
    });
    app.post('/hooks/:flow', async (_req, reply) => reply.code(200).send({ accepted: 1, duplicates: 0 }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
  } else {
    const { startServer } = await import('../engine/server/server.ts');
    const dir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
    writeFlow(join(dir, 'flows'), 'bench', flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 3600, baseUrl: 'http://127.0.0.1:9' }));
    const server = await startServer({
      flows: [join(dir, 'flows')],
      db: join(dir, 'engine.sqlite'),
      port: 0,
      log: discardLogger('info'),
      env: { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: 'bench-key' },
    });
    url = server.url;
    close = async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  process.send!({ url });
  process.on('message', (m) => {
    if (m === 'stop') void close().then(() => process.exit(0));
  });
}

interface Child {
  url: string;
  proc: ChildProcess;
}

function spawn(kind: Kind): Promise<Child> {
  const proc = fork(fileURLToPath(import.meta.url), ['--serve', kind], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start`)), 30_000);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve({ url: (m as { url: string }).url, proc });
    });
    proc.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

function stop(child: Child): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.proc.send('stop');
  });
}

// Shared across runs so every delivery, to either server, is a new record.
let counter = 0;

function nextDelivery(): { body: string; signature: string } {
  const body = JSON.stringify([syntheticRecord(counter++)]);
  return { body, signature: signBody(body, SECRET) };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function load(url: string, paced: boolean, seconds = SECONDS): Promise<Load> {
  const result = await autocannon({
    url,
    connections: paced ? 10 : CONNECTIONS,
    duration: seconds,
    timeout: 5,
    ...(paced ? { overallRate: PACED_RATE } : {}),
    requests: [
      {
        method: 'POST',
        path: '/hooks/bench',
        setupRequest: (req) => {
          const d = nextDelivery();
          return { ...req, body: d.body, headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': d.signature } };
        },
      },
    ],
  });
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

export async function run(): Promise<Row[]> {
  const engine = await spawn('engine');
  const bare = await spawn('bare');
  const runs: Record<Kind, { full: Load[]; paced: Load[] }> = { engine: { full: [], paced: [] }, bare: { full: [], paced: [] } };
  try {
    // Warm-up: JIT, SQLite pages, connection pools.
    await load(engine.url, false, 1);
    await load(bare.url, false, 1);
    for (let r = 0; r < REPS; r++) {
      runs.engine.full.push(await load(engine.url, false));
      runs.bare.full.push(await load(bare.url, false));
    }
    for (let r = 0; r < REPS; r++) {
      runs.engine.paced.push(await load(engine.url, true));
      runs.bare.paced.push(await load(bare.url, true));
    }
  } finally {
    await stop(engine);
    await stop(bare);
  }
  const rps = (k: Kind) => median(runs[k].full.map((l) => l.rps));
  const ratio = median(runs.engine.full.map((l, i) => l.rps / runs.bare.full[i]!.rps));
  const p99 = median(runs.engine.paced.map((l) => l.p99));
  const pacedRps = median(runs.engine.paced.map((l) => l.rps));
  const failed = [...runs.engine.full, ...runs.engine.paced].reduce((n, l) => n + l.failed, 0);
  const setting = `${CONNECTIONS} connections, ${SECONDS} s, median of ${REPS}`;
  return [
    { bench: 'intake', metric: `durable intake, deliveries/s (${setting})`, value: fmt(rps('engine')), target: '≥ 5,000', met: rps('engine') >= 5000 },
    { bench: 'intake', metric: 'bare fastify route, requests/s (same load)', value: fmt(rps('bare')) },
    { bench: 'intake', metric: 'intake ÷ bare route (median of per-pair ratios)', value: pct(ratio), target: '≥ 25%', met: ratio >= 0.25 },
    { bench: 'intake', metric: `p99 latency at ${fmt(PACED_RATE)} deliveries/s, ms (achieved ${fmt(pacedRps)}/s)`, value: fmt(p99, 1), target: '< 20 ms', met: p99 < 20 },
    { bench: 'intake', metric: 'p50 latency at the same rate, ms: intake / bare', value: `${fmt(median(runs.engine.paced.map((l) => l.p50)), 1)} / ${fmt(median(runs.bare.paced.map((l) => l.p50)), 1)}` },
    { bench: 'intake', metric: 'p99 latency at the same rate, bare route, ms', value: fmt(median(runs.bare.paced.map((l) => l.p99)), 1) },
    { bench: 'intake', metric: 'deliveries not answered 200 (all intake runs)', value: fmt(failed), target: '0', met: failed === 0 },
  ];
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  await serve(process.argv[serveAt + 1] as Kind);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
