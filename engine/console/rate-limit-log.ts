/**
 * When each MailerLite account was last answered 429, for the flow page. Fed by the workers'
 * exchange hook (every request on every path, batch items included); kept in memory, so it says
 * what this process saw since it started.
 */
import type { ExchangeReport } from '../ports/destination.ts';
import type { WorkerHooks } from '../worker/hooks.ts';

export class RateLimitLog {
  private readonly last = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  exchange(account: string, report: ExchangeReport): void {
    if (report.status === 429 || report.items?.includes(429)) this.last.set(account, this.now());
  }

  lastAt(account: string): number | null {
    return this.last.get(account) ?? null;
  }

  /** `hooks` with this log listening to MailerLite's answers too. */
  listen(hooks: WorkerHooks): WorkerHooks {
    const listened: WorkerHooks = {
      ...hooks,
      exchange: (account, report) => {
        hooks.exchange?.(account, report);
        this.exchange(account, report);
      },
    };
    return listened;
  }
}
