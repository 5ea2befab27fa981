/**
 * One rate budget per MailerLite API key, shared by every client (and so every flow) that uses the
 * key in this process. A sliding window over the last MailerLite minute, counted conservatively:
 * a request holds a slot from the moment it is sent, and its slot ages out one window after its
 * answer arrived (the server counted it earlier, so our window never frees a slot before the
 * server's does). It follows the server: `x-ratelimit-limit` is the limit (the configured one is
 * only assumed until an answer states it, so a key allowed more than 120 a minute is used at its
 * own pace), a lower `x-ratelimit-remaining` than ours means someone else spends the key (another
 * process, a process before a restart, or batches counted per item) and fills our window to match,
 * a higher one, answered while nothing else of ours is in flight, frees our oldest slots to match
 * (the server's window reset, or aged out its count, before our conservative one: without this a
 * client pacing against a fixed window loses a few slots of every window to the answer times), and
 * `Retry-After` stops every request on the key until it has elapsed. Until the first answer has
 * said what the server has left, one request goes at a time: a restarted process does not know
 * what it spent before.
 *
 * The pace: while more than a sixth of the window is free, requests go at once (a backlog drains
 * at the limit); near the ceiling, the free slots are spread over the time until the window gives
 * slots back, so a delivery arriving then waits a moment, not for the window to reset. The spread
 * is per slot: a batch whose items count waits for as many steps as it takes slots, so one large
 * batch cannot spend the whole reserve at once. The spread paces new work; a request marked
 * `paced: false` finishes work already started (writes whose look-ups are answered: older than
 * anything the reserve is kept for) and waits only for the window. `roomNow` says how many slots
 * a request may take without waiting, for callers that size batches to it. Batches made only of upserts are imports
 * and also take a slot in the import window (5 a minute by default). Whether a batch takes one
 * slot or one per item is learned per key from the answers to batches (batch-counting.ts) and
 * exposed as `batchCost`.
 */
import { createHash } from 'node:crypto';
import { BatchCounting, type BatchCost } from './batch-counting.ts';

export interface RateBudgetOptions {
  /** Requests per MailerLite minute assumed until an answer states the limit (default 120). */
  requestsPerMinute?: number;
  /** All-upsert batches per MailerLite minute (default 5). */
  importsPerMinute?: number;
  /** A MailerLite minute lasts 60 000 × timeScale ms here (default 1; benchmarks and tests shrink it). */
  timeScale?: number;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

/** What an answer told us about the server's own count. */
export interface ServerAnswer {
  limit?: number;
  remaining?: number;
  /** Retry-After, already converted to this process's milliseconds. */
  retryAfterMs?: number;
}

/** A batch whose envelope was answered 200: what its items said. */
export interface BatchAnswerFacts {
  /** Items answered 429 inside the batch. */
  refusedItems: number;
}

export interface Lease {
  /**
   * Call exactly once when the answer (or the failure) is in. A lease taken for a batch passes
   * `batch` when the envelope was answered 200, so the budget can learn how batches are counted.
   */
  release(answer?: ServerAnswer, batch?: BatchAnswerFacts): void;
}

export interface AcquireOptions {
  /** Request slots this call takes (a batch counted per item takes one per item). */
  cost?: number;
  /** An all-upsert batch: also takes an import slot. */
  import?: boolean;
  /** Items in the batch this lease is for (absent for a single call). */
  batchItems?: number;
  /**
   * False for a request that only finishes work already started: it is not spread near the
   * ceiling, only held to the window (default true).
   */
  paced?: boolean;
}

export interface RateBudgetSnapshot {
  limit: number;
  importLimit: number;
  windowMs: number;
  used: number;
  inFlight: number;
  importsUsed: number;
  waiting: number;
  blockedForMs: number;
  /** How batches are charged on this key: 'one' until answers show that items count. */
  batchCost: BatchCost;
}

interface Waiter {
  cost: number;
  import: boolean;
  paced: boolean;
  batchItems: number | undefined;
  grant: (lease: Lease) => void;
}

const MINUTE_MS = 60_000;

const monotonicNow = (): number => performance.timeOrigin + performance.now();

class SlidingWindow {
  /** Times (ascending) at which finished requests' slots were taken; they free one window later. */
  private readonly done: number[] = [];
  inFlight = 0;

  constructor(
    public limit: number,
    private readonly windowMs: number,
  ) {}

  used(now: number): number {
    this.prune(now);
    return this.done.length + this.inFlight;
  }

  /** Milliseconds until `cost` more slots are free; Infinity when only an in-flight answer can free them. */
  waitFor(cost: number, now: number): number {
    const excess = this.used(now) + Math.min(cost, this.limit) - this.limit;
    if (excess <= 0) return 0;
    if (excess > this.done.length) return Infinity;
    return this.done[excess - 1]! + this.windowMs - now;
  }

