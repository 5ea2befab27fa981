import type { Diagnostic } from '../flow/diagnostic.ts';
import type { Logger } from '../log/logger.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { Store } from '../store/types.ts';
import { AccountWorker, type WorkerOptions } from '../worker/account-worker.ts';
import type { WorkerHooks } from '../worker/hooks.ts';
import { loadFleet, type CompileOptions, type NotConfigured } from './load-flow.ts';

export interface FleetOptions extends CompileOptions {
  paths: string[];
  store: Store;
  log: Logger;
  worker?: Partial<WorkerOptions>;
  hooks?: WorkerHooks;
}

export interface FlowProblem {
  file: string;
  /** Why the file's current version is not running (its last good version may be). */
  problems: string[];
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

  constructor(private readonly options: FleetOptions) {}

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

  /** (Re)loads every flow file; returns the diagnostics of this load. */
  load(): Diagnostic[] {
    const { flows, problems, notConfigured, diagnostics, files } = loadFleet(this.options.paths, { env: this.options.env, override: this.options.override });
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
        if (this.started) worker.start();
      }
    }
  }

  start(): void {
    this.started = true;
    for (const w of this.workers.values()) w.start();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /** Drains every account until nothing is ready (tests and one-shot runs). */
  async drain(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.drain()));
  }
}
