import type { Diagnostic } from '../flow/diagnostic.ts';
import type { Logger } from '../log/logger.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Store } from '../store/types.ts';
import { AccountWorker, type WorkerOptions } from '../worker/account-worker.ts';
import type { WorkerHooks } from '../worker/hooks.ts';
import { loadFleet, type CompileOptions, type FleetLoad, type NotConfigured } from './load-flow.ts';
import { SoleOwnership, type AccountOwnership } from '../store/ownership.ts';

export interface FleetOptions extends CompileOptions {
  paths: string[];
  store: Store;
  log: Logger;
  worker?: Partial<WorkerOptions>;
  hooks?: WorkerHooks;
  /** Which accounts this instance drains (default: every account it serves, as one process on its own store). */
  ownership?: AccountOwnership;
}

export interface FlowProblem {
  file: string;
  /** Why the file's current version is not running (its last good version may be). */
  problems: string[];
}

/**
 * Over how long the workers of accounts taken at once (a start, a takeover) start their first
 * round: each first round loads the account's groups and fields, so 1,000 accounts starting
 * together would send 2,000 requests in one burst and hold the event loop while /healthz and
 * the first deliveries wait. A worker woken by a delivery starts at once.
 */
export function startSpreadMs(accounts: number): number {
  return Math.min(10_000, 5 * Math.max(0, accounts - 1));
}

/**
 * Every flow the server hosts, compiled, and one worker per MailerLite account. A reload
 * compiles what changed; a file that no longer loads keeps its last good version running and
 * its problems are reported.
 */
export class Fleet {
  private flows = new Map<string, CompiledFlow>();
  private readonly workers = new Map<string, AccountWorker>();
  private problems: FlowProblem[] = [];
  private notConfigured: NotConfigured[] = [];
  /** What was last logged as not configured, so a reload that changes nothing logs nothing. */
  private notConfiguredLogged = '';
  private started = false;
  private readonly switching = new Map<string, Promise<void>>();
  readonly ownership: AccountOwnership;

  constructor(private readonly options: FleetOptions) {
    this.ownership = options.ownership ?? new SoleOwnership(async () => 0);
  }

  flow(id: string): CompiledFlow | undefined {
    return this.flows.get(id);
  }

  all(): CompiledFlow[] {
    return [...this.flows.values()];
  }

  workerFor(accountKey: string): AccountWorker | undefined {
    return this.workers.get(accountKey);
  }

  accounts(): AccountWorker[] {
    return [...this.workers.values()];
  }

  problemsReport(): FlowProblem[] {
    return this.problems;
  }

  /** Worked examples left without their secrets: listed, not served, not an error. */
  notConfiguredReport(): NotConfigured[] {
    return this.notConfigured;
  }

  /** What a load of this fleet's flow files reads and compiles (no store, no workers): see `load`. */
  static read(options: Pick<FleetOptions, 'paths' | 'env' | 'override'>): FleetLoad {
    return loadFleet(options.paths, { env: options.env, override: options.override });
  }

  /**
   * (Re)loads every flow file, or takes a load already read (`Fleet.read`, the server's first
   * load, read while its store opens); returns the diagnostics of this load.
   */
  load(read: FleetLoad = Fleet.read(this.options)): Diagnostic[] {
    const { flows, problems, notConfigured, diagnostics, files } = read;
    const next = new Map(flows.map((f) => [f.id, f]));
    // A file that still exists but fails keeps its last good version.
    for (const old of this.flows.values()) {
      if (!next.has(old.id) && problems.has(old.file) && files.includes(old.file)) next.set(old.id, old);
    }
    this.flows = next;
    this.problems = [...problems].map(([file, list]) => ({ file, problems: list }));
    this.notConfigured = notConfigured;
    for (const p of this.problems) this.options.log.error({ file: p.file, problems: p.problems }, 'flow file not loaded');
    const logged = JSON.stringify(notConfigured);
    if (logged !== this.notConfiguredLogged) {
      for (const n of notConfigured) this.options.log.info({ flow: n.flow, file: n.file, missing: n.missing }, 'example flow not configured: set its secrets to serve it');
      this.notConfiguredLogged = logged;
    }
    this.options.log.info({ flows: next.size, ...(notConfigured.length > 0 ? { not_configured: notConfigured.length } : {}), accounts: new Set(this.all().map((f) => f.accountKey)).size }, 'flows loaded');
    this.syncWorkers();
    return diagnostics;
  }

  private syncWorkers(): void {
    const byAccount = new Map<string, CompiledFlow[]>();
    for (const f of this.flows.values()) byAccount.set(f.accountKey, [...(byAccount.get(f.accountKey) ?? []), f]);
    for (const [key, worker] of this.workers) {
      if (byAccount.has(key)) continue;
      this.workers.delete(key);
      void worker.stop();
    }
    for (const [key, flows] of byAccount) {
      const existing = this.workers.get(key);
      if (existing) existing.setFlows(flows);
      else {
        const worker = new AccountWorker(key, flows, this.options.store, this.options.log, this.options.hooks, this.options.worker);
        this.workers.set(key, worker);
        if (this.started && this.ownership.owns(key)) this.switchWorker(key, true);
      }
    }
    // A worker runs only while its account is owned here: the ownership starts and stops it.
    this.ownership.serve(new Map([...byAccount].map(([key, flows]) => [key, flows.map((f) => f.id)])));
  }

  /** Starts draining the accounts this instance owns, and follows ownership from then on. */
  async start(): Promise<void> {
    this.started = true;
    await this.ownership.start({
      changed: (acquired, lost) => {
        for (const key of lost) this.switchWorker(key, false);
        const spread = startSpreadMs(acquired.length);
        for (const key of acquired) this.switchWorker(key, true, Math.random() * spread);
      },
      wake: (key) => this.workers.get(key)?.wake(),
    });
  }

  /**
   * Starts or stops an account's worker, one switch after the other: a worker still stopping
   * after a lost lease is started again only once it has stopped.
   */
  private switchWorker(key: string, run: boolean, delayMs = 0): void {
    const worker = this.workers.get(key);
    if (!worker) return;
    const next = (this.switching.get(key) ?? Promise.resolve()).then(async () => {
      if (!run) return worker.stop();
      if (this.started && this.workers.get(key) === worker && this.ownership.owns(key)) worker.start(delayMs);
    });
    this.switching.set(key, next);
    void next.finally(() => {
      if (this.switching.get(key) === next) this.switching.delete(key);
    });
  }

  /** Records for the account were committed: wake its worker here, or its owner elsewhere. */
  committed(accountKey: string): void {
    this.workers.get(accountKey)?.wake();
    this.ownership.committed(accountKey);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.switching.values()]);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.ownership.stop();
  }

  /** Drains every account until nothing is ready (tests and one-shot runs). */
  async drain(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.drain()));
  }
}
