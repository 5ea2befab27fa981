/**
 * The dry run: the real worker over a throwaway in-memory store, its destination wrapped so that
 * look-ups (and the account's groups and fields) are read for real while every write intent is
 * answered locally as if it had succeeded. `engine run --dry-run` and `engine backfill --dry-run`
 * both run this way, so a dry run decides exactly what a real run would.
 */
import { silentLogger } from '../log/logger.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Destination } from '../ports/destination.ts';
import type { Intent, IntentResult, RequestDescription, WriteIntent } from '../ports/intents.ts';
import type { IntakeRecord } from '../ports/source.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { OutcomeEntry } from '../store/types.ts';
import { AccountWorker } from '../worker/account-worker.ts';
import { toNewRecords } from './intake.ts';

/**
 * A destination that reads for real and writes nothing: look-ups go to the account (under its
 * rate budget), so decisions are the real ones, while every write is answered locally as done.
 * Each answered write gets its own placeholder subscriber id, handed to `onWrite`, so what it
 * stood for can be found again from the outcome the worker records. Changes to the account's
 * directory or deletions are refused: nothing in a dry run may send them.
 */
export function dryRunDestination(real: Destination, onWrite?: (subscriberId: string, intent: WriteIntent) => void): Destination {
  let written = 0;
  const answer = (intent: WriteIntent): IntentResult => {
    const subscriberId = `dry-run-${++written}`;
    onWrite?.(subscriberId, intent);
    return { ok: true, subscriberId, created: intent.kind === 'create', found: null };
  };
  const refuse = (): never => {
    throw new Error('a dry run sends no writes');
  };
  return {
    accountKey: real.accountKey,
    findSubscriber: (email) => real.findSubscriber(email),
    listGroups: (options) => real.listGroups(options),
    listFields: (options) => real.listFields(options),
    createGroup: refuse,
    createField: refuse,
    deleteSubscriber: refuse,
    roundCapacity: () => real.roundCapacity(),
    cost: (intent) => real.cost(intent),
    describe: (intent) => real.describe(intent),
    async apply(intents, options) {
      const reads = intents.filter((i) => i.kind === 'look_up');
      const answers = reads.length > 0 ? await real.apply(reads, options) : [];
      let i = 0;
      return intents.map((intent: Intent) => (intent.kind === 'look_up' ? answers[i++]! : answer(intent)));
    },
  };
}

/** What a dry run decided for one record (or for the unit it belongs to). */
export interface DryRunLine {
  /** `trigger:recordId` of every record this line covers. */
  records: string[];
  outcome: 'create' | 'update' | 'no_change' | 'skip' | 'error';
  reason?: string;
  rule?: string;
  /** The destination state the look-up found. */
  state?: string;
  /** The writes a real run would send, in order (as the destination describes them). */
  requests: RequestDescription[];
}

interface Detail {
  rule?: string;
  ml_status?: string;
  subscriber?: string;
  into?: number;
}

function lineOf(entry: OutcomeEntry, writes: ReadonlyMap<string, RequestDescription[]>): Omit<DryRunLine, 'records'> {
  const detail = (entry.detail ?? {}) as Detail;
  const decided = { ...(detail.rule ? { rule: detail.rule } : {}), ...(detail.ml_status ? { state: detail.ml_status } : {}) };
  switch (entry.outcome) {
    case 'created':
    case 'updated': {
      if (entry.reason === 'no_change') return { outcome: 'no_change', ...decided, requests: [] };
      return { outcome: entry.outcome === 'created' ? 'create' : 'update', ...decided, requests: writes.get(detail.subscriber ?? '') ?? [] };
    }
    case 'skipped':
      return { outcome: 'skip', ...(entry.reason ? { reason: entry.reason } : {}), ...decided, requests: [] };
    default:
      return { outcome: 'error', ...(entry.reason ? { reason: entry.reason } : {}), requests: [] };
  }
}

/**
 * Runs a delivery through the flow's real worker as a dry run (see dryRunDestination) and says,
 * per unit of records, what was decided and which writes a real run would send. List membership
 * comes from the delivery alone (the store is new: no history of earlier sign-ups); the settle
 * window is not waited for, the whole delivery is here.
 */
export async function dryRun(flow: CompiledFlow, records: readonly IntakeRecord[]): Promise<DryRunLine[]> {
  const writes = new Map<string, RequestDescription[]>();
  const destination = dryRunDestination(flow.destination, (id, intent) => writes.set(id, flow.destination.describe(intent)));
  const store = openSqliteStore({ file: ':memory:' });
  // The order the worker finishes records in is the order of its units: a unit's primary record
  // first, then the others of the unit (coalesced into it, or given the very same entry).
  const finished: { id: number; entry: OutcomeEntry }[] = [];
  const apply = store.applyOutcomes.bind(store);
  store.applyOutcomes = async (batch) => {
    await apply(batch);
    finished.push(...batch.finished);
  };
  const worker = new AccountWorker(flow.accountKey, [{ ...flow, destination }], store, silentLogger, {}, {
    now: () => Date.now() + flow.settleMs + 1000,
  });
  try {
    await store.ingest([toNewRecords(flow, records, Date.now())], Date.now());
    await worker.drain();
    const stored = await store.records({ flow: flow.id, limit: records.length + 1 });
    const keyOf = new Map(stored.map((r) => [r.id, r.dedupeKey]));
    const lines: DryRunLine[] = [];
    const lineById = new Map<number, DryRunLine>();
    let previous: { entry: OutcomeEntry; line: DryRunLine } | null = null;
    for (const { id, entry } of finished) {
      const key = keyOf.get(id)!;
      const into = (entry.detail as Detail | undefined)?.into;
      const joined = into !== undefined ? lineById.get(into) : previous?.entry === entry ? previous.line : undefined;
      if (joined) {
        joined.records.push(key);
        lineById.set(id, joined);
        continue;
      }
      const line: DryRunLine = { records: [key], ...lineOf(entry, writes) };
      lines.push(line);
      lineById.set(id, line);
      previous = { entry, line };
    }
    // Records the worker could not finish (the account refused, a group is missing, a failure
    // that would be retried later) are errors here, with the reason the worker holds them for.
    const status = worker.status();
    const held = status.paused ? `${status.paused.code}: ${status.paused.message}` : status.notReady[flow.id];
    for (const r of stored) {
      if (r.status !== 'pending') continue;
      const reason = [r.errorCode, r.reason].filter(Boolean).join(': ') || held || 'not finished';
      lines.push({ records: [r.dedupeKey], outcome: 'error', reason, requests: [] });
    }
    return lines;
  } finally {
    await worker.stop();
    await store.close();
  }
}
