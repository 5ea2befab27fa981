/**
 * Guessing the admin token, throttled per client address: the admin API's bearer check and the
 * console's login form share one count, so neither is a side door around the other. Once a
 * client has been refused `maxRefused` times within `windowMs`, its tries are not even compared
 * until the oldest refusal ages out of the window (comparing them would still answer the guess).
 *
 * Behind a reverse proxy every client has the proxy's address unless `--trust-proxy` names it
 * (engine/server/trusted-proxies.ts): then one guesser blocks everyone, the safe side of that mistake.
 */
export interface GuessLimits {
  maxRefused: number;
  windowMs: number;
  /** Addresses remembered at most; the one refused longest ago is forgotten first. */
  maxClients: number;
}

export const DEFAULT_GUESS_LIMITS: GuessLimits = { maxRefused: 10, windowMs: 15 * 60_000, maxClients: 10_000 };

export class TokenGuesses {
  /** Per address, when each refusal within the window happened (oldest first). */
  private readonly refusals = new Map<string, number[]>();

  constructor(private readonly limits: GuessLimits = DEFAULT_GUESS_LIMITS) {}

  /** How long this client must wait before a try is compared again (0: it may try now). */
  waitMs(client: string, now: number): number {
    const times = this.recent(client, now);
    if (times.length < this.limits.maxRefused) return 0;
    return times[times.length - this.limits.maxRefused]! + this.limits.windowMs - now;
  }

  refused(client: string, now: number): void {
    const times = this.recent(client, now);
    times.push(now);
    // Re-inserted last: the map's first key is always the address refused longest ago.
    this.refusals.delete(client);
    this.refusals.set(client, times.slice(-this.limits.maxRefused));
    if (this.refusals.size > this.limits.maxClients) this.refusals.delete(this.refusals.keys().next().value!);
  }

  /** A right token clears the client's count. */
  accepted(client: string): void {
    this.refusals.delete(client);
  }

  private recent(client: string, now: number): number[] {
    const since = now - this.limits.windowMs;
    return (this.refusals.get(client) ?? []).filter((t) => t > since);
  }
}

/** Whole seconds for a Retry-After header, never 0 while a wait is left. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
