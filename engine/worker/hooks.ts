import type { Outcome } from '../store/types.ts';

/** What the worker reports as it goes (metrics and tests listen; all optional). */
export interface WorkerHooks {
  outcome?(flow: string, outcome: Outcome, reason: string | null): void;
  paused?(accountKey: string, code: string): void;
  resumed?(accountKey: string): void;
  /** One MailerLite answer (each batch item, or the status of a failed exchange). */
  response?(accountKey: string, status: number): void;
}
