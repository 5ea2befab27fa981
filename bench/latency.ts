/**
 * Latency on an idle server: one signed delivery (a new contact) until the subscriber exists in
 * the fake, with settle_seconds 0. Compared, in the same run, with the least any engine could
 * take: the same two MailerLite calls (look-up, then create) made directly with the client. The
 * engine's own rate budget (120 a minute, real time) allows the ~110 requests this makes.
 * The server, the fake and the load all run in this process; deliveries go one at a time.
 *
 * Run alone: node --import tsx bench/latency.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signBody } from '../adapters/flipcause/index.ts';
import { createClient } from '../adapters/mailerlite/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import flowBaseSchema from '../engine/flow/flow.base.schema.json' with { type: 'json' };
import { startServer } from '../engine/server/server.ts';
import { ACCOUNT_SEED, discardLogger, fmt, flowYaml, median, percentile, SECRET, syntheticRecord, writeFlow, type Row } from './common.ts';

const DELIVERIES = 50;
const TOKEN = 'bench-latency-token';
// The direct calls use an account of their own, so they do not share the engine's rate budget.
const DIRECT_TOKEN = 'bench-latency-direct';

/** Resolves when `check` holds, polling every turn of the event loop; rejects after `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out waiting for the subscriber');
    await new Promise((r) => setImmediate(r));
  }
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: ACCOUNT_SEED, [DIRECT_TOKEN]: ACCOUNT_SEED }, options: { requestsPerMinute: 1_000_000, importsPerMinute: 1_000_000 } });
  writeFlow(join(dir, 'flows'), 'latency', flowYaml('latency', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 0, baseUrl: fake.url }));
  const server = await startServer({
    flows: [join(dir, 'flows')],
    db: join(dir, 'engine.sqlite'),
    port: 0,
    log: discardLogger('info'),
    env: { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: TOKEN },
  });
  const direct = createClient({ apiKey: DIRECT_TOKEN, baseUrl: fake.url, requestsPerMinute: 1_000_000, importsPerMinute: 1_000_000 });
  const account = fake.account(TOKEN);
  const engineMs: number[] = [];
  const directMs: number[] = [];
  try {
    const deliver = async (i: number): Promise<number> => {
      const body = JSON.stringify([syntheticRecord(i)]);
      const email = `donor${i}@example.org`;
      const t0 = performance.now();
      const res = await fetch(`${server.url}/hooks/latency`, {
        method: 'POST',
        headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': signBody(body, SECRET) },
        body,
      });
      if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
      await until(() => account.subscriber(email) !== undefined, 10_000);
      return performance.now() - t0;
    };
    const straight = async (i: number): Promise<number> => {
      const email = `direct${i}@example.org`;
      const t0 = performance.now();
      await direct.findSubscriber(email);
      await direct.upsertSubscriber({ email, fields: { name: 'Jane' } });
      return performance.now() - t0;
    };
    // Warm-up: the worker's group/field directory, JIT, connections.
    for (let i = 0; i < 3; i++) {
      await deliver(900_000 + i);
      await straight(900_000 + i);
    }
    for (let i = 0; i < DELIVERIES; i++) {
      engineMs.push(await deliver(i));
      directMs.push(await straight(i));
      await new Promise((r) => setTimeout(r, 20)); // idle between deliveries
    }
  } finally {
    await server.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const p50 = median(engineMs);
  const p99 = percentile(engineMs, 0.99);
  return [
    { bench: 'latency', metric: `delivery → subscriber exists, settle 0: p50 / p99 ms (${DELIVERIES} deliveries)`, value: `${fmt(p50, 1)} / ${fmt(p99, 1)}` },
    { bench: 'latency', metric: 'same two MailerLite calls made directly: p50 / p99 ms', value: `${fmt(median(directMs), 1)} / ${fmt(percentile(directMs, 0.99), 1)}` },
    { bench: 'latency', metric: 'engine added over the direct calls, p50 ms (ratio)', value: `${fmt(p50 - median(directMs), 1)} (${fmt(p50 / median(directMs), 1)}×)`, target: 'milliseconds', met: p50 - median(directMs) < 20 },
    { bench: 'latency', metric: 'configured default settle window (added by design, not measured)', value: `${flowBaseSchema.properties.settle_seconds.default} s` },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
