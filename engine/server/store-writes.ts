/**
 * Whether the store accepts writes, for /readyz: a server whose every delivery gets 503 because
 * its disk is full must not say it is ready. An intake commit that fails marks the store failing;
 * the next one that succeeds clears it. While failing, each readiness check also tries one small
 * write of its own, so a server that a load balancer stopped sending deliveries to (because it
 * said it was not ready) still finds out when the store works again.
 */
import type { Logger } from '../log/logger.ts';
import { reasonOf } from '../store/failure-reason.ts';
import type { Store } from '../store/types.ts';

/** The meta key the readiness check writes while the store is failing (the last probe's time). */
export const PROBE_KEY = 'readyz_write_probe';

export type StoreWriteStatus = { writable: true } | { writable: false; reason: string; since: string };

export class StoreWrites {
  private failure: { reason: string; since: number } | null = null;

  constructor(private readonly store: Store, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  committed(): void {
    if (this.failure === null) return;
    this.log.info({ failingSince: new Date(this.failure.since).toISOString() }, 'the store accepts writes again');
    this.failure = null;
  }

  failed(reason: string): void {
    if (this.failure !== null) {
      this.failure.reason = reason;
      return;
    }
    this.failure = { reason, since: this.now() };
    // Once per change of state: every refused delivery has its own line already.
    this.log.error({ reason }, 'the store refuses writes: deliveries get 503 and /readyz says not ready until a write succeeds');
  }

  async status(): Promise<StoreWriteStatus> {
    if (this.failure !== null) {
      try {
        await this.store.setMeta(PROBE_KEY, new Date(this.now()).toISOString());
        this.committed();
      } catch (err) {
        // An intake commit may have cleared the failure while the probe was out.
        if (this.failure !== null) this.failure.reason = reasonOf(err);
      }
    }
    return this.failure === null ? { writable: true } : { writable: false, reason: this.failure.reason, since: new Date(this.failure.since).toISOString() };
  }
}
