/**
 * The destination port: an account the engine writes contacts to. The engine hands it a round of
 * intents and gets one result per intent; how those become requests (which calls, batching, the
 * destination's own limits and quirks) is the adapter's business.
 */
import type { Field, Group, Subscriber } from './directory.ts';
import type { Intent, IntentResult, RequestDescription, WriteIntent } from './intents.ts';

/**
 * One request the destination sent, as metrics see it: every attempt, retried ones included, so a
 * rate limit met and retried inside the client is counted like any other answer.
 */
export interface ExchangeReport {
  /** What the request was for, from the adapter's small fixed set (e.g. `batch`, `list_groups`). */
  operation: string;
  /** The answer's HTTP status; null when none came (timeout, connection reset). */
  status: number | null;
  /** The statuses of the items a batch answer carried, each an answer of its own. */
  items?: readonly number[];
  /** From sending the request to the end of its answer, or of waiting for one. */
  seconds: number;
}

export type ExchangeObserver = (report: ExchangeReport) => void;

/** What a caller may ask of one call to the account. */
export interface CallOptions {
  /** Told of every request the call sends (metrics). */
  observe?: ExchangeObserver;
}

export interface RoundOptions extends CallOptions {
  /** Most items the round may hold (room the adapter may use, e.g. for a padding look-up). */
  limit: number;
}

/** How much of the account's request budget is in use now (the console shows it). */
export interface RateBudgetUse {
  used: number;
  limit: number;
  windowMs: number;
  /** Requests waiting for a slot. */
  waiting: number;
  /** The destination asked us to stop (Retry-After) for this much longer. */
  blockedForMs: number;
}

export interface Destination {
  /** Opaque, non-secret id of the account (credentials + address): the unit of rate budgets and worker partitions. */
  readonly accountKey: string;
  listGroups(options?: CallOptions): Promise<Group[]>;
  listFields(options?: CallOptions): Promise<Field[]>;
  createGroup(name: string): Promise<Group>;
  createField(name: string, type: Field['type']): Promise<Field>;
  findSubscriber(email: string): Promise<Subscriber | null>;
  /** Already gone counts as done. */
  deleteSubscriber(id: string): Promise<void>;
  /** How many items the next round should hold (what the account's rate budget allows now). */
  roundCapacity(): number;
  /** How many round items a write takes. */
  cost(intent: WriteIntent): number;
  /**
   * Sends one round; results in intent order. A failure of the round as a whole (transport,
   * retries spent) is thrown as a classified EngineError; one intent's failure is its result.
   */
  apply(intents: readonly Intent[], options: RoundOptions): Promise<IntentResult[]>;
  /** The account's rate budget in use, for destinations that keep one. */
  rateBudget?(): RateBudgetUse;
  /** The requests a write stands for, for outcome details and dry runs. */
  describe(intent: WriteIntent): RequestDescription[];
}
