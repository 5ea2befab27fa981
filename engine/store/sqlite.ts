import Database from 'better-sqlite3';
import { migrate } from './sqlite-migrations.ts';
import { BACKSTOP_CHECKPOINT_PAGES, INLINE_CHECKPOINT_PAGES, startCheckpointer, type Checkpointer } from './sqlite-checkpointer.ts';
import { claimed, firstReady, siblingKeys } from './claim-plan.ts';
import { foldOverview, foldStats, type StatusCount } from './flow-stats.ts';
import { encodedRecord, type EncodedNewRecord } from './payload-codec.ts';
import { toRecord, type RecordRow } from './record-row.ts';
import type {
  AuditAction, AuditQuery, Effect, FlowStats, HistoryEntry, IngestResult, Outcome, OutcomeBatch,
  OutcomeEntry, RecordQuery, Store, StoredAuditEntry, StoredRecord, ThroughputBucket,
} from './types.ts';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests and dry runs. */
  file: string;
  /**
   * Checkpoint the write-ahead log from a thread of its own (sqlite-checkpointer.ts), so no commit
   * on the event loop copies it back: what a serving engine does. A file store only.
   */
  backgroundCheckpoint?: boolean;
  /**
   * How a records row becomes what the store hands out; record-row.ts's `toRecord` (payload
   * decoded) unless the caller reads rows otherwise: the store's thread sends the payload as
   * stored, decoded on the side that reads it (sqlite-thread-wire.ts).
   */
  recordOf?: (row: RecordRow) => StoredRecord;
}

/** The SQLite store, and what its thread is sent: deliveries whose payloads were encoded on the sending side. */
export interface SqliteStore extends Store {
  ingestEncoded(deliveries: EncodedNewRecord[][], now: number): Promise<IngestResult[]>;
}

/** How often the checkpointing thread copies the log back: short, so each copy is small. */
const CHECKPOINT_INTERVAL_MS = 100;

