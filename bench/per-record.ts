/**
 * Per-record cost on one core: normalise → `when` → merge → mapping (JSONata) → policy decision
 * → plan, exactly the calls the worker makes for a record, against a hand-written TypeScript
 * version of the same flow (same normaliser, the same fields mapped by plain code, the decision
 * by if/else). Also proves that nothing compiles on the hot path: JSONata and ajv compilations
 * are counted around the load (they must move) and around the measured loops (they must not).
 *
 * It runs in a child process with the compile spy preloaded (see compile-spy.ts), on one thread.
 *
 * Run alone: node --import tsx bench/per-record.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NormalisedEvent } from '../engine/ports/event.ts';
import { normalise } from '../adapters/flipcause/index.ts';
import type { Subscriber } from '../adapters/mailerlite/index.ts';
import { loadFlowDir } from '../engine/flow/load-dir.ts';
import { secretContext } from '../engine/flow/secrets.ts';
import { accountDirectory } from '../engine/pipeline/account-directory.ts';
import { compileFlow } from '../engine/runtime/compile-flow.ts';
import type { CompiledFlow } from '../engine/pipeline/compiled-flow.ts';
import { phone, titleCase } from '../engine/expression/functions.ts';
import { cleanMapped } from '../engine/pipeline/mapped.ts';
import { plan } from '../engine/pipeline/plan.ts';
import { prepare } from '../engine/pipeline/prepare.ts';
import { formUnits } from '../engine/pipeline/units.ts';
import type { StoredRecord } from '../engine/store/types.ts';
import { fmt, flowYaml, median, SECRET, syntheticRecord, writeFlow, type Row } from './common.ts';
import '../adapters/index.ts';

const REPS = 5;
const PER_REP = 20_000;
const SAMPLE = 1_000;

const directory = accountDirectory(
  [{ id: 'g1', name: 'Newsletter' }, { id: 'g2', name: 'Donors' }] as never,
  ['name', 'last_name', 'company', 'country', 'city', 'phone', 'state', 'z_i_p', 'street_address'].map((key, i) => ({ id: String(i + 1), name: key, key, type: 'text' })) as never,
);

/** Every third contact already exists in MailerLite (active, other name): an update, not a create. */
function existingFor(i: number, email: string): Subscriber | null {
  if (i % 3 !== 0) return null;
  return { id: `s${i}`, email, status: 'active', fields: { name: 'Old' }, groups: [] } as unknown as Subscriber;
}

function storedRecords(): StoredRecord[] {
  return Array.from({ length: SAMPLE }, (_, i) => ({
    id: i + 1, flow: 'bench', dedupeKey: `k${i}`, trigger: 'new_activity', raw: syntheticRecord(i, { list: i % 2 === 0 }),
    receivedAt: 0, subject: null, txn: null, status: 'pending', availableAt: 0, attempts: 0,
    outcome: null, reason: null, errorCode: null, finishedAt: null,
  }) as StoredRecord);
}

let sink = 0;

function snapshot(): { jsonata: number; ajv: number } {
  const c = (globalThis as { __benchCompiles?: { jsonata: number; ajv: number } }).__benchCompiles;
  if (!c) throw new Error('the compile spy is not loaded');
  return { ...c };
}

