/**
 * The store: the durable queue of received records, their outcomes and the effects the engine
 * had on MailerLite. SQLite by default (sqlite.ts); the interface is what a PostgreSQL backend
 * would implement when one machine is not enough.
 */

export type RecordStatus = 'pending' | 'done' | 'dead';
export type Outcome = 'created' | 'updated' | 'skipped' | 'failed' | 'dead';

/** A record as intake hands it over (already authenticated, parsed, split). */
export interface NewRecord {
  flow: string;
  dedupeKey: string;
  trigger: string;
  /** The record exactly as received, as JSON text. */
  raw: string;
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
  /** Null once purged by retention. */
  raw: Record<string, unknown> | null;
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

export interface Store {
  /** Commits every delivery's records in ONE transaction (group commit); duplicates are absorbed. */
  ingest(deliveries: NewRecord[][], now: number): IngestResult[];
  /**
   * Leases ready records of these flows, plus every pending record sharing a subject or a
   * transaction with them (so one contact is decided once), skipping subjects in `busy`.
   */
  claim(flows: readonly string[], now: number, limit: number, leaseMs: number, busy?: ReadonlySet<string>): StoredRecord[];
  /** When the earliest pending record of these flows becomes ready (null: none waiting). */
  nextReadyAt(flows: readonly string[]): number | null;
  /** Ends a record with its outcome (done, or dead for outcome 'dead'). */
  finish(id: number, entry: OutcomeEntry, now: number): void;
  /** Puts records back for a later attempt (attempts + 1), recording why. */
  retryLater(ids: readonly number[], availableAt: number, entry: OutcomeEntry, now: number): void;
  /** Drops leases without counting an attempt (the account is paused, the engine is stopping). */
  release(ids: readonly number[]): void;
  /** Drops every lease: at start-up this process owns the store. */
  releaseAll(): number;
  isOnList(flow: string, subject: string): boolean;
  markOnList(flow: string, subject: string, now: number): void;
  recordEffect(effect: Effect): void;
  effects(flow: string, since: number, until?: number): Effect[];
  forgetEffect(flow: string, subscriberId: string): void;
  stats(): FlowStats[];
  records(query: RecordQuery): StoredRecord[];
  record(id: number): StoredRecord | undefined;
  history(id: number): HistoryEntry[];
  /** Every flow with records or deliveries: counts, ages and outcomes since `since`, in one query. */
  overview(since: number): FlowOverview[];
  /** Records finished since `since`, counted per `bucketMs` bucket and outcome; one flow or all. */
  throughput(since: number, bucketMs: number, flow?: string): ThroughputBucket[];
  /** Records that were decided together with this one and coalesced into it. */
  coalescedInto(id: number): number[];
  /** Makes finished records pending again; returns how many. */
  replay(ids: readonly number[], now: number): number;
  deadIds(flow: string): number[];
  /**
   * Retention: clears raw payloads of records finished before `before`, and forgets effects
   * (which hold emails) recorded before it. Returns how many records were cleared.
   */
  purgeRaw(before: number): number;
  /** Runs `fn` as one transaction (nested calls join it): one commit for many writes. */
  transaction<T>(fn: () => T): T;
  addAudit(entry: AuditEntry): void;
  /** Newest first. */
  auditLog(query: AuditQuery): StoredAuditEntry[];
  /** Small key/value for commands that resume (backfill progress). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  close(): void;
}
