import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { toNewRecords } from '../runtime/intake.ts';
import type { NewRecord, Store } from '../store/types.ts';
import { AccountWorker, type WorkerOptions } from '../worker/account-worker.ts';
import { readCsvRows } from './csv-rows.ts';
import { dryRunDestination } from '../runtime/dry-run.ts';

export interface BackfillOptions {
  /** Where the rows are queued and their outcomes kept: a store of its own, not the server's live one. */
  store: Store;
  /** Decide every row against the live account but send no writes (give it a throwaway store). */
  dryRun?: boolean;
  /** Treat every row as a mailing-list member (an export of the mailing-list report). */
  onList?: boolean;
  /** Stops after the current round; what is finished stays finished, the rest is done on the next run. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  log?: Logger;
  worker?: Partial<WorkerOptions>;
  now?: () => number;
}

export interface BadRow {
  line: number;
  reason: string;
}

export interface BackfillSummary {
  /** Usable rows in the file. */
  total: number;
  /** Rows already finished by an earlier, interrupted run. */
  resumedDone: number;
  bad: BadRow[];
  /** Outcome (skips and dead letters with their reason) → rows, for this file's rows. */
  outcomes: Record<string, number>;
  /** Rows not finished yet (interrupted, waiting for a retry, or the account paused). */
  pending: number;
  aborted: boolean;
  /** Why the account could not be written to, when it could not. */
  blocked: string | null;
}

const INGEST_CHUNK = 1000;

/**
 * Brings older Flipcause contacts (an export CSV) into MailerLite through the SAME flow as live
 * webhooks: each row becomes a raw record the normaliser understands, is queued in the store
 * (dedupe key `backfill:<file fingerprint>:<line>`) and drained by the flow's AccountWorker, so
 * the mapping, the mode policy and the account's rate budget all apply. Resuming is the store's
 * job: re-queuing a row that is already there is absorbed, finished rows are never claimed again.
 */
export async function runBackfill(flow: CompiledFlow, csv: Buffer, options: BackfillOptions): Promise<BackfillSummary> {
  const now = options.now ?? Date.now;
  const store = options.store;
  const fingerprint = createHash('sha256').update(csv).digest('hex').slice(0, 12);
  const prefix = `backfill:${fingerprint}:`;
  const { backfill } = flow.sourceAdapter;
  const { rows } = await readCsvRows(csv, backfill.columnTargets);

  const bad: BadRow[] = [];
  const records: NewRecord[] = [];
  for (const row of rows) {
    if ('bad' in row) {
      bad.push({ line: row.line, reason: row.bad });
      continue;
    }
    const raw = backfill.record(flow.sourceConfig, row.values, { line: row.line, onList: options.onList ?? false });
    const status = flow.source.normalise(raw).contact?.email_status ?? 'missing';
    if (status !== 'ok') {
      bad.push({ line: row.line, reason: status === 'missing' ? 'no email' : 'invalid email' });
      continue;
    }
    const [record] = toNewRecords(flow, [{ trigger: 'new_contact', recordId: `backfill-${row.line}`, dedupeKey: prefix + row.line, raw }], now());
    // No settle window: an export has one row per contact, nothing else of its transaction to wait for.
    records.push({ ...record!, availableAt: 0 });
  }
  const total = records.length;

  const metaKey = `${prefix}rows`;
  const earlier = store.getMeta(metaKey) !== undefined;
  for (let i = 0; i < records.length; i += INGEST_CHUNK) store.ingest([records.slice(i, i + INGEST_CHUNK)], now());
  store.setMeta(metaKey, String(total));
  const mine = () => allRecords(store, flow.id).filter((r) => r.dedupeKey.startsWith(prefix));
  const pendingIds = mine().filter((r) => r.status === 'pending').map((r) => r.id);
  // Leases left by an interrupted run: nothing else works on this store's backfill rows.
  store.release(pendingIds);
  const resumedDone = earlier ? total - pendingIds.length : 0;

  const runFlow = options.dryRun ? { ...flow, destination: dryRunDestination(flow.destination) } : flow;
  const worker = new AccountWorker(flow.accountKey, [runFlow], store, options.log ?? silentLogger, {}, { ...options.worker, now });
  const pendingOf = () => store.stats().find((s) => s.flow === flow.id)?.pending ?? 0;
  const progress = () => options.onProgress?.(Math.max(0, Math.min(total, total - pendingOf())), total);
  progress();
  let aborted = false;
  for (;;) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    // A round returns false once nothing is ready and no decided write is waiting to be sent.
    const worked = await worker.round();
    progress();
    if (!worked) break;
  }

  const outcomes: Record<string, number> = {};
  let pending = 0;
  for (const r of mine()) {
    if (r.status === 'pending') {
      pending++;
      continue;
    }
    const key = r.outcome === 'skipped' || r.outcome === 'dead' ? `${r.outcome} (${r.reason ?? 'no reason'})` : (r.outcome ?? 'unknown');
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  if (pending === 0) store.setMeta(`${prefix}finished_at`, new Date(now()).toISOString());
  const status = worker.status();
  const blocked = status.paused ? `${status.paused.code}: ${status.paused.message}` : (status.notReady[flow.id] ?? null);
  return { total, resumedDone, bad: bad.sort((a, b) => a.line - b.line), outcomes, pending, aborted, blocked };
}

function allRecords(store: Store, flow: string) {
  const out = [];
  for (let afterId = 0; ;) {
    const page = store.records({ flow, limit: 1000, afterId });
    out.push(...page);
    if (page.length < 1000) return out;
    afterId = page[page.length - 1]!.id;
  }
}
