import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { toNewRecords } from '../runtime/intake.ts';
import type { NewRecord, Store, StoredRecord } from '../store/types.ts';
import { AccountWorker, type WorkerOptions } from '../worker/account-worker.ts';
import type { ExportColumn } from '../ports/adapter.ts';
import { readCsvRows } from './csv-rows.ts';
import { dryRunDestination } from '../runtime/dry-run.ts';
import { backfillRows, type BackfillRow } from './backfill-rows.ts';
import { timedDestination } from './timed-destination.ts';

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
  /** Told once, before any row is queued, what the source made of the header row. */
  onExport?: (report: ExportReport) => void;
  /** Also give each row's decision (masked email, mapped field names): for a dry run's listing. */
  rows?: boolean;
  log?: Logger;
  worker?: Partial<WorkerOptions>;
  now?: () => number;
}

export interface BadRow {
  line: number;
  reason: string;
}

/** What the source made of the file's header row: which export it is, what is read and what is not. */
export interface ExportReport {
  format: string;
  mapped: ExportColumn[];
  ignored: string[];
}

/** The file is no export the flow's source reads (its header row says so). */
export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
}

export interface BackfillSummary {
  export: ExportReport;
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
  /** Wall-clock time of the run, and how much of it went waiting for the destination (its rate limit and its answers). */
  elapsedMs: number;
  destinationMs: number;
  /** Each row's decision, in line order (when asked for). */
  rows?: BackfillRow[];
}

const INGEST_CHUNK = 1000;

/**
 * Brings older contacts (a source's export CSV) into the destination through the SAME flow as
 * live webhooks: the source adapter reads the header row (which export, which columns feed what)
 * and turns each row into a raw record it normalises, dated as the row is; it is queued in the store
 * (dedupe key `backfill:<file fingerprint>:<line>`) and drained by the flow's AccountWorker, so
 * the mapping, the mode policy and the account's rate budget all apply. Resuming is the store's
 * job: re-queuing a row that is already there is absorbed, finished rows are never claimed again.
 */
export async function runBackfill(flow: CompiledFlow, csv: Buffer, options: BackfillOptions): Promise<BackfillSummary> {
  const now = options.now ?? Date.now;
  const store = options.store;
  const fingerprint = createHash('sha256').update(csv).digest('hex').slice(0, 12);
  const prefix = `backfill:${fingerprint}:`;
  const started = performance.now();
  const { exports } = flow.sourceAdapter;
  const { headers, rows } = await readCsvRows(csv);
  const layout = exports.detect(flow.sourceConfig, headers);
  if (layout === null) {
    throw new ExportFormatError(
      `not an export the ${flow.sourceAdapter.name} source reads: its columns are ${headers.length > 0 ? headers.map((h) => `"${h.trim()}"`).join(', ') : 'none (the file is empty)'}; expected ${exports.formats.join(' or ')}`,
    );
  }

  const exportReport: ExportReport = { format: layout.format, mapped: layout.mapped, ignored: layout.ignored };
  options.onExport?.(exportReport);

  const bad: BadRow[] = [];
  const records: NewRecord[] = [];
  for (const row of rows) {
    if ('bad' in row) {
      bad.push({ line: row.line, reason: row.bad });
      continue;
    }
    const raw = layout.toRecord(row.values, { line: row.line, onList: options.onList ?? false });
    const event = flow.source.normalise(raw);
    const status = event.contact?.email_status ?? 'missing';
    if (status !== 'ok') {
      bad.push({ line: row.line, reason: status === 'missing' ? 'no email' : 'invalid email' });
      continue;
    }
    const intake = { trigger: event.event.trigger, recordId: event.event.record_id, dedupeKey: prefix + row.line, raw };
    const [record] = toNewRecords(flow, [intake], now());
    // No settle window: an export has one row per contact, nothing else of its transaction to wait for.
    records.push({ ...record!, availableAt: 0 });
  }
  const total = records.length;

  const metaKey = `${prefix}rows`;
  const earlier = (await store.getMeta(metaKey)) !== undefined;
  for (let i = 0; i < records.length; i += INGEST_CHUNK) await store.ingest([records.slice(i, i + INGEST_CHUNK)], now());
  await store.setMeta(metaKey, String(total));
  const mine = async () => (await allRecords(store, flow.id)).filter((r) => r.dedupeKey.startsWith(prefix));
  const pendingIds = (await mine()).filter((r) => r.status === 'pending').map((r) => r.id);
  // Leases left by an interrupted run: nothing else works on this store's backfill rows.
  await store.release(pendingIds);
  const resumedDone = earlier ? total - pendingIds.length : 0;

  const timed = timedDestination(options.dryRun ? dryRunDestination(flow.destination) : flow.destination);
  const runFlow = { ...flow, backfill: true as const, destination: timed.destination };
  const worker = new AccountWorker(flow.accountKey, [runFlow], store, options.log ?? silentLogger, {}, { ...options.worker, now });
  const pendingOf = async () => (await store.stats()).find((s) => s.flow === flow.id)?.pending ?? 0;
  const progress = async () => {
    if (!options.onProgress) return;
    const pending = await pendingOf();
    options.onProgress(Math.max(0, Math.min(total, total - pending)), total);
  };
  await progress();
  let aborted = false;
  for (;;) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    // A round returns false once nothing is ready and no decided write is waiting to be sent.
    const worked = await worker.round();
    await progress();
    if (!worked) break;
  }

  const outcomes: Record<string, number> = {};
  let pending = 0;
  for (const r of await mine()) {
    if (r.status === 'pending') {
      pending++;
      continue;
    }
    const key = r.outcome === 'skipped' || r.outcome === 'dead' ? `${r.outcome} (${r.reason ?? 'no reason'})` : (r.outcome ?? 'unknown');
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  if (pending === 0) await store.setMeta(`${prefix}finished_at`, new Date(now()).toISOString());
  const status = worker.status();
  const blocked = status.paused ? `${status.paused.code}: ${status.paused.message}` : (status.notReady[flow.id] ?? null);
  const summary: BackfillSummary = {
    export: exportReport,
    total, resumedDone, bad: bad.sort((a, b) => a.line - b.line), outcomes, pending, aborted, blocked,
    elapsedMs: performance.now() - started, destinationMs: timed.waitedMs(),
  };
  if (options.rows) summary.rows = await backfillRows(runFlow, store, await mine(), prefix);
  return summary;
}

async function allRecords(store: Store, flow: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (let afterId = 0; ;) {
    const page = await store.records({ flow, limit: 1000, afterId });
    out.push(...page);
    if (page.length < 1000) return out;
    afterId = page[page.length - 1]!.id;
  }
}
