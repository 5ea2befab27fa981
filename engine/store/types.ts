/**
 * The store: the durable queue of received records, their outcomes and the effects the engine
 * had on MailerLite. SQLite by default (sqlite.ts); the interface is what a PostgreSQL backend
 * implements when one machine is not enough. Every method returns a Promise, so a backend may
 * answer over the network; the behaviour every backend owes is engine/store/conformance.ts.
 *
 * There is no transaction callback: a callback spanning awaits would hold a database transaction
 * open across network round trips. A step that writes several things is ONE method call (ingest,
 * applyOutcomes), which a backend commits in one transaction, in one round trip where it can.
 */

export type RecordStatus = 'pending' | 'done' | 'dead';
export type Outcome = 'created' | 'updated' | 'skipped' | 'failed' | 'dead';

/** A record as intake hands it over (already authenticated, parsed, split). */
export interface NewRecord {
  flow: string;
  dedupeKey: string;
  trigger: string;
  /** The record as received (parsed); each store keeps it in its own form. */
  raw: Record<string, unknown>;
  /** Flow-scoped hash of the contact's email (never the email itself); null when there is none. */
  subject: string | null;
  /** Flipcause transaction id (T…): the join key for one transaction's records. */
  txn: string | null;
  /** When the worker may take it (arrival + the flow's settle window). */
  availableAt: number;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

export interface StoredRecord {
  id: number;
  flow: string;
  dedupeKey: string;
  trigger: string;
  /** Null once purged by retention, or when the stored payload cannot be read (`unreadable`). */
  raw: Record<string, unknown> | null;
  /**
   * Why the stored payload cannot be read (damaged, or written in a codec this engine does not
   * know), naming the record but none of its content. The worker dead-letters such a record
   * alone: one unreadable row never fails the claim that holds it, nor stalls its account.
   */
  unreadable?: string;
  receivedAt: number;
  subject: string | null;
  txn: string | null;
  status: RecordStatus;
  availableAt: number;
  attempts: number;
  outcome: Outcome | null;
  reason: string | null;
  errorCode: string | null;
  finishedAt: number | null;
}

export interface OutcomeEntry {
  outcome: Outcome;
  /** Stable reason code for skips, or the error message (already redacted) for failures. */
  reason?: string | null;
  errorCode?: string | null;
  /** Non-PII detail (operation, subscriber id, groups), JSON-serialisable. */
  detail?: unknown;
}

export interface HistoryEntry extends OutcomeEntry {
  at: number;
  attempt: number;
}

export interface Effect {
  flow: string;
  recordId: number;
  subscriberId: string;
  email: string;
  action: 'created' | 'updated';
  at: number;
}

export interface FlowStats {
  flow: string;
  pending: number;
  done: number;
  dead: number;
  byOutcome: Partial<Record<Outcome, number>>;
  oldestPendingAt: number | null;
  lastDeliveryAt: number | null;
}

/** One flow's queue and its last day, as the console's fleet page shows it (one aggregate query). */
export interface FlowOverview {
  flow: string;
  pending: number;
  dead: number;
  oldestPendingAt: number | null;
  lastDeliveryAt: number | null;
  /** Outcomes of records finished since the `since` the overview was asked for, by kind. */
  recent: Partial<Record<Outcome, number>>;
}

/** Records finished per time bucket, by outcome (the console's throughput chart). */
export interface ThroughputBucket {
  /** Start of the bucket, ms since the epoch. */
  at: number;
  outcome: Outcome;
  count: number;
}

export type AuditAction = 'login' | 'logout' | 'replay' | 'reveal' | 'reload';

/** Who did what, when: logins, replays, PII reveals and reloads. */
export interface AuditEntry {
  at: number;
  /** A non-secret fingerprint of the admin token used, or who else acted (`signal`, `file watcher`, `unknown`). */
  actor: string;
  action: AuditAction;
  /** Refused logins are kept too. */
  ok: boolean;
  /** What it acted on: `record 12`, `flow hope`, `all flows`. */
  target: string | null;
  /** Non-PII detail (how many replayed, the client's address, the reload's problems). */
  detail?: unknown;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export interface AuditQuery {
  /** Entries older than this id (paging back); newest first. */
  beforeId?: number;
  limit?: number;
  action?: AuditAction;
}

export interface RecordQuery {
  flow?: string;
  status?: RecordStatus;
  outcome?: Outcome;
  limit?: number;
  afterId?: number;
  /** Newest (highest id) first; default oldest first. */
  newestFirst?: boolean;
}

/**
 * The writes one step of a worker round decided (ending records, putting them back, memberships,
 * effects), committed together by `applyOutcomes`: one transaction, one commit per step.
 */
export interface OutcomeBatch {
  /** Records ended with their outcome, as `finish` does. */
  finished: { id: number; entry: OutcomeEntry; at: number }[];
  /** Records put back for a later attempt, as `retryLater` does. */
  retried: { ids: number[]; availableAt: number; entry: OutcomeEntry; at: number }[];
  /** Leases given back without counting an attempt, as `release` does. */
  released: number[];
  /** Contacts now known to be on their flow's list, as `markOnList` does. */
  listed: { flow: string; subject: string; at: number }[];
  /** What was done to the destination, as `recordEffect` does. */
  effects: Effect[];
  /**
   * Pending records whose create goes out after this commit: marked first, so a create MailerLite
   * carried out is known even when its answer never came back (a timeout, a failed commit, the
   * process killed). A mark is kept through retries and releases and dropped when the record
   * finishes; a finished record is never marked, so a replay starts without one.
   */
  createSent: number[];
}

export interface Store {
  /** Commits every delivery's records in ONE transaction (group commit); duplicates are absorbed. */
  ingest(deliveries: NewRecord[][], now: number): Promise<IngestResult[]>;
  /**
   * Leases ready records of these flows, plus every pending record sharing a subject or a
   * transaction with them (so one contact is decided once), skipping subjects in `busy`.
   */
  claim(flows: readonly string[], now: number, limit: number, leaseMs: number, busy?: ReadonlySet<string>): Promise<StoredRecord[]>;
  /** When the earliest pending record of these flows becomes due (leases counted; null: none waiting). */
  nextReadyAt(flows: readonly string[]): Promise<number | null>;
  /** Ends a record with its outcome (done, or dead for outcome 'dead'). */
  finish(id: number, entry: OutcomeEntry, now: number): Promise<void>;
  /** Puts pending records back for a later attempt (attempts + 1), recording why. */
  retryLater(ids: readonly number[], availableAt: number, entry: OutcomeEntry, now: number): Promise<void>;
  /** Drops leases without counting an attempt (the account is paused, the engine is stopping). */
  release(ids: readonly number[]): Promise<void>;
  /**
   * Applies one step's writes in ONE transaction, all or nothing: effects, memberships, create
   * marks, finished records, retries, then releases (no record is in two of those lists).
   */
  applyOutcomes(batch: OutcomeBatch): Promise<void>;
  /** Which of these records carry the mark `OutcomeBatch.createSent` set (all pending). */
  createsSent(ids: readonly number[]): Promise<Set<number>>;
  /**
   * Drops every lease; returns how many. SQLite only: one process owns the file, so at start-up
   * every lease is a dead process's. A store shared by several instances must not do this (it
   * would take records another live instance holds): it keeps ownership with per-account leases
   * that expire with their holder instead.
   */
  releaseAll(): Promise<number>;
  isOnList(flow: string, subject: string): Promise<boolean>;
  /** Which of these subjects are on the flow's list: one read for a round's contacts. */
  subjectsOnList(flow: string, subjects: readonly string[]): Promise<Set<string>>;
  markOnList(flow: string, subject: string, now: number): Promise<void>;
  recordEffect(effect: Effect): Promise<void>;
  effects(flow: string, since: number, until?: number): Promise<Effect[]>;
  forgetEffect(flow: string, subscriberId: string): Promise<void>;
  stats(): Promise<FlowStats[]>;
  records(query: RecordQuery): Promise<StoredRecord[]>;
  record(id: number): Promise<StoredRecord | undefined>;
  history(id: number): Promise<HistoryEntry[]>;
  /** Every flow with records or deliveries: counts, ages and outcomes since `since`, in one query. */
  overview(since: number): Promise<FlowOverview[]>;
  /** Records finished since `since`, counted per `bucketMs` bucket and outcome; one flow or all. */
  throughput(since: number, bucketMs: number, flow?: string): Promise<ThroughputBucket[]>;
  /** Records that were decided together with this one and coalesced into it. */
  coalescedInto(id: number): Promise<number[]>;
  /** Makes finished records pending again; returns how many. */
  replay(ids: readonly number[], now: number): Promise<number>;
  deadIds(flow: string): Promise<number[]>;
  /**
   * Retention: clears raw payloads of records finished before `before`, and forgets effects
   * (which hold emails) recorded before it. Returns how many records were cleared.
   */
  purgeRaw(before: number): Promise<number>;
  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  auditLog(query: AuditQuery): Promise<StoredAuditEntry[]>;
  /** Small key/value for commands that resume (backfill progress). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
