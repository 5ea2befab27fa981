/**
 * Account leases for several instances on one PostgreSQL store: a row per MailerLite account
 * naming its owner and when the ownership expires, renewed by a heartbeat.
 *
 * Why a lease table and not session advisory locks: an advisory lock lives as long as its
 * connection, so how fast a dead instance's accounts move depends on how fast the server notices
 * the connection is gone (a crashed process: at once; a machine that vanished behind a firewall:
 * TCP keepalive, two hours by default), it breaks behind a transaction-mode pooler, and the holder
 * cannot tell when it lost it. A lease expires at a time written in the row, on the database's
 * clock, so failover is bounded by the lease time whatever failed; the holder stops working
 * before that time when it cannot renew; and who owns what is a query away for status.
 *
 * Intake on one instance wakes the owner on another through LISTEN/NOTIFY on one channel.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AccountOwnership, OwnershipEvents } from './ownership.ts';
// pino's type directly: the store sits below engine/log in the folder graph.
import type { Logger } from 'pino';

export const WAKE_CHANNEL = 'engine_account_wake';

export interface LeaseOptions {
  /** How long an account stays owned without a renewal: the bound on failover. */
  leaseMs: number;
  /** How often leases are renewed and free accounts sought (a third of the lease by default). */
  heartbeatMs?: number;
  instanceId?: string;
}

export const DEFAULT_LEASE_MS = 15_000;

/** The database's clock, in milliseconds: every instance measures expiry on the same clock. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export interface InstanceView {
  id: string;
  startedAt: number;
  seenAt: number;
  flows: string[];
  accounts: string[];
}

export interface LeaseView {
  account: string;
  owner: string;
  since: number;
  expiresAt: number;
}

/**
 * Whether another instance serves every flow of an account this one serves, and more: during a
 * rolling deploy the instance with the wider flow set drains the account, so no flow of it waits
 * for an owner that does not serve it. (Two sets that each lack a flow of the other compete as
 * equals; status shows which flows an instance does not serve.)
 */
export function servesMore(theirs: readonly string[] | undefined, mine: readonly string[]): boolean {
  if (!theirs || theirs.length <= mine.length) return false;
  return mine.every((f) => theirs.includes(f));
}

export class PostgresLeases implements AccountOwnership {
  readonly instanceId: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private served = new Map<string, readonly string[]>();
  private owned = new Set<string>();
  /** Until when (this process's monotonic clock) the owned accounts may be worked on. */
  private validUntil = 0;
  private events: OwnershipEvents | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private listener: pg.Client | null = null;
  private listenRetry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly startedAt = Date.now();
  /** Accounts with a wake-up notification in flight, and whether another is owed after it. */
  private readonly notifying = new Map<string, boolean>();

  constructor(private readonly pool: pg.Pool, private readonly url: string, private readonly log: Logger, opts: LeaseOptions) {
    this.instanceId = opts.instanceId ?? newInstanceId();
    this.leaseMs = opts.leaseMs;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(100, Math.floor(opts.leaseMs / 3));
  }

  async start(events: OwnershipEvents): Promise<void> {
    this.events = events;
    await this.listen();
    await this.heartbeat();
    this.schedule();
    // A renewal that hangs (a half-open connection) must not keep this instance working past
    // its leases: checked on its own clock, whatever the heartbeat is waiting for.
    this.watchdog = setInterval(() => {
      if (this.owned.size > 0 && performance.now() >= this.validUntil) this.loseAll('account leases not renewed in time');
    }, this.heartbeatMs);
    this.watchdog.unref();
  }

  serve(accounts: ReadonlyMap<string, readonly string[]>): void {
    this.served = new Map(accounts);
    const lost = [...this.owned].filter((a) => !accounts.has(a));
    if (lost.length > 0) {
      for (const a of lost) this.owned.delete(a);
      this.events?.changed([], lost);
      void this.pool.query(`DELETE FROM account_leases WHERE owner = $1 AND account = ANY($2::text[])`, [this.instanceId, lost]).catch(() => undefined);
    }
    // A new account is sought at once, not at the next beat.
    if (this.events && [...accounts.keys()].some((a) => !this.owned.has(a))) void this.beat();
  }

  owns(account: string): boolean {
    return this.owned.has(account) && performance.now() < this.validUntil;
  }

