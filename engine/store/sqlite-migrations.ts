import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { encodeStoredJson } from './payload-codec.ts';

/**
 * The SQLite store's schema, as versioned steps recorded in `PRAGMA user_version`. A store opened
 * by this code is brought up to the newest step at start; a store written by newer code (a higher
 * version) is refused rather than misread. Steps only ever get appended.
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  // The original tables (idempotent: stores created before versioning hold them at version 0).
  { version: 1, name: 'records, history, memberships, effects', sql: readFileSync(new URL('./schema.sql', import.meta.url), 'utf8') },
  {
    version: 2,
    name: 'due time index: claims and wake-ups cost the same whatever the backlog',
    // due_at: when a pending record may next be claimed (its availability or the end of its
    // lease, whichever is later); NULL once finished. One index range answers both the claim and
    // the earliest-due look-up, instead of scanning every pending record of a flow.
    sql: `
      ALTER TABLE records ADD COLUMN due_at INTEGER;
      UPDATE records SET due_at = max(available_at, coalesce(lease_until, 0)) WHERE status = 'pending';
      CREATE INDEX records_due ON records (flow, due_at) WHERE status = 'pending';
      DROP INDEX IF EXISTS records_ready;
    `,
  },
  {
    version: 3,
    name: 'audit log; finished-time index for the console',
    // The audit log is append-only. records_finished serves "outcomes of the last day" and the
    // throughput chart without reading every finished record the store ever kept.
    sql: `
      CREATE TABLE audit (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        actor  TEXT    NOT NULL,
        action TEXT    NOT NULL,
        ok     INTEGER NOT NULL,
        target TEXT,
        detail TEXT
      );
      CREATE INDEX audit_action ON audit (action, id);
      CREATE INDEX records_finished ON records (finished_at) WHERE finished_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'finished and dead records indexed for the console: its overview reads no finished record',
    // Covering: "outcomes of the last day per flow", the throughput chart and the dead-letter
    // counts read index entries only. Partial: written when a record finishes or dies, never on
    // the intake path.
    sql: `
      DROP INDEX IF EXISTS records_finished;
      CREATE INDEX records_recent ON records (flow, outcome, finished_at) WHERE finished_at IS NOT NULL;
      CREATE INDEX records_dead ON records (flow) WHERE status = 'dead';
    `,
  },
  {
    version: 5,
    name: 'create-sent marks: a create whose answer was lost, even to a kill, still ends "created"',
    // A row per pending record whose create was about to go out (OutcomeBatch.createSent). Before
    // this step a failed attempt said so in its history detail ({"sent":"create"}): a pending
    // record with such an entry after its last finish (a replay starts afresh) is marked, so
    // records in flight across the upgrade keep what they knew.
    sql: `
      CREATE TABLE create_sent (record_id INTEGER PRIMARY KEY);
      INSERT INTO create_sent (record_id)
      SELECT DISTINCT h.record_id FROM history h JOIN records r ON r.id = h.record_id
       WHERE r.status = 'pending' AND json_extract(h.detail, '$.sent') = 'create'
         AND NOT EXISTS (SELECT 1 FROM history later WHERE later.record_id = h.record_id AND later.rowid > h.rowid AND later.outcome <> 'failed');
    `,
  },
  {
    version: 6,
    name: 'payloads kept by payload-codec.ts (a field table, about a third of the JSON), last in the row',
    // The table is rebuilt rather than updated in place: a row that shrinks where it is leaves the
    // space free inside its page, and record ids only grow, so no later row would fill it. The
    // copy is packed; the old table's pages go to the free list for the records that follow.
    // raw moves to the end of the row: a large payload spills onto overflow pages, which a query
    // reading only the columns before it never has to follow.
    sql: `
      CREATE TABLE records_packed (
        id           INTEGER PRIMARY KEY,
        flow         TEXT    NOT NULL,
        dedupe_key   TEXT    NOT NULL,
        trigger      TEXT    NOT NULL,
        received_at  INTEGER NOT NULL,
        subject      TEXT,
        txn          TEXT,
        status       TEXT    NOT NULL DEFAULT 'pending',
        available_at INTEGER NOT NULL,
        due_at       INTEGER,
        lease_until  INTEGER,
        attempts     INTEGER NOT NULL DEFAULT 0,
        outcome      TEXT,
        reason       TEXT,
        error_code   TEXT,
        finished_at  INTEGER,
        raw          BLOB,
        UNIQUE (flow, dedupe_key)
      );
      INSERT INTO records_packed (id, flow, dedupe_key, trigger, received_at, subject, txn, status, available_at, due_at,
                                  lease_until, attempts, outcome, reason, error_code, finished_at, raw)
      SELECT id, flow, dedupe_key, trigger, received_at, subject, txn, status, available_at, due_at,
             lease_until, attempts, outcome, reason, error_code, finished_at, payload_encode(raw)
        FROM records ORDER BY id;
      DROP TABLE records;
      ALTER TABLE records_packed RENAME TO records;
      CREATE INDEX records_subject ON records (flow, subject) WHERE status = 'pending';
      CREATE INDEX records_txn     ON records (flow, txn) WHERE status = 'pending';
      CREATE INDEX records_flow    ON records (flow, status, id);
      CREATE INDEX records_due     ON records (flow, due_at) WHERE status = 'pending';
      CREATE INDEX records_recent  ON records (flow, outcome, finished_at) WHERE finished_at IS NOT NULL;
      CREATE INDEX records_dead    ON records (flow) WHERE status = 'dead';
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class StoreSchemaError extends Error {
  constructor(found: number) {
    super(`the store's schema is version ${found}, newer than this engine knows (${SCHEMA_VERSION}); upgrade the engine`);
    this.name = 'StoreSchemaError';
  }
}

/**
 * Applies every step newer than the store's version, each in its own transaction. Returns the steps
 * applied. `upTo` stops at an older step: a store as an earlier release left it, for the tests of
 * the steps after it.
 */
export function migrate(db: Database.Database, upTo = SCHEMA_VERSION): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw new StoreSchemaError(current);
  if (current < upTo) {
    // Step 6 encodes the stored payloads: JSON text as earlier steps kept it (bytes already
    // encoded, or none, pass as they are).
    db.function('payload_encode', { deterministic: true }, (raw: unknown) => (typeof raw === 'string' ? encodeStoredJson(raw) : raw));
  }
  const applied: number[] = [];
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > upTo) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    })();
    applied.push(step.version);
  }
  return applied;
}
