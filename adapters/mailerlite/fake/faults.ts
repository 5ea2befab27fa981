/**
 * Fault injection: answer the Nth matching call (from injection on) with a status, slowly, or
 * both. `scope: 'item'` aims at the items inside /api/batch instead of HTTP requests. A delayed
 * call without a status is still carried out after the delay: the client timed out, the server
 * did the work — the case retries must survive.
 */
export interface FaultSpec {
  /** Only calls with this token (default: any). */
  token?: string;
  /** Only this method (default: any). */
  method?: string;
  /** Only paths equal to or under this one (`/api/subscribers`), or matching this RegExp. */
  path?: string | RegExp;
  /** HTTP requests (default) or /api/batch items. */
  scope?: 'request' | 'item';
  /** The first matching call it hits, counted from now: 1 = the next one (default 1). */
  nth?: number;
  /** How many matching calls in a row it hits from the nth on (default 1; Infinity: all). */
  times?: number;
  /** Answer with this status instead of doing the work (500, 503, 429, 408…). */
  status?: number;
  /** Retry-After (scaled seconds) sent with a 429 (default 1). */
  retryAfter?: number;
  /** Body sent with `status` (default `{message}`). */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /**
   * Carry the call out, then answer 200 with what a client cannot read: a body cut short
   * (invalid JSON), or for /api/batch one response fewer than its requests. (Ignored with `status`.)
   */
  garble?: Garble;
}

export type Garble = 'invalid-json' | 'short-batch';

export interface FaultHit {
  id: string;
  status?: number;
  retryAfter?: number;
  body?: unknown;
  delayMs?: number;
  garble?: Garble;
}

interface ArmedFault {
  id: string;
  spec: FaultSpec;
  seen: number;
}

export class Faults {
  private armed: ArmedFault[] = [];
  private seq = 0;

  add(spec: FaultSpec): string {
    const id = `fault-${++this.seq}`;
    this.armed.push({ id, spec, seen: 0 });
    return id;
  }

  remove(id: string): void {
    this.armed = this.armed.filter((f) => f.id !== id);
  }

  clear(): void {
    this.armed = [];
  }

  /** Counts this call against every matching fault; returns the first that fires. */
  take(scope: 'request' | 'item', token: string, method: string, pathname: string): FaultHit | undefined {
    let hit: FaultHit | undefined;
    for (const f of this.armed) {
      if (!matches(f.spec, scope, token, method, pathname)) continue;
      f.seen++;
      const from = f.spec.nth ?? 1;
      const until = from + (f.spec.times ?? 1);
      if (!hit && f.seen >= from && f.seen < until) {
        hit = { id: f.id };
        if (f.spec.status !== undefined) hit.status = f.spec.status;
        if (f.spec.retryAfter !== undefined) hit.retryAfter = f.spec.retryAfter;
        if (f.spec.body !== undefined) hit.body = f.spec.body;
        if (f.spec.delayMs !== undefined) hit.delayMs = f.spec.delayMs;
        if (f.spec.garble !== undefined) hit.garble = f.spec.garble;
      }
    }
    this.armed = this.armed.filter((f) => f.seen < (f.spec.nth ?? 1) + (f.spec.times ?? 1) - 1 || f.spec.times === Infinity);
    return hit;
  }
}

function matches(spec: FaultSpec, scope: 'request' | 'item', token: string, method: string, pathname: string): boolean {
  if ((spec.scope ?? 'request') !== scope) return false;
  if (spec.token !== undefined && spec.token !== token) return false;
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
  if (spec.path instanceof RegExp) return spec.path.test(pathname);
  if (spec.path !== undefined) {
    const p = '/' + spec.path.replace(/^\/+/, '').replace(/\/+$/, '');
    return pathname === p || pathname.startsWith(p + '/');
  }
  return true;
}
