import { readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * The PostgreSQL store's schema, as versioned steps recorded in `schema_migrations`. Every
 * instance brings the database up to the newest step it knows at start, in one transaction under
 * an advisory lock, so instances started together do not race (the second one waits, then finds
 * nothing left to do). A database written by newer code is refused rather than misread. Steps are
 * only ever appended.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'records, history, memberships, effects, flow activity, meta, audit log', sql: readFileSync(new URL('./postgres-schema.sql', import.meta.url), 'utf8') },
  {
    version: 2,
    name: 'account leases and live instances, for several engine instances on one database',
    // Times on the database's clock (ms). An instance row is what status shows of the fleet.
    sql: `
      CREATE TABLE account_leases (
        account    TEXT PRIMARY KEY,
        owner      TEXT   NOT NULL,
        since      BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE engine_instances (
        id         TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        seen_at    BIGINT NOT NULL,
        flows      TEXT[] NOT NULL,
        accounts   TEXT[] NOT NULL,
        -- What it serves: {"account": ["flow", …]}, so an instance serving fewer of an account's
        -- flows leaves the account to one serving more of them.
        served     JSONB  NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'create-sent marks: a create whose answer was lost, even to a kill, still ends "created"',
    // As SQLite's step 5: one row per pending record whose create was about to go out, and the
    // records in flight across the upgrade marked from the history detail that said so before.
    sql: `
      CREATE TABLE create_sent (record_id BIGINT PRIMARY KEY);
      INSERT INTO create_sent (record_id)
      SELECT DISTINCT h.record_id FROM history h JOIN records r ON r.id = h.record_id
       WHERE r.status = 'pending' AND h.detail IS NOT NULL AND h.detail::jsonb ->> 'sent' = 'create'
         AND NOT EXISTS (SELECT 1 FROM history later WHERE later.record_id = h.record_id AND later.id > h.id AND later.outcome <> 'failed');
    `,
  },
];

export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Taken for the whole migration transaction; an arbitrary constant of this engine ('mlsync' in ASCII). */
const MIGRATION_LOCK = 0x6d6c73796e63;

export class PostgresSchemaError extends Error {
  constructor(readonly found: number, readonly known: number = PG_SCHEMA_VERSION) {
    super(`the PostgreSQL store's schema is version ${found}, newer than this engine knows (${known}); upgrade the engine before starting it on this database`);
    this.name = 'PostgresSchemaError';
  }
}

/** Applies every step newer than the database's version; returns the steps applied. */
export async function migratePostgres(client: pg.ClientBase, migrations = MIGRATIONS): Promise<number[]> {
  const known = migrations[migrations.length - 1]?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    INTEGER PRIMARY KEY,
         name       TEXT NOT NULL,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current > known) throw new PostgresSchemaError(current, known);
    const applied: number[] = [];
    for (const step of migrations) {
      if (step.version <= current) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      applied.push(step.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
