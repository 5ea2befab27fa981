import pg from 'pg';
import { migratePostgres } from './postgres-migrations.ts';
import { claimed, firstReady, siblingKeys } from './claim-plan.ts';
import { foldOverview, foldStats, type StatusCount } from './flow-stats.ts';
import { toRecord, type RecordRow } from './record-row.ts';
import type {
  AuditAction, AuditEntry, AuditQuery, Effect, FlowOverview, FlowStats, HistoryEntry, IngestResult, NewRecord, Outcome,
  OutcomeBatch, OutcomeEntry, RecordQuery, RecordStatus, StoredAuditEntry, Store, StoredRecord, ThroughputBucket,
} from './types.ts';

function detailOf(entry: OutcomeEntry): string | null {
  return entry.detail === undefined ? null : JSON.stringify(entry.detail);
}

const INT8 = 20;
/**
 * BIGINT columns (ids, millisecond times, counts) as numbers: every one of them stays far below
 * 2^53, and the store's interface speaks numbers. Per pool, so no other pg user is affected.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections this process keeps at most (intake commits, the workers, the admin API). */
  poolSize?: number;
  /** Used in pg_stat_activity, so an operator sees which engine holds which connection. */
  applicationName?: string;
}

/**
 * The store on PostgreSQL, for several engine instances on one database. Every multi-row write
 * is one statement or one transaction; claims lock the records they take (FOR UPDATE SKIP LOCKED),
 * so two claimers never take the same record and never wait on each other.
 */
