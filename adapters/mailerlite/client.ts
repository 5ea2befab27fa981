/**
 * The MailerLite client: a thin typed layer over `fetch`. Every call goes through the account's
 * shared rate budget and the bounded retry policy; every failure comes out as a classified
 * EngineError (ML_ERR_…). No SDK, no logging: it never sees a place where PII could leak to.
 */
import type { EngineError } from '../../engine/errors.ts';
import type { CallOptions, ExchangeObserver, RateBudgetUse, RoundOptions } from '../../engine/ports/destination.ts';
import type { Intent, IntentResult, RequestDescription, WriteIntent } from '../../engine/ports/intents.ts';
import configSchema from './config.schema.json' with { type: 'json' };
import { classify } from './errors.ts';
import { BATCH_LIMIT, runBatch, type BatchCost } from './batch.ts';
import { dataOf, hasNextPage, listOf, toField, toGroup, toSubscriber } from './decode.ts';
import { exchange, type HttpAnswer, type TransportConfig } from './http.ts';
import { composeRound, describe, readRound, requestsFor } from './intents.ts';
import { isImport, ops } from './operations.ts';
import { accountKeyOf, normaliseBaseUrl, rateBudgetFor, type RateBudget } from './rate-budget.ts';
import { defaultRetryPolicy, notCarriedOut, withRetries, type RetryPolicy } from './retry.ts';
import type { Field, FieldValue, Group, MailerLiteClient, Operation, OperationResult, Subscriber, UpsertInput } from './types.ts';

// A client made without a flow (tests, tools) gets the defaults a flow file gets: its config schema's.
export const DEFAULT_BASE_URL: string = configSchema.properties.base_url.default;
const DEFAULT_TIMEOUT_MS: number = configSchema.properties.timeout_ms.default;
/** The API version this client was written against (sent as X-Version). */
export const DEFAULT_API_VERSION = '2024-09-01';

export interface MailerLiteClientOptions {
  apiKey: string;
  /** Default: config.schema.json's base_url (MailerLite itself); point it at the fake in tests and the demo. */
  baseUrl?: string;
  /** Timeout of each HTTP exchange (default: config.schema.json's timeout_ms). */
  timeoutMs?: number;
  apiVersion?: string;
  /** For the shared rate budget (default 120); a second client on the same key can only lower it. */
  requestsPerMinute?: number;
  /** All-upsert batches per minute (default 5). */
  importsPerMinute?: number;
  /** A MailerLite minute lasts 60 000 × timeScale ms (rate window, Retry-After); default 1. */
  timeScale?: number;
  /**
   * How this client charges a batch to the budget. Default: what the key's budget has learned
   * from MailerLite's answers (one slot per batch until they show that items count).
   */
  batchCost?: BatchCost;
  /** Bounded retries inside the client; after them the retryable error is thrown. */
  retry?: Partial<RetryPolicy>;
  /** Page size when listing groups and fields (default 100). */
  pageSize?: number;
  /** Use this budget instead of the account's shared one (tests). */
  budget?: RateBudget;
}

export interface MailerLiteHttpClient extends MailerLiteClient {
  /** The rate budget this client spends (shared by every client on the same key and base URL). */
  readonly budget: RateBudget;
}

export function createClient(options: MailerLiteClientOptions): MailerLiteHttpClient {
  return new HttpMailerLiteClient(options);
}

/** Smallest batch worth sending to use a window's remaining slots (a look-up and a write). */
const MIN_PARTIAL_BATCH = 2;

class HttpMailerLiteClient implements MailerLiteHttpClient {
  readonly accountKey: string;
  readonly budget: RateBudget;
  private readonly transport: TransportConfig;
  private readonly retry: RetryPolicy;
  private readonly batchCost: BatchCost | undefined;
  private readonly pageSize: number;
  /** Group names by id, from the last group list read: failures name groups for people. */
  private groupNames = new Map<string, string>();
  /**
   * The last round held writes alone: its caller had no new work, so the next round most likely
   * finishes started work too, and may be as large as the window's free slots, reserve included.
   */
  private finishing = false;

