/**
 * What the drain benchmarks share: the setup and result of one drain, the accounts the MailerLite
 * fake starts with, the flows and the backlog put into a store as intake would leave it, the
 * fewest limit slots a drain needs, and what the fake's request log says about a drain.
 */
import { join } from 'node:path';
import type { AccountSeed, FakeMailerLite } from '../adapters/mailerlite/index.ts';
import { loadFlowDir } from '../engine/flow/load-dir.ts';
import { secretContext } from '../engine/flow/secrets.ts';
import type { CompiledFlow } from '../engine/pipeline/compiled-flow.ts';
import { compileFlow } from '../engine/runtime/compile-flow.ts';
import { toNewRecords } from '../engine/runtime/intake.ts';
import type { Store } from '../engine/store/types.ts';
import { ACCOUNT_SEED, flowYaml, SECRET, syntheticRecord, writeFlow, type Mode } from './common.ts';
import { formatTrace, traceWindows, type WindowTrace } from './drain-trace.ts';
import '../adapters/index.ts';

const MODES: Mode[] = ['all_contacts_by_list', 'mailing_list', 'all_contacts', 'all_contacts_by_list'];
export const ITEMS_PER_BATCH = 50;
export const ITEMS_PER_CONTACT = 2;

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
  /** Per account, per MailerLite window (from the account's first request): what was sent. */
  traces: WindowTrace[][];
}

/** Earliest moment a sliding window of `limit` per `windowMs` lets `slots` requests through. */
export function fastestMs(slots: number, limit: number, windowMs: number): number {
  return Math.floor((slots - 1) / limit) * windowMs;
}

/**
 * Requests every account makes before its first contact, and no client can skip: the first page
 * of its groups and of its fields (the flow's groups and field keys are checked against them).
 * With items counted they take a slot each like any item, so they belong in the fastest drain.
 */
export const DIRECTORY_REQUESTS = 2;

/** Limit slots one account's drain needs at the least: directory reads, then its batches. */
export function minimumSlots(setup: Pick<DrainSetup, 'batchCounting' | 'contactsPerAccount'>): number {
  const items = setup.contactsPerAccount * ITEMS_PER_CONTACT;
  return DIRECTORY_REQUESTS + (setup.batchCounting === 'one' ? Math.ceil(items / ITEMS_PER_BATCH) : items);
}

export const tokenOf = (a: number): string => `bench-token-${a}`;
const emailOf = (a: number) => (i: number) => `a${a}-c${i}@example.org`;

/** The fake's accounts: the flows' groups and fields, and every even-numbered contact already there. */
export function fakeAccounts(setup: Pick<DrainSetup, 'accounts' | 'contactsPerAccount'>): Record<string, AccountSeed> {
  return Object.fromEntries(Array.from({ length: setup.accounts }, (_, a) => [tokenOf(a), {
    ...ACCOUNT_SEED,
    // Even-numbered contacts already exist (active, under an old name): each gets one upsert.
    subscribers: Array.from({ length: Math.ceil(setup.contactsPerAccount / 2) }, (_, k) => ({ email: emailOf(a)(2 * k), status: 'active' as const, fields: { name: 'Old' } })),
  }]));
}

/**
 * Writes one flow per account into `dir/flows` and puts each account's backlog into the store as
 * intake would have left it. Returns the flows' secrets (an `engine serve` child needs them as
 * its environment) and the compiled flows, their destination made by `client` when given.
 */
export async function writeBacklog(
  dir: string,
  setup: Pick<DrainSetup, 'accounts' | 'contactsPerAccount'>,
  fakeUrl: string,
  store: Store,
  client?: (a: number) => CompiledFlow['destination'],
): Promise<{ env: Record<string, string>; flows: CompiledFlow[] }> {
  const env: Record<string, string> = { BENCH_FLIPCAUSE_SECRET: SECRET };
  for (let a = 0; a < setup.accounts; a++) {
    env[`BENCH_KEY_${a}`] = tokenOf(a);
    env[`BENCH_SECRET_${a}`] = `${SECRET}_${a}`;
    writeFlow(join(dir, 'flows'), `drain-${a}`, flowYaml(`drain-${a}`, { mode: MODES[a % MODES.length]!, keyEnv: `BENCH_KEY_${a}`, secretEnv: `BENCH_SECRET_${a}`, settleSeconds: 0, baseUrl: fakeUrl }));
  }
  const loaded = loadFlowDir([join(dir, 'flows')]);
  if (loaded.flows.length !== setup.accounts) throw new Error(`flows did not load: ${JSON.stringify(loaded.diagnostics)}`);
  const now = Date.now();
  const flows: CompiledFlow[] = [];
  for (const f of loaded.flows) {
    const a = Number(f.flow.flow.slice('drain-'.length));
    const compiled = compileFlow(f.flow, f.file, secretContext(f.file, env));
    const flow: CompiledFlow = client ? { ...compiled, destination: client(a) } : compiled;
    // Every contact is on the mailing list in mailing_list mode (otherwise it would be skipped after its look-up).
    const raws = Array.from({ length: setup.contactsPerAccount }, (_, i) => syntheticRecord(a * 1_000_000 + i, { list: flow.policy.mode === 'mailing_list' || i % 2 === 0, emailOf: () => emailOf(a)(i) }));
    for (let k = 0; k < raws.length; k += 500) {
      const body = Buffer.from(JSON.stringify(raws.slice(k, k + 500)));
      await store.ingest([toNewRecords(flow, flow.source.parse(body), now)], now);
    }
    flows.push(flow);
  }
  return { env, flows };
}

/** What the fake saw of one drain: requests, 429s (envelopes and items), and each account's windows. */
export function readFakeLog(fake: FakeMailerLite, setup: DrainSetup): { requests: number; tooMany: number; firstAt: number; lastAnsweredAt: number; traces: WindowTrace[][] } {
  const windowMs = 60_000 * setup.timeScale;
  let requests = 0;
  let tooMany = 0;
  let firstAt = Infinity;
  let lastAnsweredAt = 0;
  const traces: WindowTrace[][] = [];
  for (let a = 0; a < setup.accounts; a++) {
    const log = fake.requests(tokenOf(a));
    for (const r of log) {
      requests++;
      if (r.status === 429) tooMany++;
      tooMany += (r.items ?? []).filter((it) => it.status === 429).length;
      firstAt = Math.min(firstAt, r.at);
      lastAnsweredAt = Math.max(lastAnsweredAt, r.respondedAt);
    }
    const t0 = log[0]?.at ?? 0;
    traces.push(traceWindows(log, windowMs, setup.requestsPerMinute, setup.batchCounting === 'per-item', t0, Math.max(t0, ...log.map((r) => r.respondedAt))));
  }
  if (process.env.DRAIN_TRACE) {
    traces.forEach((t, a) => {
      const items = fake.requests(tokenOf(a)).flatMap((r) => r.items ?? []);
      const lookUps = items.filter((i) => i.method === 'GET').length;
      process.stderr.write(`${formatTrace(`account ${a}`, t)}\naccount ${a}: ${lookUps} look-up items, ${items.length - lookUps} write items\n`);
    });
  }
  return { requests, tooMany, firstAt, lastAnsweredAt, traces };
}
