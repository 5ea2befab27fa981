/**
 * Draining a backlog against MailerLite's ceiling. The fake enforces its rate limit with time
 * scaled down; the workers' clients get the same scale. Several accounts (one flow each, mixed
 * modes), half the contacts new and half existing (active, with a changed name), every one
 * needing exactly one look-up item and one write item. The backlog is put straight into the
 * store (as intake would have left it) and the account workers drain it in this process.
 *
 * The figure is the drain time the limit forces (the fake's sliding window, zero processing
 * time, the minimum number of requests) divided by the drain time achieved: 100% is the limit.
 *
 * Run alone: node --import tsx bench/drain.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../adapters/mailerlite/index.ts';
import { startFakeMailerLite, type FakeMailerLite } from '../adapters/mailerlite/index.ts';
import { RateBudget } from '../adapters/mailerlite/index.ts';
import { loadFlowDir } from '../engine/flow/load-dir.ts';
import { secretContext } from '../engine/flow/secrets.ts';
import { compileFlow } from '../engine/runtime/compile-flow.ts';
import type { CompiledFlow } from '../engine/pipeline/compiled-flow.ts';
import { toNewRecords } from '../engine/runtime/intake.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import { AccountWorker } from '../engine/worker/account-worker.ts';
import { ACCOUNT_SEED, discardLogger, fmt, flowYaml, median, pct, SECRET, sleep, syntheticRecord, writeFlow, type Mode, type Row } from './common.ts';
import '../adapters/index.ts';

const MODES: Mode[] = ['all_contacts_by_list', 'mailing_list', 'all_contacts', 'all_contacts_by_list'];
const ITEMS_PER_BATCH = 50;
const ITEMS_PER_CONTACT = 2;

export interface DrainSetup {
  batchCounting: 'one' | 'per-item';
  accounts: number;
  contactsPerAccount: number;
  /** The fake's limit per MailerLite minute, per account. */
  requestsPerMinute: number;
  timeScale: number;
  /** Gives up after this long (ms). */
  timeoutMs: number;
  /** How the client charges a batch to its budget; flows always get the default, 'one'. */
  clientBatchCost?: 'one' | 'items';
  /** The limit the client assumes until MailerLite's answers state it (default: the fake's). */
  clientRequestsPerMinute?: number;
}

export interface DrainResult {
  setup: DrainSetup;
  seconds: number;
  bestSeconds: number;
  contacts: number;
  finished: number;
  created: number;
  updated: number;
  other: number;
  requests: number;
  tooMany: number;
  minutes: number;
}

/** Earliest moment a sliding window of `limit` per `windowMs` lets `slots` requests through. */
function fastestMs(slots: number, limit: number, windowMs: number): number {
  return Math.floor((slots - 1) / limit) * windowMs;
}

