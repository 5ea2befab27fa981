/**
 * One HTTP exchange with MailerLite over `fetch`: headers, timeout, JSON, and the rate-limit
 * headers read out of the answer. Transport failures become retryable EngineErrors here, so
 * nothing above ever sees a raw TypeError or DOMException.
 */
import type { EngineError } from '../../engine/errors.ts';
import type { ExchangeObserver } from '../../engine/ports/destination.ts';
import { batchItemCodes } from './decode.ts';
import { MlErrors } from './errors.ts';
import { operationKind } from './operations.ts';
import type { ServerAnswer } from './rate-budget.ts';
import type { Operation } from './types.ts';

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  /** X-Version header: the API version the client was written against. */
  apiVersion: string;
  timeoutMs: number;
  /** A MailerLite second lasts 1000 × timeScale ms here. */
  timeScale: number;
}

export interface HttpAnswer extends ServerAnswer {
  status: number;
  body: unknown;
}

/**
 * One request and its answer. `observe` hears of it once it is over, answered or not: this is the
 * one place every request to MailerLite passes, so nothing the client sends goes uncounted.
 */
export async function exchange(config: TransportConfig, op: Operation, observe?: ExchangeObserver): Promise<HttpAnswer> {
  const url = `${config.baseUrl}/${op.path.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${config.apiKey}`,
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'X-Version': config.apiVersion,
  };
  const payload = op.body === undefined ? undefined : JSON.stringify(op.body);
  const signal = AbortSignal.timeout(config.timeoutMs);
  const started = performance.now();
  let answer: HttpAnswer;
  try {
    const res = await fetch(url, { method: op.method, headers, body: payload, signal });
    const text = await res.text();
    answer = {
      status: res.status,
      body: parseBody(text),
      ...rateHeaders(res.headers, config.timeScale),
    };
  } catch (err) {
    observe?.({ operation: operationKind(op), status: null, seconds: (performance.now() - started) / 1000 });
    throw transportError(err, config.timeoutMs);
  }
  if (observe) {
    const operation = operationKind(op);
    const items = operation === 'batch' && answer.status === 200 ? batchItemCodes(answer.body) : undefined;
    observe({ operation, status: answer.status, seconds: (performance.now() - started) / 1000, ...(items ? { items } : {}) });
  }
  return answer;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy's HTML error page, say: keep it as text, the status decides what it means.
    return text;
  }
}

function rateHeaders(headers: Headers, timeScale: number): ServerAnswer {
  const out: ServerAnswer = {};
  const limit = intHeader(headers.get('x-ratelimit-limit'));
  const remaining = intHeader(headers.get('x-ratelimit-remaining'));
  const retryAfter = retryAfterSeconds(headers.get('retry-after'));
  if (limit !== undefined) out.limit = limit;
  if (remaining !== undefined) out.remaining = remaining;
  if (retryAfter !== undefined) out.retryAfterMs = Math.ceil(retryAfter * 1000 * timeScale);
  return out;
}

function intHeader(v: string | null): number | undefined {
  if (v === null || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

/** Retry-After is delta-seconds or an HTTP date. */
export function retryAfterSeconds(v: string | null): number | undefined {
  if (v === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - Date.now()) / 1000);
}

function transportError(err: unknown, timeoutMs: number): EngineError {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return MlErrors.ML_ERR_TIMEOUT({ timeoutMs }, { cause: err });
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const reason = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'unknown';
  return MlErrors.ML_ERR_NETWORK({ reason }, { cause: err });
}
