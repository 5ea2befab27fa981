/**
 * Drains one destination account's records: every flow on that account, under its one rate
 * budget. This file is the worker's lifecycle — the loop and its sleeps, start/stop, pause, probe
 * and resume, backing off when a round fails — and the order of a round's steps. The steps live
 * beside it: what goes in a round (round-composer.ts), records into look-ups (prepare-records.ts),
 * a look-up's answer into a write (after-look-up.ts), the account's groups and fields
 * (directory.ts), and how records end (outcomes.ts). Records are finished only after their
 * writes succeed.
 */
import type { EngineError } from '../errors.ts';
import { logFailure } from '../log/log-failure.ts';
import type { Logger } from '../log/logger.ts';
import type { Destination, ExchangeObserver } from '../ports/destination.ts';
import type { IntentResult } from '../ports/intents.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { OutcomeBatch, Store, StoredRecord } from '../store/types.ts';
import { pausesAccount, type FailureDecision } from '../failure/decide-failure.ts';
import { DURABLE_BACKOFF, type BackoffOptions } from '../failure/schedules.ts';
import { afterLookUp, sentCreates } from './after-look-up.ts';
import { DirectoryCache } from './directory.ts';
import type { WorkerHooks } from './hooks.ts';
import { asEngineError, isEmpty, outcomeBatch, Outcomes } from './outcomes.ts';
import { prepareRecords } from './prepare-records.ts';
import { RoundBackoff, ROUND_BACKOFF, type RoundBackoffOptions } from './round-backoff.ts';
import { RoundComposer } from './round-composer.ts';
import { finishJob } from './finish-job.ts';
import { leasedIds, type Job, type Lookup } from './work.ts';

export interface WorkerOptions {
  /** MailerLite's batch cap. */
  batchSize: number;
  leaseMs: number;
  /**
   * Longest sleep when there is nothing to do. An idle worker sleeps until its next record is
   * due (settle window, retry time) or intake wakes it, and looks again at least this often.
   */
  idleMs: number;
  /** How often a paused account is probed, and how long a group/field directory is trusted. */
  probeMs: number;
  directoryTtlMs: number;
  backoff: BackoffOptions;
  /** The wait after a round that failed for reasons outside any record (round-backoff.ts). */
  roundBackoff: RoundBackoffOptions;
  now: () => number;
  random: () => number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  batchSize: 50,
  leaseMs: 300_000,
  idleMs: 5_000,
  probeMs: 60_000,
  directoryTtlMs: 600_000,
  backoff: DURABLE_BACKOFF,
  roundBackoff: ROUND_BACKOFF,
  now: Date.now,
  random: Math.random,
};

/** Floor of an idle sleep, so records that are due but cannot be taken yet never make a busy loop. */
const MIN_SLEEP_MS = 10;

export class AccountWorker {
  private flows = new Map<string, CompiledFlow>();
  private client: Destination;
  private readonly directory: DirectoryCache;
  private readonly composer = new RoundComposer();
  private readonly outcomes: Outcomes;
  private readonly failures: RoundBackoff;
  /** Leases a failed round could not give back yet (the store was failing): given back first thing. */
  private unreleased: number[] = [];
  private pausedBy: EngineError | null = null;
  private pausedAt = 0;
  private stopping = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** A wake that came while a round was running: the next idle sleep is skipped. */
  private woken = false;
  /** A wake of the sleeping worker is on its way (next turn): later wakes of this turn join it. */
  private wakeScheduled = false;
  private readonly opts: WorkerOptions;
  /** Drift and unknown-trigger reports already logged, so a changed payload is one line, not thousands. */
  private readonly reported = new Set<string>();
  /** Hears of every request the destination sends for this worker (undefined: nobody listens). */
  private readonly observe: ExchangeObserver | undefined;