  constructor(options: MailerLiteClientOptions) {
    if (!options.apiKey) throw new TypeError('MailerLite client needs an apiKey');
    const baseUrl = normaliseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    const timeScale = options.timeScale ?? 1;
    this.accountKey = accountKeyOf(baseUrl, options.apiKey);
    this.budget =
      options.budget ??
      rateBudgetFor(this.accountKey, {
        requestsPerMinute: options.requestsPerMinute ?? 120,
        importsPerMinute: options.importsPerMinute ?? 5,
        timeScale,
      });
    this.transport = {
      baseUrl,
      apiKey: options.apiKey,
      apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      timeScale,
    };
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.batchCost = options.batchCost;
    this.pageSize = options.pageSize ?? 100;
  }

  async findSubscriber(email: string): Promise<Subscriber | null> {
    const answer = await this.call(ops.findSubscriber(email));
    if (answer.status === 404) return null;
    return toSubscriber(dataOf(ok(answer).body, 'subscriber'));
  }

  async upsertSubscriber(input: UpsertInput): Promise<{ subscriber: Subscriber; created: boolean }> {
    const answer = ok(await this.call(ops.upsertSubscriber(input)));
    return { subscriber: toSubscriber(dataOf(answer.body, 'subscriber')), created: answer.status === 201 };
  }

  async updateSubscriberFields(id: string, fields: Record<string, FieldValue>): Promise<Subscriber> {
    const answer = ok(await this.call(ops.updateSubscriberFields(id, fields)));
    return toSubscriber(dataOf(answer.body, 'subscriber'));
  }

  async addToGroup(subscriberId: string, groupId: string): Promise<void> {
    ok(await this.call(ops.addToGroup(subscriberId, groupId)));
  }

  async listGroups(options: CallOptions = {}): Promise<Group[]> {
    const groups = await this.allPages((page) => ops.listGroups(page, this.pageSize), toGroup, 'groups', options.observe);
    this.groupNames = new Map(groups.map((g) => [g.id, g.name]));
    return groups;
  }

  listFields(options: CallOptions = {}): Promise<Field[]> {
    return this.allPages((page) => ops.listFields(page, this.pageSize), toField, 'fields', options.observe);
  }

  async createGroup(name: string): Promise<Group> {
    const answer = ok(await this.call(ops.createGroup(name), { idempotent: false }));
    return toGroup(dataOf(answer.body, 'group'));
  }

  async createField(name: string, type: Field['type']): Promise<Field> {
    const answer = ok(await this.call(ops.createField(name, type), { idempotent: false }));
    return toField(dataOf(answer.body, 'field'));
  }

  /** Already gone (404) counts as done: a retried delete whose first attempt landed must not fail. */
  async deleteSubscriber(id: string): Promise<void> {
    const answer = await this.call(ops.deleteSubscriber(id));
    if (answer.status !== 404) ok(answer);
  }

  async forgetSubscriber(id: string): Promise<void> {
    const answer = await this.call(ops.forgetSubscriber(id));
    if (answer.status !== 404) ok(answer);
  }

  async send(op: Operation): Promise<OperationResult> {
    const answer = await this.call(op, { idempotent: op.method !== 'POST' || isIdempotentPost(op.path) });
    return { code: answer.status, body: answer.body };
  }

  classify(result: OperationResult): EngineError | null {
    return classify(result.code, result.body);
  }