export async function drainOnce(setup: DrainSetup): Promise<DrainResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-drain-'));
  const windowMs = 60_000 * setup.timeScale;
  const tokens = Array.from({ length: setup.accounts }, (_, a) => `bench-token-${a}`);
  const emailOf = (a: number) => (i: number) => `a${a}-c${i}@example.org`;
  const accounts = Object.fromEntries(tokens.map((t, a) => [t, {
    ...ACCOUNT_SEED,
    // Even-numbered contacts already exist (active, under an old name): each gets one upsert.
    subscribers: Array.from({ length: Math.ceil(setup.contactsPerAccount / 2) }, (_, k) => ({ email: emailOf(a)(2 * k), status: 'active' as const, fields: { name: 'Old' } })),
  }]));
  const fake: FakeMailerLite = await startFakeMailerLite({
    accounts,
    options: { requestsPerMinute: setup.requestsPerMinute, timeScale: setup.timeScale, batchCounting: setup.batchCounting, requestLogLimit: 200_000 },
  });
  const store = openSqliteStore({ file: join(dir, 'engine.sqlite') });
  const log = discardLogger('info');
  const workers: AccountWorker[] = [];
  try {
    const env: Record<string, string> = { BENCH_FLIPCAUSE_SECRET: SECRET };
    tokens.forEach((t, a) => {
      env[`BENCH_KEY_${a}`] = t;
      env[`BENCH_SECRET_${a}`] = `${SECRET}_${a}`;
      writeFlow(join(dir, 'flows'), `drain-${a}`, flowYaml(`drain-${a}`, { mode: MODES[a % MODES.length]!, keyEnv: `BENCH_KEY_${a}`, secretEnv: `BENCH_SECRET_${a}`, settleSeconds: 0, baseUrl: fake.url }));
    });
    const loaded = loadFlowDir([join(dir, 'flows')]);
    if (loaded.flows.length !== setup.accounts) throw new Error(`flows did not load: ${JSON.stringify(loaded.diagnostics)}`);
    const now = Date.now();
    for (const f of loaded.flows) {
      const a = Number(f.flow.flow.slice('drain-'.length));
      const compiled = compileFlow(f.flow, f.file, secretContext(f.file, env));
      // The flow file cannot carry a time scale: the worker gets a client on the scaled clock.
      const flow: CompiledFlow = {
        ...compiled,
        destination: createClient({
          apiKey: tokens[a]!,
          baseUrl: fake.url,
          timeScale: setup.timeScale,
          // Left out, the client learns from MailerLite's answers whether batch items count.
          ...(setup.clientBatchCost ? { batchCost: setup.clientBatchCost } : {}),
          budget: new RateBudget({ requestsPerMinute: setup.clientRequestsPerMinute ?? setup.requestsPerMinute, timeScale: setup.timeScale }),
        }),
      };
      // Every contact is on the mailing list in mailing_list mode (otherwise it would be skipped after its look-up).
      const raws = Array.from({ length: setup.contactsPerAccount }, (_, i) => syntheticRecord(a * 1_000_000 + i, { list: flow.policy.mode === 'mailing_list' || i % 2 === 0, emailOf: () => emailOf(a)(i) }));
      for (let k = 0; k < raws.length; k += 500) {
        const body = Buffer.from(JSON.stringify(raws.slice(k, k + 500)));
        await store.ingest([toNewRecords(flow, flow.source.parse(body), now)], now);
      }
      workers.push(new AccountWorker(flow.accountKey, [flow], store, log, {}, { idleMs: 20 }));
    }

    const contacts = setup.accounts * setup.contactsPerAccount;
    const started = performance.now();
    for (const w of workers) w.start();
    let pending = contacts;
    while (pending > 0 && performance.now() - started < setup.timeoutMs) {
      await sleep(50);
      pending = (await store.stats()).reduce((n, s) => n + s.pending, 0);
    }
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(workers.map((w) => w.stop()));

    const stats = await store.stats();
    const outcome = (o: string) => stats.reduce((n, s) => n + ((s.byOutcome as Record<string, number>)[o] ?? 0), 0);
    let requests = 0;
    let tooMany = 0;
    for (const t of tokens) {
      for (const r of fake.requests(t)) {
        requests++;
        if (r.status === 429) tooMany++;
        tooMany += (r.items ?? []).filter((it) => it.status === 429).length;
      }
    }
    const slots = setup.batchCounting === 'one'
      ? Math.ceil((setup.contactsPerAccount * ITEMS_PER_CONTACT) / ITEMS_PER_BATCH)
      : setup.contactsPerAccount * ITEMS_PER_CONTACT;
    const finished = stats.reduce((n, s) => n + s.done + s.dead, 0);
    return {
      setup, seconds, contacts, finished,
      bestSeconds: fastestMs(slots, setup.requestsPerMinute, windowMs) / 1000,
      created: outcome('created'), updated: outcome('updated'), other: finished - outcome('created') - outcome('updated'),
      requests, tooMany, minutes: (seconds * 1000) / windowMs,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const VARIANTS: { name: string; setup: DrainSetup; reps: number; note: string }[] = [
  {
    name: "batchCounting 'one'",
    reps: 2,
    // 24 a minute instead of 120 with 2,500 contacts per account: several limit windows, as a
    // far larger backlog would span at the real limit, so the start-up burst does not dominate.
    // A 12 s minute, not shorter: the client charges each batch to its window until the answer
    // is in, and at a 3 s minute that answer time would weigh 20× what it does at MailerLite's 60 s.
    setup: { batchCounting: 'one', accounts: 4, contactsPerAccount: 2_500, requestsPerMinute: 24, timeScale: 0.2, timeoutMs: 240_000 },
    note: '10,000 contacts, 4 accounts, limit 24/min (a 12 s minute)',
  },
  {
    name: "batchCounting 'per-item'",
    reps: 2,
    setup: { batchCounting: 'per-item', accounts: 4, contactsPerAccount: 300, requestsPerMinute: 120, timeScale: 0.2, timeoutMs: 240_000 },
    note: '1,200 contacts (scaled down: every item takes a slot), 4 accounts, limit 120/min (a 12 s minute); the client learns that items count from the answers',
  },
  {
    name: 'learned limit',
    reps: 1,
    // The client starts from MailerLite's documented 120/min; the key is allowed 300. Held to its
    // assumption it would take 2.5 times as long: the x-ratelimit-limit header sets the pace.
    setup: { batchCounting: 'per-item', accounts: 1, contactsPerAccount: 750, requestsPerMinute: 300, clientRequestsPerMinute: 120, timeScale: 0.2, timeoutMs: 400_000 },
    note: '750 contacts, 1 account allowed 300/min while the client assumes 120 (a 12 s minute)',
  },
];

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const v of VARIANTS) {
    const results: DrainResult[] = [];
    for (let r = 0; r < v.reps; r++) results.push(await drainOnce(v.setup));
    const ratio = median(results.map((x) => x.bestSeconds / x.seconds));
    const s = v.setup;
    const perAccountMinute = median(results.map((x) => x.contacts / s.accounts / x.minutes));
    const ceiling = s.batchCounting === 'one' ? (s.requestsPerMinute * ITEMS_PER_BATCH) / ITEMS_PER_CONTACT : s.requestsPerMinute / ITEMS_PER_CONTACT;
    const tooManyPerAccountMinute = Math.max(...results.map((x) => x.tooMany / s.accounts / x.minutes));
    const reqPerContact = median(results.map((x) => x.requests / x.contacts));
    const floor = ITEMS_PER_CONTACT / ITEMS_PER_BATCH;
    const last = results[results.length - 1]!;
    const done = results.every((x) => x.finished === x.contacts);
    rows.push(
      { bench: 'drain', metric: `${v.name}: ${v.note}; drain time (median of ${v.reps}), s: achieved / fastest the limit allows`, value: `${fmt(median(results.map((x) => x.seconds)), 1)} / ${fmt(last.bestSeconds, 1)}` },
      {
        bench: 'drain', metric: `${v.name}: achieved ÷ best the limit allows (in-process workers, not yet through engine serve)`,
        value: pct(ratio) + (ratio >= 0.95 && done ? '' : done ? ' — when every item takes a slot, the start and the end of a backlog each cost a rate window; the budget is not yet spent steadily across the window' : ' — the backlog did not finish'),
        target: '≥ 95%', met: ratio >= 0.95 && done,
      },
      { bench: 'drain', metric: `${v.name}: contacts per MailerLite minute per account (steady-state ceiling ${fmt(ceiling)})`, value: fmt(perAccountMinute) },
      { bench: 'drain', metric: `${v.name}: 429s received (all runs) / worst per account per minute`, value: `${fmt(results.reduce((n, x) => n + x.tooMany, 0))} / ${fmt(tooManyPerAccountMinute, 2)}`, target: '≤ 1 per account per minute', met: tooManyPerAccountMinute <= 1 },
      { bench: 'drain', metric: `${v.name}: MailerLite requests per contact (floor ${fmt(floor, 2)}${s.batchCounting === 'per-item' ? '; each contact also takes 2 limit slots' : ''})`, value: fmt(reqPerContact, 4) },
      { bench: 'drain', metric: `${v.name}: outcomes (last run): created / updated / other; finished of backlog`, value: `${fmt(last.created)} / ${fmt(last.updated)} / ${fmt(last.other)}; ${fmt(last.finished)} of ${fmt(last.contacts)}` },
    );
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