  committed(account: string): void {
    if (this.owns(account)) return; // intake already woke the local worker
    // One notification in flight per account: commits meanwhile ask for one more after it, so
    // a busy intake costs the database a notification per round trip, not one per delivery.
    if (this.notifying.has(account)) {
      this.notifying.set(account, true);
      return;
    }
    this.notifying.set(account, false);
    void this.pool.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, account]).catch(() => undefined).finally(() => {
      const again = this.notifying.get(account);
      this.notifying.delete(account);
      if (again) this.committed(account);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.listenRetry) clearTimeout(this.listenRetry);
    await this.beating;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    this.events = null;
    // Handing over at once: the next instance need not wait for the leases to expire.
    await this.pool.query(`DELETE FROM account_leases WHERE owner = $1`, [this.instanceId]).catch(() => undefined);
    await this.pool.query(`DELETE FROM engine_instances WHERE id = $1`, [this.instanceId]).catch(() => undefined);
    this.owned.clear();
  }

  /** Every lease and every live instance, for status and metrics. */
  static async fleet(pool: pg.Pool, leaseMs: number): Promise<{ instances: InstanceView[]; leases: LeaseView[] }> {
    const [instances, leases] = await Promise.all([
      pool.query<{ id: string; started_at: number; seen_at: number; flows: string[]; accounts: string[] }>(
        `SELECT id, started_at, seen_at, flows, accounts FROM engine_instances WHERE seen_at > ${NOW_MS} - $1 ORDER BY id`, [leaseMs * 3],
      ),
      pool.query<{ account: string; owner: string; since: number; expires_at: number }>(
        `SELECT account, owner, since, expires_at FROM account_leases WHERE expires_at > ${NOW_MS} ORDER BY account`,
      ),
    ]);
    return {
      instances: instances.rows.map((r) => ({ id: r.id, startedAt: r.started_at, seenAt: r.seen_at, flows: r.flows, accounts: r.accounts })),
      leases: leases.rows.map((r) => ({ account: r.account, owner: r.owner, since: r.since, expiresAt: r.expires_at })),
    };
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.beat().finally(() => this.schedule());
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private beat(): Promise<void> {
    this.beating ??= this.heartbeat().finally(() => (this.beating = null));
    return this.beating;
  }

  /**
   * Renews the leases held and takes every served account whose lease is free or expired, in one
   * statement; records a taken account's previous owner left leased are given back, so they are
   * claimed now rather than when their record lease ends.
   */
  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    const sentAt = performance.now();
    let held: { account: string; taken: boolean }[];
    let yielded: string[];
    try {
      const others = await this.pool.query<{ served: Record<string, string[]> }>(
        `SELECT served FROM engine_instances WHERE id <> $1 AND seen_at > ${NOW_MS} - $2`, [this.instanceId, this.leaseMs * 2],
      );
      yielded = [...this.served.keys()].filter((a) => others.rows.some((o) => servesMore(o.served[a], this.served.get(a) ?? [])));
      const accounts = [...this.served.keys()].filter((a) => !yielded.includes(a)).sort();
      const res = await this.pool.query<{ account: string; taken: boolean }>(
        `WITH clock AS (SELECT ${NOW_MS} AS now),
         dropped AS (
           DELETE FROM account_leases WHERE owner = $1 AND account = ANY($7::text[])
         ),
         held AS (
           INSERT INTO account_leases (account, owner, since, expires_at)
           SELECT a, $1, clock.now, clock.now + $2 FROM unnest($3::text[]) AS a, clock ORDER BY a
           ON CONFLICT (account) DO UPDATE
             SET owner = excluded.owner, expires_at = excluded.expires_at,
                 since = CASE WHEN account_leases.owner = excluded.owner THEN account_leases.since ELSE excluded.since END
           WHERE account_leases.owner = excluded.owner OR account_leases.expires_at <= excluded.since
           RETURNING account, (since = (SELECT now FROM clock)) AS taken
         ), seen AS (
           INSERT INTO engine_instances (id, started_at, seen_at, flows, accounts, served)
           SELECT $1, $4, clock.now, $5::text[], coalesce((SELECT array_agg(account ORDER BY account) FROM held), '{}'), $6::jsonb FROM clock
           ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, flows = excluded.flows, accounts = excluded.accounts, served = excluded.served
         )
         SELECT account, taken FROM held`,
        [this.instanceId, this.leaseMs, accounts, this.startedAt, [...new Set([...this.served.values()].flat())].sort(),
          JSON.stringify(Object.fromEntries(this.served)), yielded],
      );
      held = res.rows;
    } catch (err) {
      // The database cannot be reached: keep working until the leases would have expired, then stop.
      if (this.owned.size > 0 && performance.now() >= this.validUntil) this.loseAll('cannot renew account leases');
      this.log.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'account lease heartbeat failed; retrying');
      return;
    }
    if (this.stopped) return;
    // Valid a little less than the lease measured from when the renewal was sent: the database's
    // expiry is later than that, so this instance stops before another may start.
    this.validUntil = sentAt + this.leaseMs - this.heartbeatMs / 2;
    const now = new Set(held.map((h) => h.account));
    const acquired = held.filter((h) => !this.owned.has(h.account)).map((h) => h.account);
    const lost = [...this.owned].filter((a) => !now.has(a));
    const takenFlows = held.filter((h) => h.taken || !this.owned.has(h.account)).flatMap((h) => [...(this.served.get(h.account) ?? [])]);
    if (takenFlows.length > 0) {
      // Nothing of these flows is being worked on anywhere now: the previous owner is gone.
      await this.pool.query(
        `UPDATE records SET lease_until = NULL, due_at = available_at WHERE flow = ANY($1::text[]) AND status = 'pending' AND lease_until IS NOT NULL`,
        [takenFlows],
      ).catch(() => undefined);
    }
    this.owned = now;
    if (acquired.length > 0 || lost.length > 0) {
      if (acquired.length > 0) this.log.info({ instance: this.instanceId, accounts: acquired.length }, 'took account leases');
      if (lost.length > 0) this.log.warn({ instance: this.instanceId, accounts: lost.length, left_to_wider_instances: lost.filter((a) => yielded.includes(a)).length }, 'account leases given up or taken by another instance');
      this.events?.changed(acquired, lost);
    }
  }

  private loseAll(why: string): void {
    const lost = [...this.owned];
    this.owned.clear();
    this.log.error({ instance: this.instanceId, accounts: lost.length }, `${why}: stopped draining until they are held again`);
    this.events?.changed([], lost);
  }

  /** One connection LISTENs for wake-ups; it reconnects on its own when the database drops it. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'mailerlite-sync-engine listener' });
    const retry = (): void => {
      if (this.stopped || this.listenRetry) return;
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      this.listenRetry = setTimeout(() => {
        this.listenRetry = null;
        void this.listen();
      }, 1_000);
      this.listenRetry.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (n) => {
      if (n.channel === WAKE_CHANNEL && n.payload && this.owns(n.payload)) this.events?.wake(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
      this.listener = client;
    } catch {
      retry();
    }
  }
}
