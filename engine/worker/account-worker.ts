import { isEngineError, type EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Decision } from '../policy/decide.ts';
import type { Destination } from '../ports/destination.ts';
import type { Subscriber } from '../ports/directory.ts';
import type { Intent, IntentResult } from '../ports/intents.ts';
import type { OutcomeEntry, Store, StoredRecord } from '../store/types.ts';
import { accountDirectory, type AccountDirectory } from '../pipeline/account-directory.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { cleanMapped, type Mapped } from '../pipeline/mapped.ts';
import { plan, type Plan } from '../pipeline/plan.ts';
import { prepare } from '../pipeline/prepare.ts';
import { formUnits, type Unit } from '../pipeline/units.ts';
import { decideFailure, pausesAccount } from '../failure/decide-failure.ts';
import { DURABLE_BACKOFF, type BackoffOptions } from '../failure/schedules.ts';
import type { WorkerHooks } from './hooks.ts';

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
  now: () => number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  batchSize: 50,
  leaseMs: 300_000,
  idleMs: 5_000,
  probeMs: 60_000,
  directoryTtlMs: 600_000,
  backoff: DURABLE_BACKOFF,
  now: Date.now,
};

/** A unit whose subscriber is being looked up. */
interface Lookup {
  unit: Unit;
  flow: CompiledFlow;
  mapped: Mapped & { email: string };
  onList: boolean;
}

/** A decided unit whose writes go out with the next batch. */
interface Job extends Lookup {
  decision: Exclude<Decision, { action: 'skip' }>;
  plan: Exclude<Plan, { action: 'none' }>;
  existing: Subscriber | null;
  /** Round items its write takes (the destination says). */
  cost: number;
}

/** Floor of an idle sleep, so records that are due but cannot be taken yet never make a busy loop. */
const MIN_SLEEP_MS = 10;

/**
 * Drains one destination account's records: every flow on that account, under its one rate
 * budget. Each round hands the destination ONE round of intents holding the previous round's
 * writes and this round's look-ups (for MailerLite one /api/batch, so batches are never made only
 * of upserts, its 5/min import limit), and a contact costs about two round items. Records are finished only after their writes succeed.
 */