  /**
   * When items count, a batch as large as the slots a request may take now: a larger one would
   * wait until the window frees all it needs, leaving the slots free meanwhile unspent. With
   * (almost) nothing free, or only the spread reserve, the smallest useful batch: it goes as soon
   * as two slots are due, and the rounds after it grow again as the window frees slots. After a
   * round of writes alone, the reserve counts as room: the writes left go together, not one a step.
   */
  batchCapacity(): number {
    if ((this.batchCost ?? this.budget.batchCost) === 'one') return BATCH_LIMIT;
    return Math.min(BATCH_LIMIT, Math.max(MIN_PARTIAL_BATCH, this.budget.roomNow(!this.finishing)));
  }

  isImport(list: Operation[]): boolean {
    return isImport(list);
  }

  roundCapacity(): number {
    return this.batchCapacity();
  }

  rateBudget(): RateBudgetUse {
    const s = this.budget.snapshot();
    return { used: s.used, limit: s.limit, windowMs: s.windowMs, waiting: s.waiting, blockedForMs: s.blockedForMs };
  }

  cost(intent: WriteIntent): number {
    return requestsFor(intent).length;
  }

  /**
   * One round is one /api/batch: the writes' calls and the look-ups, padded so it is never an
   * import. A round with look-ups starts new work and is paced near the ceiling; one of writes
   * alone finishes records already looked up, and waits only for the window.
   */
  async apply(intents: readonly Intent[], options: RoundOptions): Promise<IntentResult[]> {
    const round = composeRound(intents, options.limit);
    const startsWork = intents.some((i) => i.kind === 'look_up');
    this.finishing = !startsWork;
    const results = await this.runBatch(round.ops, options.observe, startsWork);
    return readRound(intents, round, results, (r) => this.classify(r), (id) => this.groupNames.get(id));
  }

  describe(intent: WriteIntent): RequestDescription[] {
    return describe(intent);
  }

  batch(list: Operation[]): Promise<OperationResult[]> {
    return this.runBatch(list);
  }

  private runBatch(list: Operation[], observe?: ExchangeObserver, paced = true): Promise<OperationResult[]> {
    return runBatch({ transport: this.transport, budget: this.budget, retry: this.retry, batchCost: this.batchCost, paced }, list, observe);
  }

  /**
   * One call under the budget, retried within bounds. Resolves with 2xx and permanent answers
   * (the caller decides what a 404 means); throws halting errors at once and retryable ones
   * when the retries are spent.
   */
  private call(op: Operation, { idempotent = true, observe }: { idempotent?: boolean; observe?: ExchangeObserver | undefined } = {}): Promise<HttpAnswer> {
    return withRetries(
      this.retry,
      this.budget,
      async () => {
        const lease = await this.budget.acquire();
        let answer: HttpAnswer;
        try {
          answer = await exchange(this.transport, op, observe);
        } catch (err) {
          lease.release();
          throw err;
        }
        lease.release(answer);
        const err = classify(answer.status, answer.body, answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs });
        if (err && err.kind !== 'permanent') throw err;
        return answer;
      },
      // Creating twice is not harmless: retry only what MailerLite certainly did not process.
      (err) => idempotent || notCarriedOut(err),
    );
  }

  private async allPages<T>(page: (n: number) => Operation, decode: (raw: unknown) => T, what: string, observe: ExchangeObserver | undefined): Promise<T[]> {
    const out: T[] = [];
    for (let n = 1; ; n++) {
      const answer = ok(await this.call(page(n), { observe }));
      const items = listOf(answer.body, what);
      out.push(...items.map(decode));
      if (items.length === 0 || !hasNextPage(answer.body, n, items.length)) return out;
    }
  }
}

/** Upserts, group assignments and forgets are safe to repeat; creating a group or field is not. */
function isIdempotentPost(path: string): boolean {
  const p = path.replace(/^\/+/, '').split('?')[0]!;
  return p === 'api/subscribers' || /^api\/subscribers\/[^/]+\/(groups\/[^/]+|forget)$/.test(p);
}

function ok(answer: HttpAnswer): HttpAnswer {
  const err = classify(answer.status, answer.body);
  if (err) throw err;
  return answer;
}
