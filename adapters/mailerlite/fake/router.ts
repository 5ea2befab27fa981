/**
 * The fake's one route table, used for HTTP requests and for /api/batch items alike, so a call
 * behaves the same whichever way it arrives.
 */
import type { FakeAccount } from './account.ts';
import type { FakeOptions } from './options.ts';

export interface ApiResult {
  code: number;
  body: unknown;
}

export interface RouteContext {
  account: FakeAccount;
  options: FakeOptions;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** Absolute URL of the resource path (no query), for pagination links. */
  url: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/api/subscribers/:id` */
  pattern: string;
  handle(ctx: RouteContext): ApiResult;
}

export interface Target {
  pathname: string;
  query: Record<string, string>;
}

/** `api/subscribers?limit=2` or `/api/subscribers?limit=2` → pathname + query (brackets kept: `filter[status]`). */
export function splitTarget(target: string): Target {
  const q = target.indexOf('?');
  const raw = q < 0 ? target : target.slice(0, q);
  const pathname = '/' + raw.replace(/^\/+/, '').replace(/\/+$/, '');
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(target.slice(q + 1))) query[k] = v;
  return { pathname, query };
}

export type Match = { route: Route; params: Record<string, string> } | { route: undefined; methodAllowed: boolean };

export function matchRoute(routes: readonly Route[], method: string, pathname: string): Match {
  const parts = pathname.split('/').slice(1);
  let pathKnown = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, parts);
    if (!params) continue;
    pathKnown = true;
    if (route.method === method) return { route, params };
  }
  return { route: undefined, methodAllowed: !pathKnown };
}

function matchPattern(pattern: string, parts: string[]): Record<string, string> | undefined {
  const want = pattern.split('/').slice(1);
  if (want.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const p = parts[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(p);
      } catch {
        return undefined;
      }
    } else if (w !== p) return undefined;
  }
  return params;
}
