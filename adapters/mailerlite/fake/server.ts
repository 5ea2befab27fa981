/**
 * A faithful MailerLite fake over real HTTP (fastify, loopback by default): one account per API
 * token, the API's rate limits, status codes and shapes, switches for what is unknown, fault
 * injection, and test helpers on the returned handle (and under /_fake/).
 *
 * Order of checks for each /api call: token (401, no rate-limit headers) → rate limit (429 with
 * Retry-After) → injected fault → the call itself. Every authenticated answer carries
 * x-ratelimit-limit and x-ratelimit-remaining.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { SubscriberStatus } from '../types.ts';
import type { AccountSeed } from './account.ts';
import { registerAdminRoutes } from './admin.ts';
import { dispatch } from './dispatch.ts';
import type { FaultSpec, Garble } from './faults.ts';
import type { FakeOptions } from './options.ts';
import type { LoggedRequest } from './request-log.ts';
import { handleBatch, type BatchAnswer } from './routes-batch.ts';
import { splitTarget } from './router.ts';
import { FakeState, type AccountView } from './state.ts';

export type { AccountSeed, SubscriberSeed } from './account.ts';
export type { FaultSpec } from './faults.ts';
export type { FakeOptions } from './options.ts';
export type { LoggedRequest, LoggedItem } from './request-log.ts';
export type { AccountView } from './state.ts';
export type { SubscriberJson, GroupJson, FieldJson } from './render.ts';

export interface StartFakeOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** token → initial account state. */
  accounts?: Record<string, AccountSeed>;
  options?: Partial<FakeOptions>;
}

export interface FakeMailerLite {
  /** Base URL to give a client (`http://127.0.0.1:PORT`); the API lives under /api. */
  readonly url: string;
  tokens(): string[];
  close(): Promise<void>;
  account(token: string): AccountView;
  /** Replaces an account's state; a new token becomes accepted. */
  seed(token: string, state: AccountSeed): void;
  /** Accounts back to their first seeds; log, faults and rate windows emptied. */
  reset(): void;
  /** A person's own status change (unsubscribing, bouncing), which the API cannot make. */
  setStatus(token: string, email: string, status: SubscriberStatus): void;
  /** The request log, oldest first (all tokens, or one). */
  requests(token?: string): LoggedRequest[];
  clearRequests(): void;
  options(): Readonly<FakeOptions>;
  setOptions(patch: Partial<FakeOptions>): void;
  /** Arms a fault; returns its id. */
  inject(fault: FaultSpec): string;
  removeFault(id: string): void;
  clearFaults(): void;
}

