/**
 * When each MailerLite account was last answered 429, for the flow page. Fed by the workers'
 * response hook; kept in memory (it says what this process saw since it started).
 */
import type { WorkerHooks } from '../worker/hooks.ts';

export class RateLimitLog {
  private readonly last = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  response(account: string, status: number): void {
    if (status === 429) this.last.set(account, this.now());
  }

  lastAt(account: string): number | null {
    return this.last.get(account) ?? null;
  }

  /** `hooks` with this log listening to MailerLite's answers too. */
  listen(hooks: WorkerHooks): WorkerHooks {
    return {
      ...hooks,
      response: (account, status) => {
        hooks.response?.(account, status);
        this.response(account, status);
      },
    };
  }
}