/**
 * SQLite store: WAL with synchronous=FULL, so a 200 is only sent for records on disk.
 * better-sqlite3 is synchronous: each method does its work when called and returns a settled
 * Promise, so a caller never waits on I/O it could overlap.
 */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const recordOf = options.recordOf ?? toRecord;
  let checkpointer: Checkpointer | null = null;
  if (options.backgroundCheckpoint && options.file !== ':memory:') {
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    checkpointer = startCheckpointer(options.file, CHECKPOINT_INTERVAL_MS, () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    });
  }

  // Positional parameters: binding by name costs an object per record on the intake path.
  const insert = db.prepare(
    `INSERT INTO records (flow, dedupe_key, trigger, raw, received_at, subject, txn, available_at, due_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (flow, dedupe_key) DO NOTHING`,
  );
  const touchFlow = db.prepare(
    `INSERT INTO flow_activity (flow, last_delivery_at) VALUES (?, ?)
     ON CONFLICT (flow) DO UPDATE SET last_delivery_at = excluded.last_delivery_at`,
  );
  // Per flow, an index range of records_due: the cost does not grow with the backlog.
  const ready = db.prepare(
    `SELECT * FROM records INDEXED BY records_due
      WHERE flow = @flow AND status = 'pending' AND due_at <= @now
      ORDER BY due_at, id LIMIT @limit`,
  );
  const nextReady = db.prepare(
    `SELECT min(due_at) AS at FROM records INDEXED BY records_due WHERE flow = ? AND status = 'pending'`,
  );
  // Two index look-ups (by subject, by transaction), not one OR: SQLite answers an OR of two IN
  // lists by reading every pending record of the flow, a cost that grows with the backlog.
  const siblings = db.prepare(
    `SELECT * FROM records INDEXED BY records_subject
      WHERE flow = @flow AND status = 'pending' AND subject IN (SELECT value FROM json_each(@subjects))
        AND (lease_until IS NULL OR lease_until <= @now)
     UNION
     SELECT * FROM records INDEXED BY records_txn
      WHERE flow = @flow AND status = 'pending' AND txn IN (SELECT value FROM json_each(@txns))
        AND (lease_until IS NULL OR lease_until <= @now)
     ORDER BY id`,
  );
  const lease = db.prepare(
    `UPDATE records SET lease_until = @until, due_at = max(available_at, @until) WHERE id IN (SELECT value FROM json_each(@ids))`,
  );
  const finishStmt = db.prepare(
    `UPDATE records SET status = @status, outcome = @outcome, reason = @reason, error_code = @errorCode,
            finished_at = @now, lease_until = NULL, due_at = NULL, attempts = attempts + 1
      WHERE id = @id RETURNING attempts`,
  );
  const retryStmt = db.prepare(
    `UPDATE records SET available_at = @availableAt, due_at = @availableAt, lease_until = NULL, attempts = attempts + 1,
            outcome = 'failed', reason = @reason, error_code = @errorCode
      WHERE id = @id AND status = 'pending' RETURNING attempts`,
  );
  const addHistory = db.prepare(
    `INSERT INTO history (record_id, at, attempt, outcome, reason, error_code, detail)
     VALUES (@id, @now, @attempt, @outcome, @reason, @errorCode, @detail)`,
  );
  const releaseStmt = db.prepare(
    `UPDATE records SET lease_until = NULL, due_at = available_at
      WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'`,
  );
  const releaseAllStmt = db.prepare(
    `UPDATE records SET lease_until = NULL, due_at = available_at WHERE lease_until IS NOT NULL AND status = 'pending'`,
  );
  // Only a pending record is marked: a finished one has nothing left to send.
  const markCreate = db.prepare(
    `INSERT INTO create_sent (record_id) SELECT id FROM records WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'
     ON CONFLICT DO NOTHING`,
  );
  const dropMark = db.prepare(`DELETE FROM create_sent WHERE record_id = ?`);
  const marked = db.prepare(`SELECT record_id AS id FROM create_sent WHERE record_id IN (SELECT value FROM json_each(?))`);
  const onList = db.prepare(`SELECT 1 FROM memberships WHERE flow = ? AND subject = ?`);
  const onListOf = db.prepare(
    `SELECT subject FROM memberships WHERE flow = ? AND subject IN (SELECT value FROM json_each(?))`,
  );
  const markList = db.prepare(`INSERT INTO memberships (flow, subject, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
  const addEffect = db.prepare(
    `INSERT INTO effects (flow, record_id, subscriber_id, email, action, at)
     VALUES (@flow, @recordId, @subscriberId, @email, @action, @at)`,
  );
  const effectsStmt = db.prepare(
    `SELECT flow, record_id AS recordId, subscriber_id AS subscriberId, email, action, at
       FROM effects WHERE flow = ? AND at >= ? AND at <= ? ORDER BY at`,
  );
  const forgetEffectStmt = db.prepare(`DELETE FROM effects WHERE flow = ? AND subscriber_id = ?`);
  const statusCounts = db.prepare(
    `SELECT flow, status, outcome, count(*) AS n, min(CASE WHEN status = 'pending' THEN received_at END) AS oldest
       FROM records GROUP BY flow, status, outcome`,
  );
  const activity = db.prepare(`SELECT flow, last_delivery_at FROM flow_activity`);
  const oneRecord = db.prepare(`SELECT * FROM records WHERE id = ?`);
  const historyStmt = db.prepare(
    `SELECT at, attempt, outcome, reason, error_code AS errorCode, detail FROM history WHERE record_id = ? ORDER BY rowid`,
  );
  const replayStmt = db.prepare(
    `UPDATE records SET status = 'pending', available_at = @now, due_at = @now, lease_until = NULL, finished_at = NULL
      WHERE id = @id AND status != 'pending' AND raw IS NOT NULL`,
  );
  const deadStmt = db.prepare(`SELECT id FROM records WHERE flow = ? AND status = 'dead' ORDER BY id`);
  const purgeStmt = db.prepare(`UPDATE records SET raw = NULL WHERE status != 'pending' AND finished_at < ? AND raw IS NOT NULL`);
  const purgeEffects = db.prepare(`DELETE FROM effects WHERE at < ?`);
  // The console's overview, from partial indexes only: pending records (count and age) from
  // records_due, dead letters from records_dead, the last day from records_recent. Its cost
  // follows the backlog and the day's traffic, not every record the store keeps.
  const overviewPending = db.prepare(
    `SELECT flow, count(*) AS n, min(received_at) AS oldest FROM records INDEXED BY records_due WHERE status = 'pending' GROUP BY flow`,
  );
  const overviewDead = db.prepare(`SELECT flow, count(*) AS n FROM records INDEXED BY records_dead WHERE status = 'dead' GROUP BY flow`);
  const overviewRecent = db.prepare(
    `SELECT flow, outcome, count(*) AS n FROM records INDEXED BY records_recent
      WHERE finished_at >= ? AND finished_at IS NOT NULL GROUP BY flow, outcome`,
  );
  const throughputAll = db.prepare(
    `SELECT finished_at - (finished_at % @bucket) AS at, outcome, count(*) AS count FROM records INDEXED BY records_recent
      WHERE finished_at >= @since AND finished_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const throughputFlow = db.prepare(
    `SELECT finished_at - (finished_at % @bucket) AS at, outcome, count(*) AS count FROM records INDEXED BY records_recent
      WHERE flow = @flow AND finished_at >= @since AND finished_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const coalescedStmt = db.prepare(
    `SELECT DISTINCT record_id AS id FROM history WHERE outcome = 'skipped' AND json_extract(detail, '$.into') = ? ORDER BY record_id`,
  );
  const addAuditStmt = db.prepare(
    `INSERT INTO audit (at, actor, action, ok, target, detail) VALUES (@at, @actor, @action, @ok, @target, @detail)`,
  );
  const getMetaStmt = db.prepare(`SELECT value FROM meta WHERE key = ?`);
  const setMetaStmt = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

  const ingestTx = db.transaction((deliveries: EncodedNewRecord[][], now: number): IngestResult[] => {
    // A commit carries many deliveries, mostly of the same few flows: each flow's last delivery
    // is written once per commit, not once per delivery.
    const flows = new Set<string>();
    const results = deliveries.map((records) => {
      let accepted = 0;
      // The payload as a field table (payload-codec.ts): about a third of its JSON text.
      for (const r of records) accepted += insert.run(r.flow, r.dedupeKey, r.trigger, Buffer.from(r.raw, 'utf8'), now, r.subject, r.txn, r.availableAt, r.availableAt).changes;
      const flow = records[0]?.flow;
      if (flow) flows.add(flow);
      return { accepted, duplicates: records.length - accepted };
    });
    for (const flow of flows) touchFlow.run(flow, now);
    return results;
  });

  const claimTx = db.transaction(
    (flows: readonly string[], now: number, limit: number, leaseMs: number, busy: ReadonlySet<string>) => {
      // Each flow's earliest due records, then the earliest of those across the account's flows.
      const first = firstReady(flows.flatMap((flow) => ready.all({ flow, now, limit: limit * 2 }) as RecordRow[]), busy, limit);
      const siblingRows: RecordRow[] = [];
      for (const [flow, keys] of siblingKeys(first)) {
        siblingRows.push(...(siblings.all({
          flow, now, subjects: JSON.stringify(keys.subjects), txns: JSON.stringify(keys.txns),
        }) as RecordRow[]));
      }
      const rows = claimed(first, siblingRows, busy);
      if (rows.length > 0) lease.run({ until: now + leaseMs, ids: JSON.stringify(rows.map((r) => r.id)) });
      return rows.map(recordOf);
    },
  );

  function history(id: number, attempt: number, entry: OutcomeEntry, now: number): void {
    addHistory.run({
      id, now, attempt, outcome: entry.outcome, reason: entry.reason ?? null, errorCode: entry.errorCode ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    });
  }

  const finishTx = db.transaction((id: number, entry: OutcomeEntry, now: number) => {
    const row = finishStmt.get({
      id, now, status: entry.outcome === 'dead' ? 'dead' : 'done', outcome: entry.outcome,
      reason: entry.reason ?? null, errorCode: entry.errorCode ?? null,
    }) as { attempts: number } | undefined;
    if (row) history(id, row.attempts, entry, now);
    dropMark.run(id);
  });

  const retryTx = db.transaction((ids: readonly number[], availableAt: number, entry: OutcomeEntry, now: number) => {
    for (const id of ids) {
      const row = retryStmt.get({ id, availableAt, reason: entry.reason ?? null, errorCode: entry.errorCode ?? null }) as
        | { attempts: number }
        | undefined;
      if (row) history(id, row.attempts, entry, now);
    }
  });

  const releaseIds = (ids: readonly number[]): void => void releaseStmt.run(JSON.stringify(ids));

  // Nested db.transaction calls (finishTx, retryTx) join this one as savepoints: one commit.
  const applyTx = db.transaction((batch: OutcomeBatch) => {
    for (const effect of batch.effects) addEffect.run(effect);
    for (const m of batch.listed) markList.run(m.flow, m.subject, m.at);
    if (batch.createSent.length > 0) markCreate.run(JSON.stringify(batch.createSent));
    for (const f of batch.finished) finishTx(f.id, f.entry, f.at);
    for (const r of batch.retried) retryTx(r.ids, r.availableAt, r.entry, r.at);
    if (batch.released.length > 0) releaseIds(batch.released);
  });

  const replayTx = db.transaction((ids: readonly number[], now: number) => {
    let n = 0;
    for (const id of ids) n += replayStmt.run({ id, now }).changes;
    return n;
  });

  const purgeTx = db.transaction((before: number) => {
    purgeEffects.run(before);
    return purgeStmt.run(before).changes;
  });

  function stats(): FlowStats[] {
    return foldStats(statusCounts.all() as StatusCount[], activity.all() as { flow: string; last_delivery_at: number }[]);
  }

  function records(q: RecordQuery): StoredRecord[] {
    const where: string[] = ['id > @afterId'];
    if (q.flow) where.push('flow = @flow');
    if (q.status) where.push('status = @status');
    if (q.outcome) where.push('outcome = @outcome');
    const sql = `SELECT * FROM records WHERE ${where.join(' AND ')} ORDER BY id ${q.newestFirst ? 'DESC' : ''} LIMIT @limit`;
    const rows = db.prepare(sql).all({
      afterId: q.afterId ?? 0, flow: q.flow, status: q.status, outcome: q.outcome, limit: q.limit ?? 100,
    }) as RecordRow[];
    return rows.map(recordOf);
  }

  function nextReadyAt(flows: readonly string[]): number | null {
    let next: number | null = null;
    for (const flow of flows) {
      const at = (nextReady.get(flow) as { at: number | null }).at;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  function historyOf(id: number): HistoryEntry[] {
    return (historyStmt.all(id) as (Omit<HistoryEntry, 'detail'> & { detail: string | null })[]).map((h) => ({
      ...h,
      detail: h.detail === null ? undefined : JSON.parse(h.detail),
    }));
  }

  // async: a statement that throws rejects the Promise, as a networked backend's failure would.
  return {
    ingest: async (deliveries, now) => ingestTx(deliveries.map((records) => records.map(encodedRecord)), now),
    ingestEncoded: async (deliveries, now) => ingestTx(deliveries, now),
    claim: async (flows, now, limit, leaseMs, busy = new Set()) => claimTx(flows, now, limit, leaseMs, busy),
    nextReadyAt: async (flows) => nextReadyAt(flows),
    finish: async (id, entry, now) => finishTx(id, entry, now),
    retryLater: async (ids, availableAt, entry, now) => retryTx(ids, availableAt, entry, now),
    release: async (ids) => releaseIds(ids),
    applyOutcomes: async (batch) => applyTx(batch),
    createsSent: async (ids) => new Set((marked.all(JSON.stringify(ids)) as { id: number }[]).map((r) => r.id)),
    releaseAll: async () => releaseAllStmt.run().changes,
    isOnList: async (flow, subject) => onList.get(flow, subject) !== undefined,
    subjectsOnList: async (flow, subjects) =>
      new Set((onListOf.all(flow, JSON.stringify(subjects)) as { subject: string }[]).map((r) => r.subject)),
    markOnList: async (flow, subject, now) => void markList.run(flow, subject, now),
    recordEffect: async (effect: Effect) => void addEffect.run(effect),
    effects: async (flow, since, until = Number.MAX_SAFE_INTEGER) => effectsStmt.all(flow, since, until) as Effect[],
    forgetEffect: async (flow, subscriberId) => void forgetEffectStmt.run(flow, subscriberId),
    stats: async () => stats(),
    records: async (q) => records(q),
    async record(id) {
      const r = oneRecord.get(id) as RecordRow | undefined;
      return r && recordOf(r);
    },
    history: async (id) => historyOf(id),
    // Every flow that ever had a delivery is in flow_activity, so no flow is missed.
    async overview(since) {
      return foldOverview({
        pending: overviewPending.all() as { flow: string; n: number; oldest: number }[],
        dead: overviewDead.all() as { flow: string; n: number }[],
        recent: overviewRecent.all(since) as { flow: string; outcome: Outcome; n: number }[],
        activity: activity.all() as { flow: string; last_delivery_at: number }[],
      });
    },
    async throughput(since, bucketMs, flow) {
      const bucket = Math.max(1, Math.floor(bucketMs));
      const rows = flow === undefined ? throughputAll.all({ since, bucket }) : throughputFlow.all({ since, bucket, flow });
      return rows as ThroughputBucket[];
    },
    coalescedInto: async (id) => (coalescedStmt.all(id) as { id: number }[]).map((r) => r.id),
    async addAudit(entry) {
      addAuditStmt.run({
        at: entry.at, actor: entry.actor, action: entry.action, ok: entry.ok ? 1 : 0, target: entry.target,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      });
    },
    async auditLog(q: AuditQuery) {
      const where: string[] = [];
      if (q.beforeId !== undefined) where.push('id < @beforeId');
      if (q.action) where.push('action = @action');
      const sql = `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      const rows = db.prepare(sql).all({ beforeId: q.beforeId, action: q.action, limit: q.limit ?? 100 }) as {
        id: number; at: number; actor: string; action: AuditAction; ok: number; target: string | null; detail: string | null;
      }[];
      return rows.map((r): StoredAuditEntry => ({
        id: r.id, at: r.at, actor: r.actor, action: r.action, ok: r.ok === 1, target: r.target,
        ...(r.detail === null ? {} : { detail: JSON.parse(r.detail) as unknown }),
      }));
    },
    replay: async (ids, now) => replayTx(ids, now),
    deadIds: async (flow) => (deadStmt.all(flow) as { id: number }[]).map((r) => r.id),
    purgeRaw: async (before) => purgeTx(before),
    getMeta: async (key) => (getMetaStmt.get(key) as { value: string } | undefined)?.value,
    setMeta: async (key, value) => void setMetaStmt.run(key, value),
    async close() {
      await checkpointer?.stop();
      db.close();
    },
  };
}
