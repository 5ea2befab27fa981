/**
 * The one place a store is opened from what the operator said: `--store URL`, `--db FILE`, or
 * DATABASE_URL. SQLite stays the default; PostgreSQL is loaded only when asked for, so the
 * commands that never use it never load its driver.
 */
// pino's type directly: the store sits below engine/log in the folder graph.
import type { Logger } from 'pino';
import { reasonOf } from './failure-reason.ts';
import { SoleOwnership, type AccountOwnership } from './ownership.ts';
import type { InstanceView, LeaseView } from './postgres-leases.ts';
import type { Store } from './types.ts';

export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export const DEFAULT_SQLITE_FILE = 'engine.sqlite';

export class StoreLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLocationError';
  }
}

const POSTGRES = /^postgres(ql)?:\/\//i;

/**
 * Which store: `--store` (a postgres:// URL, or sqlite:FILE / a file path), else `--db FILE`,
 * else DATABASE_URL, else the default SQLite file. An explicit flag beats the environment.
 */
export function storeLocation(given: { store?: string; db?: string }, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (given.store !== undefined && given.db !== undefined) {
    throw new StoreLocationError('--store and --db both name a store: give one of them');
  }
  const spec = given.store ?? (given.db === undefined ? env.DATABASE_URL : undefined);
  if (spec === undefined || spec === '') return { kind: 'sqlite', file: given.db ?? DEFAULT_SQLITE_FILE };
  if (POSTGRES.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new StoreLocationError(`the store URL is not a valid URL (expected postgres://user:password@host:port/database)`);
    }
    if (url.pathname.length <= 1) throw new StoreLocationError(`the store URL ${redactedUrl(spec)} names no database (postgres://…/DATABASE)`);
    return { kind: 'postgres', url: spec };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new StoreLocationError(`the store ${redactedUrl(spec)} is neither a postgres:// URL nor a SQLite file`);
  }
  return { kind: 'sqlite', file: spec.replace(/^sqlite:/i, '') };
}

/** The location for logs and status: a URL's password is never shown. */
export function describeStore(location: StoreLocation): string {
  return location.kind === 'sqlite' ? `sqlite:${location.file}` : redactedUrl(location.url);
}

function redactedUrl(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return spec.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Whether a start-up failure is the store's: its schema is newer than this engine, or the
 * database refused or did not answer (network and PostgreSQL connection errors).
 */
export function isStoreOpenError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown };
  if (e?.name === 'PostgresSchemaError' || e?.name === 'StoreSchemaError') return true;
  const code = typeof e?.code === 'string' ? e.code : '';
  // Node's socket errors, and PostgreSQL's classes 08 (connection), 28 (authorisation), 3D (no such database), 57P (shutdown).
  return /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN|08|28|3D000|57P)/.test(code)
    || (e as Error)?.message === 'timeout expired' || /Connection terminated/.test((e as Error)?.message ?? '');
}

/** A store the server runs on, with how this instance shares it. */
export interface ServingStore {
  store: Store;
  /** Which accounts this instance drains: all of them on SQLite, leased ones on PostgreSQL. */
  ownership: AccountOwnership;
  /** The instances sharing the store and who drains what (PostgreSQL); null for SQLite. */
  cluster: ClusterView | null;
}

export interface ClusterView {
  instanceId: string;
  view(): Promise<{ instances: InstanceView[]; leases: LeaseView[] }>;
}

/**
 * A file store is served from a thread of its own (sqlite-thread.ts), so its commits and their
 * fsyncs never hold the event loop; ':memory:' (tests, dry runs) stays in-process, since a
 * thread's memory database would be its own.
 */
async function openSqliteServingStore(file: string, log: Logger, failed?: (reason: string) => void): Promise<Store> {
  if (file === ':memory:') {
    const { openSqliteStore } = await import('./sqlite.ts');
    return openSqliteStore({ file });
  }
  const { openThreadedSqliteStore } = await import('./sqlite-thread.ts');
  return openThreadedSqliteStore({
    file,
    onThreadExit: ({ cause, restarting, error }) => {
      if (restarting) return log.error({ cause }, "the store's thread stopped: calls it had not answered failed, a new thread took over");
      log.fatal({ cause }, "the store's thread stopped and is not started again: every delivery gets 503 until the server is restarted");
      failed?.(reasonOf(error));
    },
  });
}

export async function openServingStore(
  location: StoreLocation,
  opts: { log: Logger; leaseMs?: number; failed?: (reason: string) => void },
): Promise<ServingStore> {
  if (location.kind === 'sqlite') {
    const store = await openSqliteServingStore(location.file, opts.log, opts.failed);
    const ownership = new SoleOwnership(() => store.releaseAll(), (records) => opts.log.warn({ records }, 'took back records leased before a restart'));
    return { store, ownership, cluster: null };
  }
  const { openPostgresStore } = await import('./postgres.ts');
  const { PostgresLeases, DEFAULT_LEASE_MS } = await import('./postgres-leases.ts');
  const store = await openPostgresStore({ url: location.url });
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const leases = new PostgresLeases(store.pool, location.url, opts.log, { leaseMs });
  return {
    store,
    ownership: leases,
    cluster: { instanceId: leases.instanceId, view: () => PostgresLeases.fleet(store.pool, leaseMs) },
  };
}
