// The server start is a composition root: it registers the built-in adapters.
import '../../adapters/index.ts';
import type { FlowConfig } from '../flow/types.ts';
import type { Logger } from '../log/logger.ts';
import { describeStore, openServingStore, type ClusterView, type StoreLocation } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import type { WorkerOptions } from '../worker/account-worker.ts';
import { buildApp } from './app.ts';
import { Fleet } from '../runtime/fleet.ts';
import type { FleetLoad } from '../runtime/load-flow.ts';
import { watchFlows, type FlowWatcher } from './flow-watcher.ts';
import type { HttpLimits } from './http-limits.ts';
import { Metrics } from './metrics.ts';
import { RateLimitLog } from '../console/rate-limit-log.ts';
import type { SessionOptions } from '../console/session.ts';

export interface ServerOptions {
  flows: string[];
  /** SQLite file (or ':memory:'), when `store` is not given. */
  db?: string;
  /** Where the store is (engine/store/open-store.ts); beats `db`. */
  store?: StoreLocation;
  /** PostgreSQL: how long an account stays owned by an instance that stopped renewing (the failover bound). */
  leaseMs?: number;
  port: number;
  host?: string;
  log: Logger;
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  worker?: Partial<WorkerOptions>;
  bodyLimit?: number;
  /** Timeouts, keep-alive and in-flight body limits of the HTTP server. */
  limits?: Partial<HttpLimits>;
  /** Processed raw records are purged after this many days. */
  retentionDays?: number;
  /** Reload flow files when they change on disk. */
  watch?: boolean;
  override?: (flow: FlowConfig) => FlowConfig;
  /** Console session lifetimes (tests shorten them). */
  sessions?: Partial<SessionOptions>;
  /** Reverse proxies whose X-Forwarded-For is believed (engine/server/trusted-proxies.ts). */
  trustProxy?: string[];
}

export interface RunningServer {
  url: string;
  store: Store;
  fleet: Fleet;
  /** The instances sharing the store (PostgreSQL); null on SQLite. */
  cluster: ClusterView | null;
  /** Reloads every flow file; `by` is who asked, for the audit log (default: a signal). */
  reload(by?: string): void;
  /** Graceful: intake answers 503, workers finish in-flight writes, the store closes. */
  close(): Promise<void>;
}

const DAY = 86_400_000;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { log } = opts;
  const location: StoreLocation = opts.store ?? { kind: 'sqlite', file: opts.db ?? ':memory:' };
  // Told when the store can no longer write at all, so /readyz says so before a delivery fails.
  let storeFailed = (_reason: string): void => undefined;
  // The store opens (SQLite's thread starting, or PostgreSQL's connection) while this thread reads
  // and compiles the flows, which need no store: with 1,000 flows both take a while.
  const opening = openServingStore(location, { log, leaseMs: opts.leaseMs, failed: (reason) => storeFailed(reason) });
  let read: FleetLoad;
  try {
    read = Fleet.read({ paths: opts.flows, env: opts.env, override: opts.override });
  } catch (err) {
    await opening.then((s) => s.store.close(), () => undefined);
    throw err;
  }
  const { store, ownership, cluster } = await opening;
  let fleet: Fleet | undefined;
  const metrics = new Metrics(store, () => fleet);
  const rateLimits = new RateLimitLog();
  fleet = new Fleet({ paths: opts.flows, store, log, env: opts.env, worker: opts.worker, hooks: rateLimits.listen(metrics.hooks()), override: opts.override, ownership });
  fleet.load(read);
  const { app, closeIntake, storeFailed: failed } = buildApp({
    fleet, store, log, metrics, adminToken: opts.adminToken, bodyLimit: opts.bodyLimit, limits: opts.limits, rateLimits, sessions: opts.sessions, cluster, trustProxy: opts.trustProxy,
  });
  storeFailed = failed;
  await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://${opts.host ?? '127.0.0.1'}:${address.port}` : String(address);
  await fleet.start();

  const retention = (opts.retentionDays ?? 30) * DAY;
  let purging: Promise<void> = Promise.resolve();
  const purge = setInterval(() => {
    // Awaited by close, so the store is not closed under it; a failure is tried again next hour.
    purging = store.purgeRaw(Date.now() - retention).then(
      (n) => {
        if (n > 0) log.info({ records: n }, 'purged raw payloads past retention');
      },
      (err: unknown) => log.error({ err }, 'purging raw payloads past retention failed; tried again in an hour'),
    );
  }, 3_600_000);
  purge.unref();

  const reload = (by = 'signal'): void => {
    log.info('reloading flows');
    fleet.load();
    const problems = fleet.problemsReport();
    void store.addAudit({
      at: Date.now(), actor: by, action: 'reload', ok: problems.length === 0, target: 'all flows',
      detail: { flows: fleet.all().length, files_not_loaded: problems.map((p) => p.file) },
    }).catch((err: unknown) => log.error({ err }, 'could not write the audit log'));
  };
  const watcher: FlowWatcher | undefined = opts.watch ? await watchFlows(opts.flows, () => reload('file watcher'), log) : undefined;
  log.info({ url, store: describeStore(location), instance: cluster?.instanceId, flows: fleet.all().map((f) => f.id) }, 'engine serving');

  return {
    url,
    store,
    fleet,
    cluster,
    reload,
    async close() {
      closeIntake();
      await watcher?.close();
      clearInterval(purge);
      await fleet.stop();
      await app.close();
      await purging;
      await store.close();
      log.info('engine stopped');
    },
  };
}
