/**
 * What the HTTP server grants one client, so that slow or stalled clients cannot hold its
 * connections and memory. Fastify's defaults set no request timeout at all: 2,000 slow-drip
 * bodies were never cut off, and 40 bodies stalled just under the read limit held 90 MB.
 */
import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';

export interface HttpLimits {
  /** A request's headers must all arrive within this. */
  headersTimeoutMs: number;
  /**
   * A whole request, body included, must arrive within this (then 408 and the connection is
   * closed). Flipcause gives up on a delivery after 3 s, so a body still arriving later is
   * either stalled or no longer awaited.
   */
  requestTimeoutMs: number;
  /** A connection with no traffic either way (say, a client that stopped reading the answer) is closed after this. */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. Behind a proxy, set it above the proxy's own idle timeout. */
  keepAliveTimeoutMs: number;
  /** Requests one connection may carry before the server closes it. */
  maxRequestsPerSocket: number;
  /** Request bodies being received or handled at once; one more is answered 503 at once, unread. */
  maxBodies: number;
  /** Bytes those bodies may hold together; a body that would go over is answered 503 and dropped. */
  maxBodyBytes: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  // A Flipcause delivery is a few KB and a burst is tens of them: room for bursts many times
  // that, while stalled bodies at the 4 MiB read limit can hold at most 32 MiB between them.
  maxBodies: 256,
  maxBodyBytes: 32 * 1024 * 1024,
});

/** The Fastify (and Node http.Server) options that enforce the connection and timeout limits. */
export function serverOptions(limits: HttpLimits): FastifyHttpOptions<Server> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired requests every 30 s by default, which would let a 5 s timeout run
      // to 35 s: look a few times within the shorter timeout instead (at most once a second).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
  };
}