export interface PostgresStore extends Store {
  /** The connections, for the account leases that share them (postgres-leases.ts). */
  readonly pool: pg.Pool;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: TYPES,
    application_name: options.applicationName ?? 'mailerlite-sync-engine',
    // A database that does not answer is a failed commit (503), not a request that hangs past
    // Flipcause's 3 s: the connection attempt gives up first.
    connectionTimeoutMillis: 2_000,
    keepAlive: true,
  });
  // An idle connection the server dropped (restart, pg_terminate_backend) is discarded by the
  // pool; without a listener its error would end the process.
  pool.on('error', () => undefined);
  const client = await pool.connect().catch(async (err: unknown) => {
    await pool.end().catch(() => undefined);
    throw err;
  });
  client.on('error', () => undefined);
  try {
    await migratePostgres(client);
  } catch (err) {
    client.release(true);
    await pool.end().catch(() => undefined);
    throw err;
  }
  client.release();

  async function q<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    return pool.query<R>(text, values);
  }

  /** One transaction on one connection; a connection that failed mid-way is thrown away, not reused. */
  async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    // Checked out, the pool no longer listens: a connection cut between two statements would
    // otherwise be an uncaught 'error' event. The statement in progress fails on its own.
    const ignore = (): void => undefined;
    c.on('error', ignore);
    let broken = false;
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => void (broken = true));
      throw err;
    } finally {
      c.off('error', ignore);
      c.release(broken);
    }
  }

  return {
    /**
     * Every delivery's records in ONE statement (one commit): inserted with their delivery's
     * index, duplicates absorbed by the (flow, dedupe_key) key, flows touched in a fixed order so
     * concurrent commits on two instances cannot deadlock on flow_activity.
     */
    async ingest(deliveries: NewRecord[][], now: number): Promise<IngestResult[]> {
      const cols = { d: [] as number[], flow: [] as string[], key: [] as string[], trigger: [] as string[], raw: [] as string[], subject: [] as (string | null)[], txn: [] as (string | null)[], available: [] as number[] };
      const flows = new Set<string>();
      deliveries.forEach((records, d) => {
        const first = records[0];
        if (first) flows.add(first.flow);
        for (const r of records) {
          cols.d.push(d); cols.flow.push(r.flow); cols.key.push(r.dedupeKey); cols.trigger.push(r.trigger);
          cols.raw.push(JSON.stringify(r.raw)); cols.subject.push(r.subject); cols.txn.push(r.txn); cols.available.push(r.availableAt);
        }
      });
      const { rows } = await q<{ d: number; n: number }>(
        `WITH input AS (
           SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
                    WITH ORDINALITY AS t(d, flow, dedupe_key, trigger, raw, subject, txn, available_at, ord)
         ), ins AS (
           INSERT INTO records (flow, dedupe_key, trigger, raw, received_at, subject, txn, available_at, due_at)
           SELECT flow, dedupe_key, trigger, raw, $9, subject, txn, available_at, available_at FROM input ORDER BY ord
           ON CONFLICT (flow, dedupe_key) DO NOTHING
           RETURNING flow, dedupe_key
         ), touched AS (
           INSERT INTO flow_activity (flow, last_delivery_at)
           SELECT f, $9 FROM unnest($10::text[]) AS f ORDER BY f
           ON CONFLICT (flow) DO UPDATE SET last_delivery_at = GREATEST(flow_activity.last_delivery_at, excluded.last_delivery_at)
         )
         -- A key twice in one batch is inserted once: the first delivery that holds it owns it.
         SELECT (SELECT min(i.d) FROM input i WHERE i.flow = ins.flow AND i.dedupe_key = ins.dedupe_key) AS d, count(*)::int AS n
           FROM ins GROUP BY 1`,
        [cols.d, cols.flow, cols.key, cols.trigger, cols.raw, cols.subject, cols.txn, cols.available, now, [...flows].sort()],
      );
      const accepted = new Map(rows.map((r) => [r.d, r.n]));
      return deliveries.map((records, d) => {
        const n = accepted.get(d) ?? 0;
        return { accepted: n, duplicates: records.length - n };
      });
    },

    /**
     * Each flow's earliest due records (an index range per flow, whatever the backlog), the
     * earliest of those across the account's flows, then every pending sibling (same subject or
     * transaction) not leased elsewhere; all locked with SKIP LOCKED and leased in one transaction.
     */
    async claim(flows: readonly string[], now: number, limit: number, leaseMs: number, busy: ReadonlySet<string> = new Set()): Promise<StoredRecord[]> {
      if (flows.length === 0 || limit <= 0) return [];
      return tx(async (c) => {
        const { rows: ready } = await c.query<RecordRow>(
          `SELECT r.* FROM unnest($1::text[]) AS f(flow)
             CROSS JOIN LATERAL (
               SELECT * FROM records
                WHERE records.flow = f.flow AND status = 'pending' AND due_at <= $2
                ORDER BY due_at, id LIMIT $3
                FOR UPDATE SKIP LOCKED
             ) r`,
          [[...flows], now, limit * 2],
        );
        const first = firstReady(ready, busy, limit);
        const siblingRows: RecordRow[] = [];
        for (const [flow, keys] of siblingKeys(first)) {
          const { rows } = await c.query<RecordRow>(
            `SELECT * FROM records
              WHERE status = 'pending' AND flow = $1 AND (lease_until IS NULL OR lease_until <= $2)
                AND (subject = ANY($3::text[]) OR txn = ANY($4::text[]))
              ORDER BY id
              FOR UPDATE SKIP LOCKED`,
            [flow, now, keys.subjects, keys.txns],
          );
          siblingRows.push(...rows);
        }
        const rows = claimed(first, siblingRows, busy);
        if (rows.length > 0) {
          await c.query(`UPDATE records SET lease_until = $1, due_at = GREATEST(available_at, $1) WHERE id = ANY($2::bigint[])`, [
            now + leaseMs, rows.map((r) => r.id),
          ]);
        }
        return rows.map(toRecord);
      });
    },

    async nextReadyAt(flows: readonly string[]): Promise<number | null> {
      if (flows.length === 0) return null;
      // One index probe per flow (the lowest due_at of its pending range).
      const { rows } = await q<{ at: number | null }>(
        `SELECT min(r.due_at) AS at FROM unnest($1::text[]) AS f(flow)
           CROSS JOIN LATERAL (SELECT due_at FROM records WHERE records.flow = f.flow AND status = 'pending' ORDER BY due_at LIMIT 1) r`,
        [[...flows]],
      );
      return rows[0]?.at ?? null;
    },

    async finish(id: number, entry: OutcomeEntry, now: number): Promise<void> {
      await q(
        `WITH f AS (
           UPDATE records SET status = $2, outcome = $3, reason = $4, error_code = $5, finished_at = $6,
                  lease_until = NULL, due_at = NULL, attempts = attempts + 1
            WHERE id = $1 RETURNING id, attempts
         ), unmarked AS (
           DELETE FROM create_sent WHERE record_id IN (SELECT id FROM f)
         )
         INSERT INTO history (record_id, at, attempt, outcome, reason, error_code, detail)
         SELECT id, $6, attempts, $3, $4, $5, $7 FROM f`,
        [id, entry.outcome === 'dead' ? 'dead' : 'done', entry.outcome, entry.reason ?? null, entry.errorCode ?? null, now,
          detailOf(entry)],
      );
    },

    async retryLater(ids: readonly number[], availableAt: number, entry: OutcomeEntry, now: number): Promise<void> {
      if (ids.length === 0) return;
      await q(
        `WITH r AS (
           UPDATE records SET available_at = $2, due_at = $2, lease_until = NULL, attempts = attempts + 1,
                  outcome = 'failed', reason = $3, error_code = $4
            WHERE id = ANY($1::bigint[]) AND status = 'pending' RETURNING id, attempts
         )
         INSERT INTO history (record_id, at, attempt, outcome, reason, error_code, detail)
         SELECT id, $5, attempts, $6, $3, $4, $7 FROM r ORDER BY id`,
        [[...ids], availableAt, entry.reason ?? null, entry.errorCode ?? null, now, entry.outcome,
          detailOf(entry)],
      );
    },

    /**
     * One step's writes as ONE statement (so one commit and one round trip): every part is a
     * data-modifying CTE over unnested arrays. No record is in two lists, so no row is touched twice.
     */
    async applyOutcomes(batch: OutcomeBatch): Promise<void> {
      const fin = { id: [] as number[], outcome: [] as string[], reason: [] as (string | null)[], code: [] as (string | null)[], at: [] as number[], detail: [] as (string | null)[] };
      for (const f of batch.finished) {
        fin.id.push(f.id); fin.outcome.push(f.entry.outcome); fin.reason.push(f.entry.reason ?? null);
        fin.code.push(f.entry.errorCode ?? null); fin.at.push(f.at); fin.detail.push(detailOf(f.entry));
      }
      const ret = { id: [] as number[], available: [] as number[], outcome: [] as string[], reason: [] as (string | null)[], code: [] as (string | null)[], at: [] as number[], detail: [] as (string | null)[] };
      for (const r of batch.retried) {
        for (const id of r.ids) {
          ret.id.push(id); ret.available.push(r.availableAt); ret.outcome.push(r.entry.outcome); ret.reason.push(r.entry.reason ?? null);
          ret.code.push(r.entry.errorCode ?? null); ret.at.push(r.at); ret.detail.push(detailOf(r.entry));
        }
      }
      if (fin.id.length + ret.id.length + batch.released.length + batch.listed.length + batch.effects.length + batch.createSent.length === 0) return;
      await q(
        `WITH fin AS (
           UPDATE records r SET status = CASE WHEN f.outcome = 'dead' THEN 'dead' ELSE 'done' END, outcome = f.outcome,
                  reason = f.reason, error_code = f.error_code, finished_at = f.at, lease_until = NULL, due_at = NULL,
                  attempts = r.attempts + 1
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS f(id, outcome, reason, error_code, at, detail)
            WHERE r.id = f.id
           RETURNING r.id, r.attempts, f.outcome, f.reason, f.error_code, f.at, f.detail
         ), unmarked AS (
           DELETE FROM create_sent WHERE record_id IN (SELECT id FROM fin)
         ), marked AS (
           -- Only a pending record is marked: a finished one has nothing left to send.
           INSERT INTO create_sent (record_id) SELECT id FROM records WHERE id = ANY($24::bigint[]) AND status = 'pending'
           ON CONFLICT DO NOTHING
         ), ret AS (
           UPDATE records r SET available_at = x.available_at, due_at = x.available_at, lease_until = NULL,
                  attempts = r.attempts + 1, outcome = 'failed', reason = x.reason, error_code = x.error_code
             FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[])
                  AS x(id, available_at, outcome, reason, error_code, at, detail)
            WHERE r.id = x.id AND r.status = 'pending'
           RETURNING r.id, r.attempts, x.outcome, x.reason, x.error_code, x.at, x.detail
         ), hist AS (
           INSERT INTO history (record_id, at, attempt, outcome, reason, error_code, detail)
           SELECT id, at, attempts, outcome, reason, error_code, detail FROM (SELECT * FROM fin UNION ALL SELECT * FROM ret) h ORDER BY id
         ), rel AS (
           UPDATE records SET lease_until = NULL, due_at = available_at WHERE id = ANY($14::bigint[]) AND status = 'pending'
         ), listed AS (
           INSERT INTO memberships (flow, subject, since)
           SELECT * FROM unnest($15::text[], $16::text[], $17::bigint[]) ON CONFLICT DO NOTHING
         )
         INSERT INTO effects (flow, record_id, subscriber_id, email, action, at)
         SELECT * FROM unnest($18::text[], $19::bigint[], $20::text[], $21::text[], $22::text[], $23::bigint[])`,
        [
          fin.id, fin.outcome, fin.reason, fin.code, fin.at, fin.detail,
          ret.id, ret.available, ret.outcome, ret.reason, ret.code, ret.at, ret.detail,
          batch.released,
          batch.listed.map((l) => l.flow), batch.listed.map((l) => l.subject), batch.listed.map((l) => l.at),
          batch.effects.map((e) => e.flow), batch.effects.map((e) => e.recordId), batch.effects.map((e) => e.subscriberId),
          batch.effects.map((e) => e.email), batch.effects.map((e) => e.action), batch.effects.map((e) => e.at),
          batch.createSent,
        ],
      );
    },

    async createsSent(ids: readonly number[]): Promise<Set<number>> {
      if (ids.length === 0) return new Set();
      const { rows } = await q<{ id: number }>(`SELECT record_id AS id FROM create_sent WHERE record_id = ANY($1::bigint[])`, [[...ids]]);
      return new Set(rows.map((r) => r.id));
    },

    async release(ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await q(`UPDATE records SET lease_until = NULL, due_at = available_at WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [[...ids]]);
    },

    async releaseAll(): Promise<number> {
      const r = await q(`UPDATE records SET lease_until = NULL, due_at = available_at WHERE lease_until IS NOT NULL AND status = 'pending'`);
      return r.rowCount ?? 0;
    },

    async isOnList(flow: string, subject: string): Promise<boolean> {
      const r = await q(`SELECT 1 FROM memberships WHERE flow = $1 AND subject = $2`, [flow, subject]);
      return (r.rowCount ?? 0) > 0;
    },

    async subjectsOnList(flow: string, subjects: readonly string[]): Promise<Set<string>> {
      if (subjects.length === 0) return new Set();
      const { rows } = await q<{ subject: string }>(`SELECT subject FROM memberships WHERE flow = $1 AND subject = ANY($2::text[])`, [flow, [...subjects]]);
      return new Set(rows.map((r) => r.subject));
    },

    async markOnList(flow: string, subject: string, now: number): Promise<void> {
      await q(`INSERT INTO memberships (flow, subject, since) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [flow, subject, now]);
    },

    async recordEffect(e: Effect): Promise<void> {
      await q(`INSERT INTO effects (flow, record_id, subscriber_id, email, action, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
        e.flow, e.recordId, e.subscriberId, e.email, e.action, e.at,
      ]);
    },

    async effects(flow: string, since: number, until = Number.MAX_SAFE_INTEGER): Promise<Effect[]> {
      const { rows } = await q<Effect>(
        `SELECT flow, record_id AS "recordId", subscriber_id AS "subscriberId", email, action, at
           FROM effects WHERE flow = $1 AND at >= $2 AND at <= $3 ORDER BY at, id`,
        [flow, since, until],
      );
      return rows;
    },

    async forgetEffect(flow: string, subscriberId: string): Promise<void> {
      await q(`DELETE FROM effects WHERE flow = $1 AND subscriber_id = $2`, [flow, subscriberId]);
    },

    async stats(): Promise<FlowStats[]> {
      const [counts, activity] = await Promise.all([
        q<StatusCount>(
          `SELECT flow, status, outcome, count(*) AS n, min(CASE WHEN status = 'pending' THEN received_at END) AS oldest
             FROM records GROUP BY flow, status, outcome`,
        ),
        q<{ flow: string; last_delivery_at: number }>(`SELECT flow, last_delivery_at FROM flow_activity`),
      ]);
      return foldStats(counts.rows, activity.rows);
    },

    async records(query: RecordQuery): Promise<StoredRecord[]> {
      const where = ['id > $1'];
      const values: unknown[] = [query.afterId ?? 0];
      const add = (column: string, value: string | undefined): void => {
        if (value === undefined) return;
        values.push(value);
        where.push(`${column} = $${values.length}`);
      };
      add('flow', query.flow);
      add('status', query.status);
      add('outcome', query.outcome);
      values.push(query.limit ?? 100);
      const { rows } = await q<RecordRow>(`SELECT * FROM records WHERE ${where.join(' AND ')} ORDER BY id ${query.newestFirst ? 'DESC' : ''} LIMIT $${values.length}`, values);
      return rows.map(toRecord);
    },

    async record(id: number): Promise<StoredRecord | undefined> {
      const { rows } = await q<RecordRow>(`SELECT * FROM records WHERE id = $1`, [id]);
      const r = rows[0];
      return r && toRecord(r);
    },

    async history(id: number): Promise<HistoryEntry[]> {
      const { rows } = await q<Omit<HistoryEntry, 'detail'> & { detail: string | null }>(
        `SELECT at, attempt, outcome, reason, error_code AS "errorCode", detail FROM history WHERE record_id = $1 ORDER BY id`,
        [id],
      );
      return rows.map((h) => ({ ...h, detail: h.detail === null ? undefined : JSON.parse(h.detail) }));
    },

    /** The console's fleet page: counts per flow, pending ages from the pending-only index, the last day's outcomes. */
    async overview(since: number): Promise<FlowOverview[]> {
      const [counts, oldest, recent, activity] = await Promise.all([
        q<{ flow: string; status: RecordStatus; n: number }>(`SELECT flow, status, count(*) AS n FROM records WHERE status IN ('pending', 'dead') GROUP BY flow, status`),
        q<{ flow: string; oldest: number }>(`SELECT flow, min(received_at) AS oldest FROM records WHERE status = 'pending' GROUP BY flow`),
        q<{ flow: string; outcome: Outcome; n: number }>(
          `SELECT flow, outcome, count(*) AS n FROM records WHERE finished_at >= $1 AND finished_at IS NOT NULL AND outcome IS NOT NULL GROUP BY flow, outcome`,
          [since],
        ),
        q<{ flow: string; last_delivery_at: number }>(`SELECT flow, last_delivery_at FROM flow_activity`),
      ]);
      const oldestOf = new Map(oldest.rows.map((r) => [r.flow, r.oldest]));
      return foldOverview({
        pending: counts.rows.filter((r) => r.status === 'pending').map((r) => ({ flow: r.flow, n: r.n, oldest: oldestOf.get(r.flow) ?? null })),
        dead: counts.rows.filter((r) => r.status === 'dead'),
        recent: recent.rows,
        activity: activity.rows,
      });
    },

    async throughput(since: number, bucketMs: number, flow?: string): Promise<ThroughputBucket[]> {
      const bucket = Math.max(1, Math.floor(bucketMs));
      const { rows } = await q<ThroughputBucket>(
        `SELECT finished_at - (finished_at % $2) AS at, outcome, count(*)::int AS count FROM records
          WHERE finished_at >= $1 AND finished_at IS NOT NULL AND outcome IS NOT NULL AND ($3::text IS NULL OR flow = $3)
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [since, bucket, flow ?? null],
      );
      return rows;
    },

    async coalescedInto(id: number): Promise<number[]> {
      const { rows } = await q<{ id: number }>(
        `SELECT DISTINCT record_id AS id FROM history
          WHERE outcome = 'skipped' AND detail IS NOT NULL AND detail::jsonb ->> 'into' = $1 ORDER BY record_id`,
        [String(id)],
      );
      return rows.map((r) => r.id);
    },

    async addAudit(entry: AuditEntry): Promise<void> {
      await q(`INSERT INTO audit (at, actor, action, ok, target, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
        entry.at, entry.actor, entry.action, entry.ok, entry.target, entry.detail === undefined ? null : JSON.stringify(entry.detail),
      ]);
    },

    async auditLog(query: AuditQuery): Promise<StoredAuditEntry[]> {
      const where: string[] = [];
      const values: unknown[] = [];
      if (query.beforeId !== undefined) {
        values.push(query.beforeId);
        where.push(`id < $${values.length}`);
      }
      if (query.action) {
        values.push(query.action);
        where.push(`action = $${values.length}`);
      }
      values.push(query.limit ?? 100);
      const { rows } = await q<{ id: number; at: number; actor: string; action: AuditAction; ok: boolean; target: string | null; detail: string | null }>(
        `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${values.length}`,
        values,
      );
      return rows.map((r): StoredAuditEntry => ({
        id: r.id, at: r.at, actor: r.actor, action: r.action, ok: r.ok, target: r.target,
        ...(r.detail === null ? {} : { detail: JSON.parse(r.detail) as unknown }),
      }));
    },

    async replay(ids: readonly number[], now: number): Promise<number> {
      if (ids.length === 0) return 0;
      const r = await q(
        `UPDATE records SET status = 'pending', available_at = $2, due_at = $2, lease_until = NULL, finished_at = NULL
          WHERE id = ANY($1::bigint[]) AND status <> 'pending' AND raw IS NOT NULL`,
        [[...ids], now],
      );
      return r.rowCount ?? 0;
    },

    async deadIds(flow: string): Promise<number[]> {
      const { rows } = await q<{ id: number }>(`SELECT id FROM records WHERE flow = $1 AND status = 'dead' ORDER BY id`, [flow]);
      return rows.map((r) => r.id);
    },

    async purgeRaw(before: number): Promise<number> {
      const r = await q(
        `WITH forgotten AS (DELETE FROM effects WHERE at < $1)
         UPDATE records SET raw = NULL WHERE status <> 'pending' AND finished_at < $1 AND raw IS NOT NULL`,
        [before],
      );
      return r.rowCount ?? 0;
    },

    async getMeta(key: string): Promise<string | undefined> {
      const { rows } = await q<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
      return rows[0]?.value;
    },

    async setMeta(key: string, value: string): Promise<void> {
      await q(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
    },

    async close(): Promise<void> {
      await pool.end();
    },

    pool,

  };
}
