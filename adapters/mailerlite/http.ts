/**
 * One HTTP exchange with MailerLite over `fetch`: headers, timeout, JSON, and the rate-limit
 * headers read out of the answer. Transport failures become retryable EngineErrors here, so
 * nothing above ever sees a raw TypeError or DOMException.
 */
import type { EngineError } from '../../engine/errors.ts';
import { MlErrors } from './errors.ts';
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

export async function exchange(config: TransportConfig, op: Operation): Promise<HttpAnswer> {
  const url = `${config.baseUrl}/${op.path.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${config.apiKey}`,
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'X-Version': config.apiVersion,
  };
  const payload = op.body === undefined ? undefined : JSON.stringify(op.body);
  const signal = AbortSignal.timeout(config.timeoutMs);
  try {
    const res = await fetch(url, { method: op.method, headers, body: payload, signal });
    const text = await res.text();
    return {
      status: res.status,
      body: parseBody(text),
      ...rateHeaders(res.headers, config.timeScale),
    };
  } catch (err) {
    throw transportError(err, config.timeoutMs);
  }
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