  /** When the oldest finished slot frees (null when none is held: only answers can free one). */
  nextFreeAt(): number | null {
    const oldest = this.done[0];
    return oldest === undefined ? null : oldest + this.windowMs;
  }

  finish(cost: number, now: number): void {
    this.inFlight -= cost;
    for (let i = 0; i < cost; i++) this.insert(now);
  }

  /** Frees the `n` oldest finished slots (the server says they are free already). */
  vacate(n: number): void {
    this.done.splice(0, n);
  }

  /** Counts `n` slots someone else took, freeing at `freeAt`. */
  occupy(n: number, freeAt: number): void {
    for (let i = 0; i < n; i++) this.insert(freeAt - this.windowMs);
  }

  private insert(t: number): void {
    let i = this.done.length;
    while (i > 0 && this.done[i - 1]! > t) i--;
    this.done.splice(i, 0, t);
  }

  private prune(now: number): void {
    let n = 0;
    while (n < this.done.length && this.done[n]! + this.windowMs <= now) n++;
    if (n) this.done.splice(0, n);
  }
}

export class RateBudget {
  readonly windowMs: number;
  private readonly requests: SlidingWindow;
  private readonly imports: SlidingWindow;
  private readonly now: () => number;
  private readonly queue: Waiter[] = [];
  private readonly counting = new BatchCounting();
  private blockedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  /** An answer has come back; until then one request goes at a time. */
  private told = false;
  /** An answer has stated the server's remaining count: only then is the window spread. */
  private counted = false;
  /** When the last request was let go: the spread near the ceiling counts from it. */
  private grantedAt = -Infinity;

  constructor(options: RateBudgetOptions = {}) {
    this.windowMs = MINUTE_MS * (options.timeScale ?? 1);
    this.now = options.now ?? monotonicNow;
    this.requests = new SlidingWindow(positive(options.requestsPerMinute ?? 120, 'requestsPerMinute'), this.windowMs);
    this.imports = new SlidingWindow(positive(options.importsPerMinute ?? 5, 'importsPerMinute'), this.windowMs);
  }

  get limit(): number {
    return this.requests.limit;
  }

  get importLimit(): number {
    return this.imports.limit;
  }

  /** How a batch is charged on this key, as learned so far (sticky once it is 'items'). */
  get batchCost(): BatchCost {
    return this.counting.cost;
  }

  /**
   * Never raises the assumed limit: a second user of the key with a stricter configuration
   * tightens it (until the server's answers state the real one).
   */
  tighten(options: Pick<RateBudgetOptions, 'requestsPerMinute' | 'importsPerMinute'>): void {
    if (options.requestsPerMinute !== undefined) this.requests.limit = Math.min(this.requests.limit, options.requestsPerMinute);
    if (options.importsPerMinute !== undefined) this.imports.limit = Math.min(this.imports.limit, options.importsPerMinute);
  }

  /** Resolves when the call may be sent; first come, first served. */
  acquire(options: AcquireOptions = {}): Promise<Lease> {
    const cost = Math.max(1, Math.floor(options.cost ?? 1));
    return new Promise<Lease>((grant) => {
      this.queue.push({ cost, import: options.import === true, paced: options.paced !== false, batchItems: options.batchItems, grant });
      this.pump();
    });
  }

  /** Stops every request on the key for `ms` (Retry-After); `block(0)` just re-checks the waiters. */
  block(ms: number): void {
    if (ms > 0) this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
    this.pump();
  }

  /**
   * Slots a request may take now without waiting: what the window has free, less (for a paced
   * request) the reserve that is spread once the server has said what it has left; 0 while the
   * key is blocked.
   */
  roomNow(paced = true): number {
    const now = this.now();
    if (this.blockedUntil > now) return 0;
    if (!this.told && this.requests.inFlight > 0) return 0;
    const free = this.requests.limit - this.requests.used(now);
    return Math.max(0, free - (this.counted && paced ? this.reserve() : 0));
  }

  /** How long the key stays blocked by a Retry-After, in ms (0 when it is not). */
  blockedForMs(): number {
    return Math.max(0, this.blockedUntil - this.now());
  }

  snapshot(): RateBudgetSnapshot {
    const now = this.now();
    return {
      limit: this.requests.limit,
      importLimit: this.imports.limit,
      windowMs: this.windowMs,
      used: this.requests.used(now),
      inFlight: this.requests.inFlight,
      importsUsed: this.imports.used(now),
      waiting: this.queue.length,
      blockedForMs: Math.max(0, this.blockedUntil - now),
      batchCost: this.counting.cost,
    };
  }

  private lease(waiter: Waiter, now: number): Lease {
    const cost = Math.min(waiter.cost, this.requests.limit);
    this.requests.inFlight += cost;
    this.grantedAt = now;
    if (waiter.import) this.imports.inFlight += 1;
    let released = false;
    return {
      release: (answer?: ServerAnswer, batch?: BatchAnswerFacts) => {
        if (released) return;
        released = true;
        const now = this.now();
        this.requests.finish(cost, now);
        if (waiter.import) this.imports.finish(1, now);
        if (answer) {
          this.told = true;
          if (answer.remaining !== undefined) this.counted = true;
          this.followLimit(answer);
          if (batch && waiter.batchItems !== undefined) this.learn(answer, batch, waiter.batchItems, cost, now);
          this.follow(answer, now);
        }
        this.pump();
      },
    };
  }