export async function startFakeMailerLite(start: StartFakeOptions = {}): Promise<FakeMailerLite> {
  const state = new FakeState(start.accounts ?? {}, start.options ?? {});
  const closing = new AbortController();
  const app = Fastify({ logger: false, forceCloseConnections: true });

  // Any content type, and an empty body, are read as JSON (the official SDK sends
  // Content-Type: application/json on body-less DELETEs and POSTs).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('malformed JSON body'), { statusCode: 400 }), undefined);
    }
  });
  app.setErrorHandler((err: { statusCode?: number }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(code).send({ message: code === 400 ? 'The request body is not valid JSON.' : 'Server Error' });
  });

  let baseUrl = '';
  const api = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(req.headers.authorization);
    const entry = state.log.open({
      at: Date.now(),
      token,
      method: req.method,
      path: req.url,
      body: req.body ?? null,
      headers: pickHeaders(req),
    });
    const answer = await answerApi(state, baseUrl, token, req.method, req.url, req.body, closing.signal);
    entry.status = answer.code;
    entry.respondedAt = Date.now();
    if (answer.items) entry.items = answer.items;
    if (closing.signal.aborted) return reply;
    void reply.code(answer.code).headers(answer.headers);
    return answer.code === 204 ? reply.send() : reply.send(answer.body);
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/api/*', handler: api });
  registerAdminRoutes(app, state);

  const address = await app.listen({ port: start.port ?? 0, host: start.host ?? '127.0.0.1' });
  baseUrl = address;

  return {
    url: baseUrl,
    tokens: () => state.tokens(),
    close: async () => {
      closing.abort();
      await app.close();
    },
    account: (token) => state.view(token),
    seed: (token, seed) => state.seed(token, seed),
    reset: () => state.reset(),
    setStatus: (token, email, status) => state.setStatus(token, email, status),
    requests: (token) => state.log.list(token),
    clearRequests: () => state.log.clear(),
    options: () => ({ ...state.options }),
    setOptions: (patch) => state.setOptions(patch),
    inject: (fault) => state.faults.add(fault),
    removeFault: (id) => state.faults.remove(id),
    clearFaults: () => state.faults.clear(),
  };
}

interface Answer {
  code: number;
  body: unknown;
  headers: Record<string, string>;
  items?: BatchAnswer['items'];
}

async function answerApi(
  state: FakeState,
  baseUrl: string,
  token: string | null,
  method: string,
  url: string,
  body: unknown,
  closing: AbortSignal,
): Promise<Answer> {
  const account = state.accountFor(token);
  if (!account || token === null) return { code: 401, body: { message: 'Unauthenticated.' }, headers: {} };

  const rate = (extra: Record<string, string> = {}) => ({
    'x-ratelimit-limit': String(state.limiter.currentLimit()),
    'x-ratelimit-remaining': String(state.limiter.remaining(token)),
    ...extra,
  });

  const take = state.limiter.take(token);
  if (!take.ok) {
    return { code: 429, body: { message: 'Too Many Attempts.' }, headers: rate({ 'retry-after': String(take.retryAfter) }) };
  }

  const pathname = splitTarget(url).pathname;
  const fault = state.faults.take('request', token, method, pathname);
  if (fault?.delayMs) await sleep(fault.delayMs, closing);
  if (fault?.status !== undefined) {
    const extra: Record<string, string> = fault.status === 429 ? { 'retry-after': String(fault.retryAfter ?? 1) } : {};
    return { code: fault.status, body: fault.body ?? { message: 'Injected fault.' }, headers: rate(extra) };
  }

  if (method === 'POST' && pathname === '/api/batch') {
    const batch = handleBatch(
      {
        token,
        account,
        options: state.options,
        baseUrl,
        limiter: state.limiter,
        importLimiter: state.importLimiter,
        faults: state.faults,
      },
      body,
    );
    const extra: Record<string, string> = batch.retryAfter !== undefined ? { 'retry-after': String(batch.retryAfter) } : {};
    const out: Answer = { code: batch.code, body: batch.body, headers: rate(extra) };
    if (batch.items) out.items = batch.items;
    return fault?.garble ? garbled(out, fault.garble) : out;
  }

  const result = dispatch(account, state.options, baseUrl, method, url, body);
  const out: Answer = { code: result.code, body: result.body, headers: rate() };
  return fault?.garble ? garbled(out, fault.garble) : out;
}

/** The work is done; the answer is spoiled on its way back (a proxy cutting it, a short batch). */
function garbled(answer: Answer, garble: Garble): Answer {
  if (garble === 'short-batch') {
    const body = answer.body as { responses?: unknown[] } | null;
    const responses = Array.isArray(body?.responses) ? body.responses.slice(0, -1) : [];
    return { ...answer, code: 200, body: { ...body, responses } };
  }
  const text = JSON.stringify(answer.body ?? {});
  // A string is sent as it is: a JSON content type over half a JSON document.
  return { ...answer, code: 200, body: text.slice(0, Math.ceil(text.length / 2)), headers: { ...answer.headers, 'content-type': 'application/json' } };
}

function bearer(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(.+)$/i);
  return m ? m[1]!.trim() : null;
}

function pickHeaders(req: FastifyRequest): LoggedRequest['headers'] {
  const out: LoggedRequest['headers'] = {};
  const h = req.headers;
  if (typeof h.accept === 'string') out.accept = h.accept;
  if (typeof h['content-type'] === 'string') out.contentType = h['content-type'];
  if (typeof h['x-version'] === 'string') out.xVersion = h['x-version'];
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
