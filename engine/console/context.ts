/** What every console route is given. */
import type { Fleet } from '../runtime/fleet.ts';
import type { Store } from '../store/types.ts';
import type { RateLimitLog } from './rate-limit-log.ts';
import type { Sessions } from './session.ts';
import type { TokenGuesses } from '../operator/token-guesses.ts';

export interface ConsoleContext {
  /** The admin token: the console's one credential. */
  token: string;
  store: Store;
  fleet: Fleet;
  sessions: Sessions;
  /** Wrong admin tokens per address, shared with the admin API. */
  guesses: TokenGuesses;
  rateLimits: RateLimitLog;
  /** Wakes the worker of a flow's account (after a replay). */
  wake: (flow: string) => void;
  now: () => number;
  /** A served flow without a delivery for this long is shown as silent on the fleet page. */
  silentAfterMs: number;
}
