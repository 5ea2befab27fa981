import type { FakeMailerLite } from '../../adapters/mailerlite/fake/index.ts';
import type { Store } from '../store/types.ts';

/** What a case produced, in the terms its expectations use. */
export interface Observed {
  /** HTTP status the server answered to each delivery. */
  deliveries: number[];
  /** One per stored record: `trigger:recordId` → outcome (null while still pending). */
  outcomes: Array<{ key: string; outcome: string | null; reason: string | null; error: string | null }>;
  subscribers: Array<{ email: string; status: string; groups: string[]; fields: Record<string, unknown> }>;
  /** MailerLite writes in order (batch items one by one), ids spelled group:<name> / subscriber:<email>. */
  requests: Array<{ method: string; path: string; body: unknown }>;
}

export function observeOutcomes(store: Store, flow: string): Observed['outcomes'] {
  return store.records({ flow, limit: 10_000 }).map((r) => ({ key: r.dedupeKey, outcome: r.outcome, reason: r.reason, error: r.errorCode }));
}

export function observeAccount(fake: FakeMailerLite, token: string): Pick<Observed, 'subscribers' | 'requests'> {
  const view = fake.account(token);
  const subscribers = view.subscribers().map((s) => ({
    email: s.email as string,
    status: s.status as string,
    groups: (s.groups as Array<{ name: string }>).map((g) => g.name),
    fields: s.fields as Record<string, unknown>,
  }));
  const names = new Map<string, string>();
  for (const g of view.groups()) names.set(String(g.id), `group:${String(g.name)}`);
  for (const s of view.subscribers()) names.set(String(s.id), `subscriber:${String(s.email)}`);
  const readable = (v: unknown): unknown => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(readable);
    return v;
  };
  const requests: Observed['requests'] = [];
  for (const entry of fake.requests(token)) {
    for (const item of entry.items ?? [entry]) {
      if (item.method === 'GET' || item.path.replace(/^\//, '') === 'api/batch') continue;
      const path = item.path.replace(/^\//, '').split('/').map((seg) => names.get(seg) ?? seg).join('/');
      let body = item.body;
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        body = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === 'groups' ? readable(v) : v]));
      }
      requests.push({ method: item.method, path, body: body ?? null });
    }
  }
  return { subscribers, requests };
}
