/**
 * Everything one fake server holds: accounts by token, options, limiters, faults, the request
 * log. The test helpers (seed, reset, setStatus, requests…) act on it directly, outside the
 * MailerLite surface.
 */
import type { SubscriberStatus } from '../types.ts';
import { FakeAccount, IdSource, type AccountSeed } from './account.ts';
import { Faults } from './faults.ts';
import { defaultFakeOptions, type FakeOptions } from './options.ts';
import { RateLimiter } from './rate-limiter.ts';
import { renderField, renderGroup, renderSubscriber, type FieldJson, type GroupJson, type SubscriberJson } from './render.ts';
import { RequestLog } from './request-log.ts';

/** A read-only look at an account, in the API's own JSON shapes. */
export interface AccountView {
  subscribers(): SubscriberJson[];
  /** By id or email (any case); undefined when absent. */
  subscriber(idOrEmail: string): SubscriberJson | undefined;
  groups(): GroupJson[];
  fields(): FieldJson[];
}

export class FakeState {
  readonly options: FakeOptions;
  readonly limiter: RateLimiter;
  readonly importLimiter: RateLimiter;
  readonly faults = new Faults();
  readonly log: RequestLog;
  private readonly ids = new IdSource();
  private readonly accounts = new Map<string, FakeAccount>();
  private readonly initialSeeds = new Map<string, AccountSeed>();

  constructor(accounts: Record<string, AccountSeed>, options: Partial<FakeOptions> = {}) {
    this.options = { ...defaultFakeOptions, ...options };
    const window = {
      timeScale: () => this.options.timeScale,
      mode: () => this.options.rateWindow,
      windowSeconds: () => this.options.rateWindowSeconds,
    };
    this.limiter = new RateLimiter({ ...window, limit: () => this.options.requestsPerMinute });
    this.importLimiter = new RateLimiter({ ...window, limit: () => this.options.importsPerMinute });
    this.log = new RequestLog(() => this.options.requestLogLimit);
    for (const [token, seed] of Object.entries(accounts)) {
      this.initialSeeds.set(token, seed);
      this.accounts.set(token, new FakeAccount(this.ids, seed));
    }
  }

  tokens(): string[] {
    return [...this.accounts.keys()];
  }

  accountFor(token: string | null): FakeAccount | undefined {
    return token === null ? undefined : this.accounts.get(token);
  }

  /** Replaces the account's state (creating the account, and so accepting the token, if new). */
  seed(token: string, seed: AccountSeed): void {
    if (!this.initialSeeds.has(token)) this.initialSeeds.set(token, seed);
    this.accounts.set(token, new FakeAccount(this.ids, seed));
  }

  /** Every account back to its first seed; log, faults and rate windows emptied. */
  reset(): void {
    for (const [token, seed] of this.initialSeeds) this.accounts.set(token, new FakeAccount(this.ids, seed));
    this.log.clear();
    this.faults.clear();
    this.limiter.reset();
    this.importLimiter.reset();
  }

  /** A person's own action (unsubscribing, bouncing…), which the API cannot do. */
  setStatus(token: string, email: string, status: SubscriberStatus): void {
    const account = this.mustAccount(token);
    const sub = account.subscriber(email);
    if (!sub) throw new Error(`fake MailerLite: no such subscriber in account ${token}`);
    account.setStatus(sub, status);
  }

  setOptions(patch: Partial<FakeOptions>): void {
    const windowChanged =
      (patch.rateWindow !== undefined && patch.rateWindow !== this.options.rateWindow) ||
      (patch.rateWindowSeconds !== undefined && patch.rateWindowSeconds !== this.options.rateWindowSeconds);
    Object.assign(this.options, patch);
    // Counts kept under one window shape mean nothing under another.
    if (windowChanged) {
      this.limiter.reset();
      this.importLimiter.reset();
    }
  }

  view(token: string): AccountView {
    const account = this.mustAccount(token);
    return {
      subscribers: () => [...account.subscribers.values()].map((s) => renderSubscriber(account, s)),
      subscriber: (idOrEmail) => {
        const s = account.subscriber(idOrEmail);
        return s ? renderSubscriber(account, s) : undefined;
      },
      groups: () => [...account.groups.values()].map(renderGroup),
      fields: () => [...account.fields.values()].map(renderField),
    };
  }

  private mustAccount(token: string): FakeAccount {
    const account = this.accounts.get(token);
    if (!account) throw new Error(`fake MailerLite: no account for token ${token}`);
    return account;
  }
}
