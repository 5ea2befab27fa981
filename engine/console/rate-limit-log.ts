/**
 * When each MailerLite account was last answered 429, for the flow page. Fed by the workers'
 * exchange hook (a 429 to any request, retried or not, or to an item of a batch); kept in memory
 * (it says what this process saw since it started).
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
    return {
      ...hooks,
      exchange: (account, report) => {
        hooks.exchange?.(account, report);
        this.exchange(account, report);
      },
    };
  }
}