  constructor(
    readonly accountKey: string,
    flows: readonly CompiledFlow[],
    private readonly store: Store,
    private readonly log: Logger,
    private readonly hooks: WorkerHooks = {},
    options: Partial<WorkerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_WORKER_OPTIONS, ...options };
    const first = flows[0];
    if (!first) throw new Error('an account worker needs at least one flow');
    this.client = first.destination;
    this.directory = new DirectoryCache(this.opts.directoryTtlMs, log);
    this.outcomes = new Outcomes(log, hooks, this.opts.backoff);
    this.failures = new RoundBackoff(this.opts.roundBackoff, this.opts.random);
    const exchange = hooks.exchange?.bind(hooks);
    this.observe = exchange && ((report) => exchange(this.accountKey, report));
    this.setFlows(flows);
  }

  /** Replaces the flows (reload). A new client (a fixed key) ends a pause at once. */
  setFlows(flows: readonly CompiledFlow[]): void {
    this.flows = new Map(flows.map((f) => [f.id, f]));
    const client = flows[0]?.destination;
    if (client && client !== this.client) {
      this.client = client;
      if (this.pausedBy) this.pausedAt = 0; // probe on the next round
    }
    this.directory.invalidate(); // group names, or the key itself, may have changed
    this.wake();
  }

  get flowIds(): string[] {
    return [...this.flows.keys()];
  }

  status(): { paused: { code: string; message: string; since: number } | null; notReady: Record<string, string> } {
    return {
      paused: this.pausedBy ? { code: this.pausedBy.code, message: this.pausedBy.message, since: this.pausedAt } : null,
      notReady: Object.fromEntries(this.directory.notReady),
    };
  }

  /**
   * Starts the loop; its first round waits `delayMs` (a staggered fleet start), or less if the
   * worker is woken meanwhile: records waiting never wait for the stagger.
   */
  start(delayMs = 0): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (delayMs > 0 ? this.sleep(delayMs) : Promise.resolve()).then(() => this.loop());
  }

  /** Stops claiming, sends the writes already decided, and returns when the loop has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
    await this.release(this.composer.dropQueued()); // not yet looked up: back untouched (no attempt counted)
  }

  /**
   * Records are ready (intake committed some) or the worker must stop. A sleeping worker resumes
   * on the loop's next turn, not inside the caller's: every delivery a commit answers wakes the
   * worker, and all the wakes of one turn make one round, which runs after intake's turn is done.
   */
  wake(): void {
    if (!this.wakeUp) {
      this.woken = true;
      return;
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (this.wakeUp) this.wakeUp();
      else this.woken = true;
    });
  }

  /** Runs rounds until nothing is ready and nothing is waiting to be written (tests, CLI runs). */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const worked = await this.round();
      if (!worked && !this.composer.holding) return;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping || this.composer.holding) {
      let worked = false;
      let delay: number | null = null;
      this.woken = false;
      try {
        worked = await this.round();
        const failed = this.failures.succeeded();
        if (failed > 0) this.log.info({ account: this.accountKey, failed_rounds: failed }, 'worker rounds go through again');
      } catch (err) {
        const error = asEngineError(err);
        const failure = this.failures.failed(error.message);
        delay = failure.delayMs;
        if (failure.news) logFailure(this.log, err, { account: this.accountKey, code: error.code, retry_in_ms: Math.round(delay) }, 'worker round failed; backing off');
        // Stopping with a failing store: what is held stays leased until the lease ends.
        if (this.stopping) break;
      }
      if (delay === null && !worked && !this.stopping && !this.woken) {
        const idle = await this.idleDelay();
        // A wake (or stop) that came while the store was asked: look again at once.
        if (!this.woken) delay = idle;
      }
      if (delay !== null) await this.sleep(delay);
      if (this.stopping && this.pausedBy) break;
    }
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeUp = null;
  }

  /** How long an idle worker may sleep: until the probe of a paused account, or its next due record. */
  private async idleDelay(): Promise<number> {
    const now = this.opts.now();
    const cap = (ms: number): number => Math.min(this.opts.idleMs, Math.max(MIN_SLEEP_MS, ms));
    if (this.pausedBy) return cap(this.opts.probeMs - (now - this.pausedAt));
    const ready = this.directory.ready(this.flows.keys());
    let next: number | null;
    try {
      next = ready.length > 0 ? await this.store.nextReadyAt(ready) : null;
    } catch {
      return this.opts.idleMs; // the store is failing: the next round says so, and backs off
    }
    return next === null ? this.opts.idleMs : cap(next - now);
  }

  /** One round: claim, prepare, one round of intents (pending writes + look-ups), outcomes. True if it did anything. */
  async round(): Promise<boolean> {
    const now = this.opts.now();
    await this.release([]); // leases a failed round still owes
    if (this.pausedBy) {
      if (now - this.pausedAt < this.opts.probeMs) return false;
      this.directory.invalidate(); // loading the directory is the probe
    }
    await this.loadDirectory(now);
    if (this.pausedBy) return false;

    const busy = this.composer.busySubjects();
    const size = Math.min(this.opts.batchSize, this.client.roundCapacity());
    const shape = this.composer.begin(size);
    const jobs = shape.jobs;
    let claimed: StoredRecord[] = [];
    let lookups: Lookup[] = [];
    try {
      const ready = this.directory.ready(this.flows.keys());
      claimed = shape.claimLimit > 0 && ready.length > 0 && !this.stopping
        ? await this.store.claim(ready, now, shape.claimLimit, this.opts.leaseMs, busy)
        : [];
      const prepared = await prepareRecords(this.prepareContext(), claimed, now);
      lookups = this.composer.fill(prepared, shape.capacity);
      if (jobs.length === 0 && lookups.length === 0) return claimed.length > 0;
      await this.send(jobs, lookups);
      return true;
    } catch (err) {
      // The round failed outside any record (a record's own failure ends that record): its leases
      // go back at once rather than when they expire; queued look-ups stay held.
      const held = new Set(leasedIds([...this.composer.heldWork()]));
      const ids = [...claimed.map((r) => r.id), ...leasedIds(jobs), ...leasedIds(lookups)];
      await this.release([...new Set(ids)].filter((id) => !held.has(id)));
      throw err;
    }
  }

  /** Sends one round and applies its results with one store call (one transaction). */
  private async send(jobs: Job[], lookups: Lookup[]): Promise<void> {
    let results: IntentResult[];
    try {
      results = await this.client.apply(this.composer.intents(jobs, lookups), { limit: this.opts.batchSize, observe: this.observe });
    } catch (err) {
      // The round as a whole got no usable answer: each unit's attempt failed with it.
      const error = asEngineError(err);
      const at = this.opts.now();
      const batch = outcomeBatch();
      for (const job of jobs) this.failed(batch, job, error, at);
      for (const lookup of lookups) this.failed(batch, lookup, error, at);
      if (!isEmpty(batch)) await this.store.applyOutcomes(batch);
      return;
    }
    // Everything the outcomes depend on is read first, so deciding them needs no store call.
    const sentCreate = await sentCreates(this.store, lookups, results.slice(jobs.length));
    let i = 0;
    const done = this.opts.now();
    const next: Job[] = [];
    const directory = this.directory.current;
    const batch = outcomeBatch();
    for (const job of jobs) finishJob(this.outcomes, batch, this.client, job, results[i++]!, done, (j, e) => this.failed(batch, j, e, done));
    for (const lookup of lookups) {
      const result = results[i++]!;
      if (!directory) {
        this.failed(batch, lookup, asEngineError(new Error('the account directory was dropped during the round')), done);
        continue;
      }
      const job = afterLookUp({ client: this.client, directory, batch, sentCreate, outcomes: this.outcomes, failed: (l, e) => this.failed(batch, l, e, done) }, lookup, result, done);
      if (job) next.push(job);
    }
    if (!isEmpty(batch)) await this.store.applyOutcomes(batch);
    // Held only once the batch committed: a failed commit gives their leases back instead.
    for (const job of next) this.composer.push(job);
  }

  /** A unit's failure, applied as decided (a create it sent is known by its mark: after-look-up.ts). */
  private failed(batch: OutcomeBatch, work: Lookup | Job, error: EngineError, now: number): void {
    const decision: FailureDecision = this.outcomes.failed(batch, work.unit, error, now);
    // The queued look-ups a pause drops go back in the same commit as the unit that paused it.
    if (decision.action === 'pause') batch.released.push(...this.pause(error, now));
    else if (decision.action === 'retry' && decision.refresh === 'directory') this.directory.invalidate();
  }

  private prepareContext() {
    return { flows: this.flows, store: this.store, outcomes: this.outcomes, report: (flow: string, notes: readonly string[] | undefined) => this.report(flow, notes) };
  }

  private report(flow: string, notes: readonly string[] | undefined): void {
    for (const note of notes ?? []) {
      const key = `${flow}\0${note}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.log.warn({ flow, note }, 'Flipcause payload differs from what the engine knows; records are kept');
    }
  }

  /** Loads the directory when due; a refusal that pauses the account pauses it, a success after a pause resumes. */
  private async loadDirectory(now: number): Promise<void> {
    const error = await this.directory.ensure(this.client, this.flows.values(), now, this.observe);
    if (!error) {
      if (this.pausedBy) this.resume();
      return;
    }
    if (pausesAccount(error)) await this.release(this.pause(error, now));
    else logFailure(this.log, error, { account: this.accountKey, code: error.code }, 'cannot load MailerLite groups and fields; will retry');
  }

  /** Pauses the account; returns the queued look-ups' record ids it dropped, for the caller to release. */
  private pause(error: EngineError, now: number): number[] {
    const dropped = this.composer.dropQueued();
    const first = this.pausedBy === null;
    this.pausedBy = error;
    this.pausedAt = now;
    if (first) {
      this.log.error({ account: this.accountKey, code: error.code, flows: this.flowIds }, 'account paused: MailerLite refuses the API key');
      this.hooks.paused?.(this.accountKey, error.code);
    }
    return dropped;
  }

  private resume(): void {
    this.pausedBy = null;
    this.log.info({ account: this.accountKey }, 'account resumed');
    this.hooks.resumed?.(this.accountKey);
  }

  /** Gives leases back without counting an attempt; what the store refuses now is tried again next round. */
  private async release(ids: readonly number[]): Promise<void> {
    const all = [...this.unreleased, ...ids];
    if (all.length === 0) return;
    // Taken off the list before the await: a release running meanwhile does not send them twice.
    this.unreleased = [];
    try {
      await this.store.release(all);
    } catch {
      this.unreleased.push(...all);
    }
  }
}
