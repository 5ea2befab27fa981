/**
 * POST /api/batch: up to 50 calls in one request, answered 200 with each item's code and body in
 * request order (per-item failures live only inside). Over 50 or malformed: 422 for the whole.
 * A batch made only of `POST api/subscribers` is an import, under its own per-minute limit.
 * With `batchCounting: 'per-item'` every item past the first takes a request slot of its own,
 * and items that find none are answered 429 inside the batch.
 */
import type { FakeAccount } from './account.ts';
import { dispatch } from './dispatch.ts';
import type { Faults } from './faults.ts';
import type { FakeOptions } from './options.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { invalid } from './render.ts';
import type { LoggedItem } from './request-log.ts';
import { splitTarget, type ApiResult } from './router.ts';
import { isObject } from './validate.ts';

export const BATCH_LIMIT = 50;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export interface BatchDeps {
  token: string;
  account: FakeAccount;
  options: FakeOptions;
  baseUrl: string;
  limiter: RateLimiter;
  importLimiter: RateLimiter;
  faults: Faults;
}

export interface BatchAnswer extends ApiResult {
  retryAfter?: number;
  items?: LoggedItem[];
}

interface Item {
  method: string;
  path: string;
  body: unknown;
}

export function handleBatch(deps: BatchDeps, body: unknown): BatchAnswer {
  const requests = isObject(body) ? body.requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0) return invalid({ requests: ['The requests field is required.'] });
  if (requests.length > BATCH_LIMIT) return invalid({ requests: [`The requests may not have more than ${BATCH_LIMIT} items.`] });
  const errors: Record<string, string[]> = {};
  const items: Item[] = [];
  requests.forEach((r, i) => {
    const method = isObject(r) && typeof r.method === 'string' ? r.method.toUpperCase() : '';
    const path = isObject(r) && typeof r.path === 'string' ? r.path : '';
    if (!METHODS.includes(method)) errors[`requests.${i}.method`] = ['The selected method is invalid.'];
    const pathname = splitTarget(path).pathname;
    if (!pathname.startsWith('/api/') || pathname === '/api/batch') errors[`requests.${i}.path`] = ['The path is invalid.'];
    items.push({ method, path, body: isObject(r) ? r.body : undefined });
  });
  if (Object.keys(errors).length > 0) return invalid(errors);

  const isImport = items.every((it) => it.method === 'POST' && splitTarget(it.path).pathname === '/api/subscribers');
  if (isImport) {
    const take = deps.importLimiter.take(deps.token);
    if (!take.ok) {
      return { code: 429, body: { message: "You're being rate limited on import creation." }, retryAfter: take.retryAfter! };
    }
  }

  const responses: ApiResult[] = items.map((it, i) => runItem(deps, it, i));
  const successful = responses.filter((r) => r.code >= 200 && r.code < 300).length;
  return {
    code: 200,
    body: { total: responses.length, successful, failed: responses.length - successful, responses },
    items: items.map((it, i) => ({ method: it.method, path: it.path, body: it.body, status: responses[i]!.code })),
  };
}

function runItem(deps: BatchDeps, item: Item, index: number): ApiResult {
  // The envelope already took the first slot.
  if (deps.options.batchCounting === 'per-item' && index > 0 && !deps.limiter.take(deps.token).ok) {
    return { code: 429, body: { message: 'Too Many Attempts.' } };
  }
  const fault = deps.faults.take('item', deps.token, item.method, splitTarget(item.path).pathname);
  if (fault?.status !== undefined) return { code: fault.status, body: fault.body ?? { message: 'Injected fault.' } };
  return dispatch(deps.account, deps.options, deps.baseUrl, item.method, item.path, item.body);
}