async function engineLoop(flow: CompiledFlow, records: readonly StoredRecord[], n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const k = i % records.length;
    const p = await prepare(flow, records[k]!);
    if (p.skip) continue;
    const unit = formUnits([p])[0]!;
    const mapped = cleanMapped(await flow.mapping.evaluate(unit.event));
    const email = mapped.email ?? unit.email!;
    const existing = existingFor(k, email);
    const decision = flow.decide({ onList: unit.joinedList, state: existing?.status ?? 'none' });
    if (decision.action === 'skip') continue;
    sink += plan(decision, { ...mapped, email }, existing, directory).action.length;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The same flow written by hand: no JSONata, no tables. */
function handMap(ev: NormalisedEvent): { email: string | null; fields: Record<string, string> } {
  const c = ev.contact!;
  const fields: Record<string, string> = {};
  const put = (k: string, v: unknown): void => {
    if (typeof v === 'string' && v.trim() !== '') fields[k] = v.trim();
  };
  put('name', titleCase(c.first_name));
  put('last_name', titleCase(c.last_name));
  put('company', c.business_name);
  put('phone', phone(c.phone, '+1'));
  put('street_address', [c.address.line1, c.address.line2].filter((x) => x !== null).join(', '));
  put('city', c.address.city);
  put('state', c.address.state);
  put('z_i_p', c.address.postal_code);
  put('country', c.address.country);
  return { email: c.email, fields };
}

function handLoop(records: readonly StoredRecord[], n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const k = i % records.length;
    const ev = normalise(records[k]!.raw!);
    if (ev.contact === null || ev.event.activity_codes.includes('RD')) continue;
    const m = handMap(ev);
    if (!m.email) continue;
    const existing = existingFor(k, m.email);
    const group = ev.event.on_list ? 'g1' : 'g2';
    let body: Record<string, unknown>;
    if (existing === null) body = { email: m.email, fields: m.fields, groups: [group], status: 'unconfirmed' };
    else {
      const changed: Record<string, string> = {};
      for (const [key, v] of Object.entries(m.fields)) if (String(existing.fields[key] ?? '') !== v) changed[key] = v;
      body = { email: m.email, fields: changed };
      if (!existing.groups.some((g) => g.id === group)) body.groups = [group];
    }
    sink += Object.keys(body).length;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function measure(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-record-'));
  let flow: CompiledFlow;
  const beforeLoad = snapshot();
  try {
    writeFlow(dir, 'bench', flowYaml('bench', { mode: 'all_contacts_by_list', keyEnv: 'BENCH_KEY', settleSeconds: 0, baseUrl: 'http://127.0.0.1:9' }));
    const loaded = loadFlowDir([dir]);
    const first = loaded.flows[0];
    if (!first) throw new Error(`bench flow did not load: ${JSON.stringify(loaded.diagnostics)}`);
    flow = compileFlow(first.flow, first.file, secretContext(first.file, { BENCH_FLIPCAUSE_SECRET: SECRET, BENCH_KEY: 'bench-key' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const afterLoad = snapshot();
  const atLoad = { jsonata: afterLoad.jsonata - beforeLoad.jsonata, ajv: afterLoad.ajv - beforeLoad.ajv };
  const records = storedRecords();

  await engineLoop(flow, records, 5_000); // warm-up
  handLoop(records, 5_000);
  const beforeLoop = snapshot();
  const engine: number[] = [];
  const hand: number[] = [];
  for (let r = 0; r < REPS; r++) {
    engine.push(await engineLoop(flow, records, PER_REP));
    hand.push(handLoop(records, PER_REP));
  }
  const afterLoop = snapshot();
  const inLoop = { jsonata: afterLoop.jsonata - beforeLoop.jsonata, ajv: afterLoop.ajv - beforeLoop.ajv };
  const ratio = median(engine.map((e, i) => e / hand[i]!));
  const e = median(engine);
  if (sink < 0) process.stdout.write('');
  return [
    { bench: 'per-record', metric: `normalise + when + map + decide + plan, records/s on one core (median of ${REPS} × ${fmt(PER_REP)})`, value: fmt(e), target: '≥ 20,000', met: e >= 20_000 },
    { bench: 'per-record', metric: 'hand-written TypeScript, same fields, records/s', value: fmt(median(hand)) },
    { bench: 'per-record', metric: 'engine ÷ hand-written (median of per-pair ratios)', value: `${fmt(ratio * 100, 1)}%` },
    { bench: 'per-record', metric: 'flow expressions compiled to the fast path: when / mapping', value: `${flow.when?.fast ? 'yes' : 'no'} / ${flow.mapping.fast ? 'yes' : 'no'}` },
    { bench: 'per-record', metric: 'compilations while loading one flow: jsonata() / ajv.compile (since process start)', value: `${atLoad.jsonata} / ${atLoad.ajv} (${beforeLoad.jsonata + atLoad.jsonata} / ${beforeLoad.ajv + atLoad.ajv})` },
    {
      bench: 'per-record',
      metric: `compilations during the ${fmt(REPS * PER_REP)} measured records: jsonata() / ajv.compile`,
      value: `${inLoop.jsonata} / ${inLoop.ajv}`,
      target: '0 / 0 (and > 0 at load)',
      met: inLoop.jsonata === 0 && inLoop.ajv === 0 && atLoad.jsonata > 0,
    },
  ];
}

/** Runs the measurement in a child with the compile spy preloaded, and returns its rows. */
export function run(): Promise<Row[]> {
  const spy = fileURLToPath(new URL('./compile-spy.ts', import.meta.url));
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', 'tsx', '--import', spy], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('per-record benchmark took over 120 s'));
    }, 120_000);
    child.once('message', (rows) => {
      clearTimeout(timer);
      resolve(rows as Row[]);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`per-record child exited with ${code}`));
    });
  });
}

if (process.argv.includes('--child')) {
  process.send!(await measure());
  process.disconnect();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.target ? ` (target ${r.target})` : ''}\n`);
}
