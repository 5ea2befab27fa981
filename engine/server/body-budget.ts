/**
 * A budget for request bodies in flight: how many are being received or handled at once, and
 * how many bytes they may hold together, released when the answer is sent or the connection
 * drops. A body with a Content-Length reserves that many bytes when it is admitted (Node's
 * parser never passes on more), which costs nothing per chunk; only a chunked body, of unknown
 * length, is counted as it arrives. A body that would go over is answered 503 (Flipcause sends
 * it again later) instead of being held: memory stays bounded however many clients stall.
 */
import { pipeline, Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Gauge, type Registry } from 'prom-client';
import { IntakeErrors } from '../runtime/intake.ts';

export interface BodyBudgetLimits {
  maxBodies: number;
  maxBodyBytes: number;
  /** The per-request read limit: a body declared over it is refused by the parser, unread. */
  bodyLimit: number;
}

export class BodyBudget {
  private bodies = 0;
  private bytes = 0;

  constructor(private readonly limits: BodyBudgetLimits) {}

  /** Bodies and bytes held right now. */
  held(): { bodies: number; bytes: number } {
    return { bodies: this.bodies, bytes: this.bytes };
  }

  /**
   * Admits a request's body, or throws ENGINE_ERR_BUSY; returns the stream the parser reads.
   * Whatever happens to the request, its share is released once, when the answer is done.
   */
  admit(req: FastifyRequest, reply: FastifyReply, payload: NodeJS.ReadableStream): NodeJS.ReadableStream {
    if (!hasBody(req.headers)) return payload;
    const declared = Number(req.headers['content-length']);
    if (declared > this.limits.bodyLimit) return payload;
    if (this.bodies >= this.limits.maxBodies || (declared > 0 && this.bytes + declared > this.limits.maxBodyBytes)) {
      // Closing the connection drops whatever of the body is still on its way.
      reply.header('connection', 'close');
      throw IntakeErrors.ENGINE_ERR_BUSY();
    }
    this.bodies++;
    // A declared length is reserved whole; a chunked body starts at nothing and is counted below.
    let held = declared > 0 ? declared : 0;
    this.bytes += held;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.bodies--;
      this.bytes -= held;
    };
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
    if (Number.isFinite(declared)) return payload;
    const count = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        if (released) return done(null, chunk);
        if (this.bytes + chunk.length > this.limits.maxBodyBytes) {
          reply.header('connection', 'close');
          return done(IntakeErrors.ENGINE_ERR_BUSY());
        }
        this.bytes += chunk.length;
        held += chunk.length;
        done(null, chunk);
      },
    });
    // pipeline, not pipe: a client that drops the connection ends the parser's read with an error.
    pipeline(payload, count, () => {});
    return count;
  }
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** Puts every request body of `app` under the budget, and exposes what it holds as gauges. */
export function limitBodies(app: FastifyInstance, limits: BodyBudgetLimits, registry: Registry): BodyBudget {
  const budget = new BodyBudget(limits);
  // A callback hook, not an async one: no promise per request on the intake path.
  app.addHook('preParsing', (req, reply, payload, done) => {
    let stream: typeof payload;
    try {
      stream = budget.admit(req, reply, payload) as typeof payload;
    } catch (err) {
      return done(err as Error);
    }
    done(null, stream);
  });
  new Gauge({
    name: 'engine_http_bodies_in_flight', help: 'Request bodies being received or handled.', registers: [registry],
    collect() {
      this.set(budget.held().bodies);
    },
  });
  new Gauge({
    name: 'engine_http_body_bytes_held', help: 'Bytes held by request bodies being received or handled.', registers: [registry],
    collect() {
      this.set(budget.held().bytes);
    },
  });
  return budget;
}
