import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isEngineError, type EngineError } from '../errors.ts';
import { parseSecretRef } from '../flow/secrets.ts';
import type { Logger } from '../log/logger.ts';
import type { ClusterView } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import { registerAdmin } from './admin.ts';
import { limitBodies } from './body-budget.ts';
import type { Fleet } from '../runtime/fleet.ts';
import { DEFAULT_HTTP_LIMITS, serverOptions, type HttpLimits } from './http-limits.ts';
import { IntakeErrors, IntakeQueue, toNewRecords } from '../runtime/intake.ts';
import type { Metrics } from './metrics.ts';
import { StoreWrites } from './store-writes.ts';
import { registerConsole, registerConsoleOff } from '../console/routes.ts';
import { RateLimitLog } from '../console/rate-limit-log.ts';
import { Sessions, type SessionOptions } from '../console/session.ts';
import { TokenGuesses } from '../operator/token-guesses.ts';

export interface AppOptions {
  fleet: Fleet;
  store: Store;
  log: Logger;
  metrics: Metrics;
  /**
   * Bytes the HTTP layer reads at most. Above the source's own limit (1 MiB), so a moderately
   * oversized delivery is refused by the source with its size, and a huge one is cut off early.
   */
  bodyLimit?: number;
  /** Bearer token of the admin API; the API is off without one. */
  adminToken?: string;
  /** Timeouts, keep-alive and in-flight body limits (DEFAULT_HTTP_LIMITS for what is not given). */
  limits?: Partial<HttpLimits>;
  /** When each account was last answered 429 (fed by the workers' hooks), for the console. */
  rateLimits?: RateLimitLog;
  /** Console session lifetimes (tests shorten them). */
  sessions?: Partial<SessionOptions>;
  /** The instances sharing a PostgreSQL store, for the admin API's fleet view. */
  cluster?: ClusterView | null;
  /** Reverse proxies whose X-Forwarded-For is believed (none by default). */
  trustProxy?: string[];
}

export interface EngineApp {
  app: FastifyInstance;
  /** Stops intake: from now on deliveries get 503 (Flipcause retries them later). */
  closeIntake(): void;
  /** The store said it can no longer write (its thread gave up): /readyz says so before any delivery fails. */
  storeFailed(reason: string): void;
}

/** A served flow without a delivery for two days is shown as silent in the console. */
const SILENT_AFTER_MS = 2 * 86_400_000;

function sendError(reply: FastifyReply, err: EngineError): FastifyReply {
  return reply.code(err.status).send({ code: err.code, message: err.message });
}

/**
 * Why nothing is served at a flow's path: an example left unconfigured answers 503 (the sender
 * retries, and is served once the secrets are set), naming the variables to set but never a
 * value or a file path; any other id is unknown (404).
 */
function notServed(fleet: Fleet, flowId: string): EngineError {
  const example = fleet.notConfiguredReport().find((n) => n.flow === flowId);
  if (!example) return IntakeErrors.ENGINE_ERR_UNKNOWN_FLOW();
  const refs = example.missing.map((ref) => parseSecretRef(ref));
  const names = refs.flatMap((r) => (r?.kind === 'env' ? [r.name] : []));
  const files = refs.length - names.length;
  const missing = [...names, ...(files > 0 ? [`${files} secret file${files === 1 ? '' : 's'} (named in the server's log)`] : [])].join(', ');
  return IntakeErrors.ENGINE_ERR_FLOW_NOT_CONFIGURED({ flow: flowId, missing });
}

const HOOKS = '/hooks/';

/** The flow segment of a /hooks/<flow>[/<token>][?query] URL. */
export function flowIdOf(url: string): string {
  let end = HOOKS.length;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  return url.slice(HOOKS.length, end);
}

