/**
 * The JSON MailerLite answers with. A subscriber carries every account field (null when unset)
 * and full group objects, never ids — which is why a fetched subscriber cannot be posted back.
 */
import type { FieldValue, SubscriberStatus } from '../types.ts';
import type { FakeAccount, FieldRecord, FieldType, GroupRecord, SubscriberRecord } from './account.ts';

/** A group as the API renders it (inside a subscriber, too). */
export interface GroupJson {
  id: string;
  name: string;
  active_count: number;
  unsubscribed_count: number;
  unconfirmed_count: number;
  bounced_count: number;
  junk_count: number;
  created_at: string;
  [more: string]: unknown;
}

export interface SubscriberJson {
  id: string;
  email: string;
  status: SubscriberStatus;
  /** Every account field by key, null when unset. */
  fields: Record<string, FieldValue>;
  groups: GroupJson[];
  created_at: string;
  updated_at: string;
  [more: string]: unknown;
}

export interface FieldJson {
  id: string;
  name: string;
  key: string;
  type: FieldType;
  is_default: boolean;
}

export function renderSubscriber(account: FakeAccount, sub: SubscriberRecord): SubscriberJson {
  const fields: Record<string, FieldValue> = {};
  for (const f of account.fields.values()) fields[f.key] = sub.fields.get(f.key) ?? null;
  const groups: GroupJson[] = [];
  for (const gid of sub.groups) {
    const g = account.groups.get(gid);
    if (g) groups.push(renderGroup(g));
  }
  return {
    id: sub.id,
    email: sub.email,
    status: sub.status,
    source: sub.source,
    sent: 0,
    opens_count: 0,
    clicks_count: 0,
    open_rate: 0,
    click_rate: 0,
    ip_address: sub.ipAddress,
    subscribed_at: sub.subscribedAt,
    unsubscribed_at: sub.unsubscribedAt,
    created_at: sub.createdAt,
    updated_at: sub.updatedAt,
    fields,
    groups,
    opted_in_at: sub.optedInAt,
    optin_ip: sub.optinIp,
  };
}

export function renderGroup(g: GroupRecord): GroupJson {
  return {
    id: g.id,
    name: g.name,
    active_count: g.counts.active,
    sent_count: 0,
    opens_count: 0,
    open_rate: { float: 0, string: '0%' },
    clicks_count: 0,
    click_rate: { float: 0, string: '0%' },
    unsubscribed_count: g.counts.unsubscribed,
    unconfirmed_count: g.counts.unconfirmed,
    bounced_count: g.counts.bounced,
    junk_count: g.counts.junk,
    created_at: g.createdAt,
  };
}

export function renderField(f: FieldRecord): FieldJson {
  return { id: f.id, name: f.name, key: f.key, type: f.type, is_default: f.isDefault };
}

export const notFound = (): { code: number; body: unknown } => ({ code: 404, body: { message: 'Resource not found.' } });

export function invalid(errors: Record<string, string[]>, extra: Record<string, unknown> = {}): { code: number; body: unknown } {
  const first = Object.values(errors)[0]?.[0] ?? 'The given data was invalid.';
  const more = Object.keys(errors).length - 1;
  const message = more > 0 ? `${first} (and ${more} more error${more > 1 ? 's' : ''})` : first;
  return { code: 422, body: { message, errors, ...extra } };
}

/** Laravel's page pagination (groups, fields). */
export function pagePaginated<T>(
  items: T[],
  query: Record<string, string>,
  path: string,
  render: (item: T) => unknown,
): { code: number; body: unknown } {
  const limit = clampInt(query.limit, 25, 1, 1000);
  const page = clampInt(query.page, 1, 1, Number.MAX_SAFE_INTEGER);
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / limit));
  const start = (page - 1) * limit;
  const slice = items.slice(start, start + limit);
  const url = (p: number) => `${path}?page=${p}`;
  return {
    code: 200,
    body: {
      data: slice.map(render),
      links: {
        first: url(1),
        last: url(lastPage),
        prev: page > 1 ? url(page - 1) : null,
        next: page < lastPage ? url(page + 1) : null,
      },
      meta: {
        current_page: page,
        from: slice.length ? start + 1 : null,
        last_page: lastPage,
        links: Array.from({ length: lastPage }, (_, i) => ({ url: url(i + 1), label: String(i + 1), active: i + 1 === page })),
        path,
        per_page: limit,
        to: slice.length ? start + slice.length : null,
        total,
      },
    },
  };
}

/** Cursor pagination (subscribers): `meta.next_cursor` is null on the last page; limit=0 gives the total. */
export function cursorPaginated<T>(
  items: T[],
  query: Record<string, string>,
  path: string,
  render: (item: T) => unknown,
): { code: number; body: unknown } {
  if (query.limit === '0') return { code: 200, body: { total: items.length } };
  const limit = clampInt(query.limit, 25, 1, 1000);
  const offset = query.cursor ? decodeCursor(query.cursor) : 0;
  if (offset === undefined) return invalid({ cursor: ['The cursor is invalid.'] });
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? encodeCursor(offset + limit) : null;
  const prev = offset > 0 ? encodeCursor(Math.max(0, offset - limit)) : null;
  return {
    code: 200,
    body: {
      data: slice.map(render),
      links: {
        first: null,
        last: null,
        prev: prev ? `${path}?cursor=${prev}` : null,
        next: next ? `${path}?cursor=${next}` : null,
      },
      meta: { path, per_page: limit, next_cursor: next, prev_cursor: prev },
    },
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const o = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown }).o;
    return typeof o === 'number' && Number.isSafeInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

function clampInt(v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v)) return dflt;
  return Math.min(max, Math.max(min, Number(v)));
}