  /** The server's stated limit replaces the assumed one, up or down. */
  private followLimit(answer: ServerAnswer): void {
    if (answer.limit !== undefined && answer.limit > 0) this.requests.limit = answer.limit;
  }

  /** Before `follow` fills our window to the server's count: the gap between them is the evidence. */
  private learn(answer: ServerAnswer, batch: BatchAnswerFacts, items: number, charged: number, now: number): void {
    // Measured against the server's own limit: a client configured below it must not read the
    // difference between the two limits as a drop.
    const limit = answer.limit !== undefined && answer.limit > 0 ? answer.limit : this.requests.limit;
    const observation = { items, charged, refusedItems: batch.refusedItems, ours: limit - this.requests.used(now) };
    this.counting.observe(answer.remaining === undefined ? observation : { ...observation, remaining: answer.remaining });
  }

  private follow(answer: ServerAnswer, now: number): void {
    if (answer.retryAfterMs !== undefined && answer.retryAfterMs > 0) {
      const until = now + answer.retryAfterMs;
      this.blockedUntil = Math.max(this.blockedUntil, until);
      // The server is full until then: count its slots, but free them exactly when Retry-After does.
      const ours = this.requests.limit - this.requests.used(now);
      if (ours > 0) this.requests.occupy(ours, until);
      return;
    }
    if (answer.remaining !== undefined && answer.remaining >= 0) {
      const ours = this.requests.limit - this.requests.used(now);
      if (answer.remaining < ours) this.requests.occupy(ours - answer.remaining, now + this.windowMs);
      // Only with nothing else in flight: the server may not have counted a request still on its way.
      else if (answer.remaining > ours && this.requests.inFlight === 0) this.requests.vacate(answer.remaining - ours);
    }
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.now();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = this.waitFor(head, now);
      if (wait > 0) {
        // Timers may fire a millisecond early: pump re-checks and sleeps again if so.
        if (Number.isFinite(wait)) this.timer = setTimeout(() => this.pump(), Math.ceil(wait));
        return;
      }
      this.queue.shift();
      head.grant(this.lease(head, now));
    }
  }

  private waitFor(waiter: Waiter, now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now;
    // Released answers pump again: Infinity waits for the one in flight.
    if (!this.told && this.requests.inFlight > 0) return Infinity;
    const forRequests = this.requests.waitFor(waiter.cost, now);
    const forImports = waiter.import ? this.imports.waitFor(1, now) : 0;
    return Math.max(forRequests, forImports, waiter.paced ? this.spread(waiter.cost, now) : 0);
  }

  /** Slots kept back from a burst and spread instead: a sixth of the window. */
  private reserve(): number {
    return Math.ceil(this.requests.limit / 6);
  }

  /**
   * Near the ceiling (a sixth of the window or less left free), the wait that spreads what is left
   * evenly until the window frees its next slot, one step per slot the request takes; 0 while
   * there is room to burst.
   */
  private spread(cost: number, now: number): number {
    const limit = this.requests.limit;
    const free = limit - this.requests.used(now);
    const slots = Math.min(cost, limit);
    if (free - slots >= this.reserve()) return 0;
    if (!this.counted || free <= 0 || !Number.isFinite(this.grantedAt)) return 0; // else the window itself decides
    const nextFree = this.requests.nextFreeAt() ?? now + this.windowMs / limit;
    const at = this.grantedAt + ((nextFree - this.grantedAt) * Math.min(slots, free)) / (free + 1);
    return Math.max(0, at - now);
  }
}

function positive(n: number, name: string): number {
  if (!(n > 0)) throw new RangeError(`${name} must be positive, not ${n}`);
  return n;
}

/** The non-secret id of an account: base URL plus a hash of the key (never the key itself). */
export function accountKeyOf(baseUrl: string, apiKey: string): string {
  const hash = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
  return `${normaliseBaseUrl(baseUrl)}#${hash}`;
}

export function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

const budgets = new Map<string, RateBudget>();

/**
 * The budget of an account, created on first use. Later callers share it; their limits can only
 * tighten it (two flows on one key must never add up to more than the key allows).
 */
export function rateBudgetFor(accountKey: string, options: RateBudgetOptions = {}): RateBudget {
  const existing = budgets.get(accountKey);
  if (existing) {
    existing.tighten(options);
    return existing;
  }
  const budget = new RateBudget(options);
  budgets.set(accountKey, budget);
  return budget;
}

/** Forgets every budget (tests; a process that swaps all keys). */
export function resetRateBudgets(): void {
  budgets.clear();
}