export class AccountWorker {
  private flows = new Map<string, CompiledFlow>();
  private client: Destination;
  private directory: AccountDirectory | null = null;
  private directoryAt = 0;
  private readonly notReady = new Map<string, string>();
  private writes: Job[] = [];
  /** Prepared units waiting for room in a batch for their look-up (their records are leased). */
  private queued: Lookup[] = [];
  private pausedBy: EngineError | null = null;
  private pausedAt = 0;
  private stopping = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** A wake that came while a round was running: the next idle sleep is skipped. */
  private woken = false;
  private readonly opts: WorkerOptions;
  /** Drift and unknown-trigger reports already logged, so a changed payload is one line, not thousands. */
  private readonly reported = new Set<string>();

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
    this.directory = null; // group names, or the key itself, may have changed
    this.wake();
  }

  get flowIds(): string[] {
    return [...this.flows.keys()];
  }

  status(): { paused: { code: string; message: string; since: number } | null; notReady: Record<string, string> } {
    return {
      paused: this.pausedBy ? { code: this.pausedBy.code, message: this.pausedBy.message, since: this.pausedAt } : null,
      notReady: Object.fromEntries(this.notReady),
    };
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops claiming, sends the writes already decided, and returns when the loop has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
    this.releaseQueued();
  }

  /** Units not yet looked up go back to the store, untouched (no attempt counted). */
  private releaseQueued(): void {
    if (this.queued.length === 0) return;
    this.store.release(this.queued.flatMap((l) => l.unit.records.map((p) => p.record.id)));
    this.queued = [];
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Runs rounds until nothing is ready and nothing is waiting to be written (tests, CLI runs). */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const worked = await this.round();
      if (!worked && this.writes.length === 0 && this.queued.length === 0) return;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping || this.writes.length > 0 || this.queued.length > 0) {
      let worked = false;
      this.woken = false;
      try {
        worked = await this.round();
      } catch (err) {
        this.log.error({ err, account: this.accountKey }, 'worker round failed');
      }
      if (!worked && !this.stopping && !this.woken) {
        const delay = this.idleDelay();
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wakeUp = null;
      }
      if (this.stopping && this.pausedBy) break;
    }
  }

  /** How long an idle worker may sleep: until the probe of a paused account, or its next due record. */
  private idleDelay(): number {
    const now = this.opts.now();
    const cap = (ms: number): number => Math.min(this.opts.idleMs, Math.max(MIN_SLEEP_MS, ms));
    if (this.pausedBy) return cap(this.opts.probeMs - (now - this.pausedAt));
    const ready = [...this.flows.keys()].filter((id) => !this.notReady.has(id));
    const next = ready.length > 0 ? this.store.nextReadyAt(ready) : null;
    return next === null ? this.opts.idleMs : cap(next - now);
  }

  /** One round: claim, prepare, one batch (pending writes + look-ups), outcomes. True if it did anything. */
  async round(): Promise<boolean> {
    const now = this.opts.now();
    if (this.pausedBy) {
      if (now - this.pausedAt < this.opts.probeMs) return false;
      this.directory = null; // loading the directory is the probe
    }
    await this.ensureDirectory(now);
    if (this.pausedBy) return false;

    // Subjects with work in hand are not claimed again until that work is done.
    const busy = new Set([...this.writes, ...this.queued].flatMap((j) => j.unit.records.map((p) => p.record.subject ?? '')));
    const size = Math.min(this.opts.batchSize, this.client.roundCapacity());
    const jobs = this.takeJobs(size);
    const writeCost = jobs.reduce((n, j) => n + j.cost, 0);
    // At most half a round of look-ups: their writes ride in the next round with the next
    // look-ups, so rounds stay mixed (for MailerLite: never only upserts, an import limited to
    // 5 a minute) and full.
    const capacity = Math.min(size - writeCost, Math.ceil(size / 2));
    const ready = [...this.flows.keys()].filter((id) => !this.notReady.has(id));
    // A unit is one to three records (the records of one transaction): claim twice the room, and
    // keep units that do not fit for the next round rather than sending half-empty batches.
    const claimLimit = 2 * capacity - this.queued.length;
    const claimed = claimLimit > 0 && ready.length > 0 && !this.stopping
      ? this.store.claim(ready, now, claimLimit, this.opts.leaseMs, busy)
      : [];
    const prepared = [...this.queued, ...(await this.prepareClaimed(claimed, now))];
    const lookups = prepared.slice(0, Math.max(0, capacity));
    this.queued = prepared.slice(lookups.length);
    if (jobs.length === 0 && lookups.length === 0) return claimed.length > 0;

    const intents: Intent[] = [
      ...jobs.map((j) => j.plan.intent),
      ...lookups.map((l): Intent => ({ kind: 'look_up', email: l.mapped.email })),
    ];
    let results: IntentResult[];
    try {
      results = await this.client.apply(intents, {
        limit: this.opts.batchSize,
        onStatus: (status) => this.hooks.response?.(this.accountKey, status),
      });
    } catch (err) {
      const error = asEngineError(err);
      this.hooks.response?.(this.accountKey, error.status);
      const at = this.opts.now();
      this.store.transaction(() => {
        for (const unit of [...jobs, ...lookups]) this.unitFailed(unit.unit, error, at);
      });
      return true;
    }
    let i = 0;
    const done = this.opts.now();
    this.store.transaction(() => {
      for (const job of jobs) this.finishJob(job, results[i++]!, done);
      for (const lookup of lookups) this.decideLookup(lookup, results[i++]!, done);
    });
    return true;
  }

  private report(flow: string, notes: string[] | undefined): void {
    for (const note of notes ?? []) {
      const key = `${flow}\0${note}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.log.warn({ flow, note }, 'Flipcause payload differs from what the engine knows; records are kept');
    }
  }

  /**
   * The decided jobs whose writes fit in one round with room for a look-up, oldest first; the
   * rest wait for the next round.
   */
  private takeJobs(size: number): Job[] {
    let items = 0;
    let n = 0;
    for (const job of this.writes) {
      // A job larger than a round on its own still goes (alone), so the destination names the problem.
      if (n > 0 && items + job.cost > size - 1) break;
      items += job.cost;
      n++;
    }
    return this.writes.splice(0, n);
  }

  private async ensureDirectory(now: number): Promise<void> {
    if (this.directory && now - this.directoryAt < this.opts.directoryTtlMs) return;
    try {
      const [groups, fields] = await Promise.all([this.client.listGroups(), this.client.listFields()]);
      this.directory = accountDirectory(groups, fields);
      this.directoryAt = now;
      if (this.pausedBy) this.resume();
    } catch (err) {
      const error = asEngineError(err);
      if (pausesAccount(error)) this.pause(error, now);
      else this.log.warn({ err: error, account: this.accountKey }, 'cannot load MailerLite groups and fields; will retry');
      if (!this.directory) for (const id of this.flows.keys()) this.notReady.set(id, `${error.code}: ${error.message}`);
      return;
    }
    this.notReady.clear();
    // A flow naming a group the account lacks waits (its records stay stored) until the group
    // exists: the seed's rule is that groups are created by the customer before use.
    for (const flow of this.flows.values()) {
      const problems = Object.entries(flow.policy.groups as Record<string, string[]>).flatMap(([slot, names]) =>
        this.directory!.missingGroups(names).map((group) => PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group, slot }).message),
      );
      if (problems.length === 0) continue;
      this.notReady.set(flow.id, problems.join('; '));
      this.log.error({ flow: flow.id, code: 'ENGINE_ERR_UNKNOWN_GROUP', problems }, 'flow not ready: missing groups');
    }
  }

  private pause(error: EngineError, now: number): void {
    this.releaseQueued();
    const first = this.pausedBy === null;
    this.pausedBy = error;
    this.pausedAt = now;
    if (first) {
      this.log.error({ account: this.accountKey, code: error.code, flows: this.flowIds }, 'account paused: MailerLite refuses the API key');
      this.hooks.paused?.(this.accountKey, error.code);
    }
  }

  private resume(): void {
    this.pausedBy = null;
    this.log.info({ account: this.accountKey }, 'account resumed');
    this.hooks.resumed?.(this.accountKey);
  }

  /**
   * Normalise, filter and map the claimed records (asynchronous: JSONata), then make every store
   * write this leads to in ONE transaction — one fsync per round, not one per record.
   */
  private async prepareClaimed(claimed: StoredRecord[], now: number): Promise<Lookup[]> {
    const ended: [StoredRecord, OutcomeEntry][] = [];
    const prepared = [];
    for (const record of claimed) {
      const flow = this.flows.get(record.flow);
      if (!flow) continue;
      try {
        const p = await prepare(flow, record);
        this.report(record.flow, p.skip === 'unknown_trigger' ? [`unknown trigger type ${record.trigger}`] : p.drift);
        if (p.skip) ended.push([record, { outcome: 'skipped', reason: p.skip }]);
        else prepared.push(p);
      } catch (err) {
        ended.push([record, deadEntry(asEngineError(err))]);
      }
    }
    const mappedUnits: { unit: Unit; flow: CompiledFlow; mapped: Mapped | EngineError }[] = [];
    for (const unit of formUnits(prepared)) {
      const flow = this.flows.get(unit.flow)!;
      let mapped: Mapped | EngineError;
      try {
        mapped = cleanMapped(await flow.mapping.evaluate(unit.event));
      } catch (err) {
        mapped = asEngineError(err);
      }
      mappedUnits.push({ unit, flow, mapped });
    }
    const lookups: Lookup[] = [];
    this.store.transaction(() => {
      for (const [record, entry] of ended) this.finish(record, entry, now);
      for (const { unit, flow, mapped } of mappedUnits) {
        if (isEngineError(mapped)) {
          this.finishUnit(unit, deadEntry(mapped), now);
          continue;
        }
        const subject = unit.records.find((p) => p.record.subject)?.record.subject ?? null;
        if (subject && unit.joinedList) this.store.markOnList(flow.id, subject, now);
        const onList = unit.joinedList || (subject !== null && this.store.isOnList(flow.id, subject));
        const email = mapped.email ?? unit.email;
        if (!email) {
          const reason = unit.event.contact?.email_status === 'invalid' ? 'invalid_email' : 'no_email';
          this.finishUnit(unit, { outcome: 'skipped', reason }, now);
          continue;
        }
        lookups.push({ unit, flow, mapped: { ...mapped, email }, onList });
      }
    });
    return lookups;
  }

  private decideLookup(l: Lookup, result: IntentResult, now: number): void {
    if (!result.ok) return this.unitFailed(l.unit, result.error, now);
    const existing = result.found;
    const decision = l.flow.decide({ onList: l.onList, state: existing?.status ?? 'none' });
    const detail = { rule: decision.rule, on_list: l.onList, ml_status: existing?.status ?? 'none' };
    if (decision.action === 'skip') return this.finishUnit(l.unit, { outcome: 'skipped', reason: decision.reason, detail }, now);
    let p: Plan;
    try {
      p = plan(decision, l.mapped, existing, this.directory!);
    } catch (err) {
      return this.unitFailed(l.unit, asEngineError(err), now);
    }
    if (p.action === 'none') {
      return this.finishUnit(l.unit, { outcome: 'updated', reason: 'no_change', detail: { ...detail, subscriber: existing?.id } }, now);
    }
    this.writes.push({ ...l, decision, plan: p, existing, cost: this.client.cost(p.intent) });
  }

  private finishJob(job: Job, result: IntentResult, now: number): void {
    if (!result.ok) return this.unitFailed(job.unit, result.error, now);
    const subscriberId = result.subscriberId ?? job.existing?.id ?? '';
    const outcome = result.created ? 'created' : 'updated';
    const primary = job.unit.records[0]!.record;
    if (subscriberId) {
      this.store.recordEffect({ flow: job.flow.id, recordId: primary.id, subscriberId, email: job.mapped.email, action: outcome, at: now });
    }
    this.finishUnit(job.unit, {
      outcome,
      detail: {
        rule: job.decision.rule,
        on_list: job.onList,
        ml_status: job.existing?.status ?? 'none',
        subscriber: subscriberId,
        groups: job.plan.groups,
        requests: this.client.describe(job.plan.intent).map((d) => d.request),
      },
    }, now);
  }

  /** Applies one unit's failure as its error's definition says (engine/failure/decide-failure.ts). */
  private unitFailed(unit: Unit, error: EngineError, now: number): void {
    const ids = unit.records.map((p) => p.record.id);
    const attempts = Math.max(...unit.records.map((p) => p.record.attempts)) + 1;
    const decision = decideFailure(error, { attempts, backoff: this.opts.backoff });
    if (decision.action === 'pause') {
      this.store.release(ids); // the account, not the record, failed: no attempt is counted
      this.pause(error, now);
      return;
    }
    if (decision.action === 'dead') {
      this.finishUnit(unit, deadEntry(decision.error), now);
      return;
    }
    if (decision.refresh === 'directory') this.directory = null; // the account changed under us: look again
    this.store.retryLater(ids, now + decision.delayMs, { outcome: 'failed', errorCode: error.code, reason: error.message }, now);
    unit.records.forEach(() => this.hooks.outcome?.(unit.flow, 'failed', error.code));
    this.log.warn({ flow: unit.flow, records: ids, code: error.code, attempt: attempts, retry_in_ms: Math.round(decision.delayMs) }, 'record will be retried');
  }

  private finishUnit(unit: Unit, entry: OutcomeEntry, now: number): void {
    const [primary, ...rest] = unit.records;
    this.finish(primary!.record, entry, now);
    // One transaction, one decision: the other records of the unit were decided with the first.
    const coalesced: OutcomeEntry = entry.outcome === 'dead' || entry.outcome === 'skipped'
      ? entry
      : { outcome: 'skipped', reason: 'coalesced', detail: { into: primary!.record.id } };
    for (const p of rest) this.finish(p.record, coalesced, now);
  }

  private finish(record: StoredRecord, entry: OutcomeEntry, now: number): void {
    this.store.finish(record.id, entry, now);
    this.hooks.outcome?.(record.flow, entry.outcome, entry.reason ?? entry.errorCode ?? null);
    // A failure's message can quote a record's value (a JSONata error does): the log carries the
    // stable code, the message stays in the store for the admin API.
    const reason = entry.errorCode ? undefined : entry.reason;
    this.log.info(
      { flow: record.flow, record: record.id, trigger: record.trigger, outcome: entry.outcome, reason, code: entry.errorCode },
      'record',
    );
  }
}

function deadEntry(error: EngineError): OutcomeEntry {
  return { outcome: 'dead', errorCode: error.code, reason: error.message };
}

function asEngineError(err: unknown): EngineError {
  if (isEngineError(err)) return err;
  return PipelineErrors.ENGINE_ERR_INTERNAL({ detail: err instanceof Error ? err.message : String(err) }, { cause: err });
}