/** The webhook server: POST /hooks/<flow>[/<token>], health, readiness, metrics, admin. */
export function buildApp(opts: AppOptions): EngineApp {
  const { fleet, store, log, metrics } = opts;
  // Fastify's own request logging is off: one line per delivery is written below, without PII.
  const bodyLimit = opts.bodyLimit ?? 4 * 1024 * 1024;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  const trustProxy = opts.trustProxy && opts.trustProxy.length > 0 ? opts.trustProxy : false;
  const app = Fastify({ logger: false, bodyLimit, trustProxy, ...serverOptions(limits) });
  limitBodies(app, { maxBodies: limits.maxBodies, maxBodyBytes: limits.maxBodyBytes, bodyLimit }, metrics.registry);
  const writes = new StoreWrites(store, log);
  const intake = new IntakeQueue(store, Date.now, writes);
  let open = true;

  // Every body is read as raw bytes: the source authenticates and parses it. A source whose
  // sender sends malformed Content-Types (its adapter's quirks say so) would meet Fastify's 415
  // before any parser runs, so its webhook requests are relabelled as opaque bytes first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // A callback hook, not an async one: no promise per request on the intake path.
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'POST' && req.url.startsWith(HOOKS)) {
      const flow = fleet.flow(flowIdOf(req.url));
      // An unknown flow is answered 404 whatever its body says.
      if (!flow || flow.sourceAdapter.quirks.anyContentType) req.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (isEngineError(err)) return sendError(reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, IntakeErrors.ENGINE_ERR_BODY_TOO_LARGE({ limit: bodyLimit }));
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log.error({ err }, 'unhandled error');
    return reply.code(status).send({ code: err.code ?? 'ENGINE_ERR_INTERNAL', message: status === 500 ? 'internal error' : err.message });
  });

  async function deliver(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const started = performance.now();
    const { flow: flowId, token } = req.params as { flow: string; token?: string };
    const flow = fleet.flow(flowId);
    const respond = (status: number, body: unknown, extra: Record<string, unknown> = {}): FastifyReply => {
      // From the request's arrival (its body's reading included), which is what Flipcause's 3 s timeout counts.
      metrics.delivered(flow ? flowId : 'unknown', status, reply.elapsedTime / 1000);
      log.info({ flow: flow ? flowId : undefined, status, ms: Math.round(performance.now() - started), ...extra }, 'delivery');
      return reply.code(status).send(body);
    };
    try {
      if (!open) throw IntakeErrors.ENGINE_ERR_SHUTTING_DOWN();
      if (!flow) throw notServed(fleet, flowId);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      flow.source.authenticate({ headers: req.headers, body, token });
      const records = flow.source.parse(body);
      const now = Date.now();
      const result = await intake.submit(toNewRecords(flow, records, now));
      metrics.recordsIn.inc({ flow: flowId, kind: 'new' }, result.accepted);
      metrics.recordsIn.inc({ flow: flowId, kind: 'duplicate' }, result.duplicates);
      if (result.accepted > 0) fleet.committed(flow.accountKey);
      return respond(200, { accepted: result.accepted, duplicates: result.duplicates }, { records: records.length, ...result });
    } catch (err) {
      if (!isEngineError(err)) throw err;
      return respond(err.status, { code: err.code, message: err.message }, { code: err.code });
    }
  }

  app.post('/hooks/:flow', deliver);
  app.post('/hooks/:flow/:token', deliver);

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const problems = fleet.problemsReport();
    const accounts = fleet.accounts().map((w) => ({ account: w.accountKey, flows: w.flowIds, ...w.status() }));
    const storeWrites = await writes.status();
    const notConfigured = fleet.notConfiguredReport();
    // Examples left unconfigured are the operator's choice, not a fault: a fresh clone is ready.
    const serving = fleet.all().length > 0 || (notConfigured.length > 0 && problems.length === 0);
    const ready = open && serving && storeWrites.writable;
    return reply.code(ready ? 200 : 503).send({ ready, intake: open ? 'open' : 'closed', store: storeWrites, flows: fleet.all().length, problems, not_configured: notConfigured, accounts });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  if (opts.adminToken) {
    const wake = (flowId: string): void => {
      // The account's owner may be another instance sharing the store: it is woken too.
      const f = fleet.flow(flowId);
      if (f) fleet.committed(f.accountKey);
    };
    const guesses = new TokenGuesses();
    registerAdmin(app, { token: opts.adminToken, store, fleet, cluster: opts.cluster, wake, guesses, now: Date.now });
    registerConsole(app, {
      token: opts.adminToken, store, fleet, wake, guesses,
      sessions: new Sessions(opts.sessions),
      rateLimits: opts.rateLimits ?? new RateLimitLog(),
      now: Date.now,
      silentAfterMs: SILENT_AFTER_MS,
    });
  } else {
    registerConsoleOff(app);
  }

  return { app, closeIntake: () => void (open = false), storeFailed: (reason) => writes.failed(reason) };
}
