import type { ExchangeReport } from '../ports/destination.ts';
import type { Outcome } from '../store/types.ts';

/** What the worker reports as it goes (metrics and tests listen; all optional). */
export interface WorkerHooks {
  outcome?(flow: string, outcome: Outcome, reason: string | null): void;
  paused?(accountKey: string, code: string): void;
  resumed?(accountKey: string): void;
  /**
   * Every request the worker's destination sent for it — rounds and the group and field
   * directory alike, each retried attempt on its own — with its answer's status (or none) and time.
   */
  exchange?(accountKey: string, report: ExchangeReport): void;
}
