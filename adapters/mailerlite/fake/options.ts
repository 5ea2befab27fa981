/**
 * The fake's switches. Each behaviour the spec marks **unknown** is a switch, so tests can cover
 * both answers; the limits are configurable so tests and benchmarks can scale time.
 */
import type { SubscriberStatus } from '../types.ts';

export interface FakeOptions {
  /** Requests per rate window per token (the real API: 120 a minute). */
  requestsPerMinute: number;
  /** All-upsert batches ("imports") per rate window per token (the real API: 5 a minute). */
  importsPerMinute: number;
  /** A MailerLite second lasts 1000 × timeScale ms (rate windows, Retry-After); default 1. */
  timeScale: number;
  /**
   * How the rate window moves. `fixed`: a window opens at a token's first request and its count
   * starts again when it closes (Laravel's throttle; the documented Retry-After example, 119 s,
   * is a wait for a window to close, not for one old request to age out). `sliding`: the last
   * window's worth of requests, each ageing out on its own.
   */
  rateWindow: 'fixed' | 'sliding';
  /** Length of a rate window in (scaled) seconds: 60 for "per minute". */
  rateWindowSeconds: number;
  /** unknown: a batch counts as one request, or as one per item (items over the limit get 429). */
  batchCounting: 'one' | 'per-item';
  /** unknown: an existing bounced/junk subscriber is refused like an unsubscribed one, or upserted. */
  bouncedJunk: 'like-unsubscribed' | 'importable';
  /**
   * unknown: whether the 422 refusing to upsert an unsubscribed (blocked) subscriber always names
   * it in `subscriber` (`always`), or comes with `errors.email` alone (`never`).
   */
  refusalNamesSubscriber: 'always' | 'never';
  /**
   * unknown: whether a group can be added to an unsubscribed (blocked) subscriber — by
   * POST /api/subscribers/{id}/groups/{gid} or a PUT adding groups — (`allowed`), or the call is
   * refused with 422 and nothing changes (`refused`).
   */
  groupJoinWhenUnsubscribed: 'allowed' | 'refused';
  /** unknown: a `fields` key the account does not have is ignored, or refused with 422. */
  unknownFieldKeys: 'ignore' | 'reject';
  /** Status of a new subscriber created without one (the recorded responses say active). */
  defaultStatus: SubscriberStatus;
  /** The per-account cap on groups (250 or 1000 depending on the doc revision). */
  maxGroups: number;
  /** Entries kept in the request log (oldest dropped first). */
  requestLogLimit: number;
}

export const defaultFakeOptions: FakeOptions = {
  requestsPerMinute: 120,
  importsPerMinute: 5,
  timeScale: 1,
  rateWindow: 'fixed',
  rateWindowSeconds: 60,
  batchCounting: 'one',
  bouncedJunk: 'like-unsubscribed',
  refusalNamesSubscriber: 'always',
  groupJoinWhenUnsubscribed: 'allowed',
  unknownFieldKeys: 'ignore',
  defaultStatus: 'active',
  maxGroups: 250,
  requestLogLimit: 10_000,
};
