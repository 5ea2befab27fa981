/**
 * Which MailerLite accounts this instance drains. One instance on its own store (SQLite) drains
 * every account it serves; instances sharing a PostgreSQL store hold a lease per account
 * (postgres-leases.ts), so each account's rate budget is spent by one of them at a time. The
 * fleet starts an account's worker only while the account is owned here.
 */
export interface OwnershipEvents {
  /** Accounts this instance now owns (start their workers) and no longer owns (stop them). */
  changed(acquired: readonly string[], lost: readonly string[]): void;
  /** Another instance took records for an account this instance owns: drain now. */
  wake(account: string): void;
}

export interface AccountOwnership {
  /** Starts owning (or competing for) accounts; `events` are called from then on. */
  start(events: OwnershipEvents): Promise<void>;
  /** The accounts this instance serves now, each with the flows it serves on it (reload). */
  serve(accounts: ReadonlyMap<string, readonly string[]>): void;
  owns(account: string): boolean;
  /** Records for the account were committed here: wake its owner if that is another instance. */
  committed(account: string): void;
  /** Gives up every account (after the workers stopped), so others take them at once. */
  stop(): Promise<void>;
}

/**
 * One instance owns its store: every account served here is drained here, and every record
 * lease found at start-up is a dead process's, given back at once.
 */
export class SoleOwnership implements AccountOwnership {
  private accounts = new Set<string>();
  private events: OwnershipEvents | null = null;

  constructor(private readonly releaseAll: () => Promise<number>, private readonly onReleased: (records: number) => void = () => undefined) {}

  async start(events: OwnershipEvents): Promise<void> {
    const released = await this.releaseAll();
    if (released > 0) this.onReleased(released);
    this.events = events;
    events.changed([...this.accounts], []);
  }

  serve(accounts: ReadonlyMap<string, readonly string[]>): void {
    const next = new Set(accounts.keys());
    const acquired = [...next].filter((a) => !this.accounts.has(a));
    const lost = [...this.accounts].filter((a) => !next.has(a));
    this.accounts = next;
    if (this.events && (acquired.length > 0 || lost.length > 0)) this.events.changed(acquired, lost);
  }

  owns(account: string): boolean {
    return this.accounts.has(account);
  }

  committed(): void {
    // The owner is this process: intake already woke its worker.
  }

  async stop(): Promise<void> {
    this.events = null;
  }
}
