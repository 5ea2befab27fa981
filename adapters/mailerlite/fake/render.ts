/**
 * The JSON MailerLite answers with. A subscriber carries every account field (null when unset)
 * and full group objects, never ids — which is why a fetched subscriber cannot be posted back.
 */
import type { FieldValue, SubscriberStatus } from '../types.ts';
import type { FakeAccount, FieldRecord, FieldType, GroupRecord, SubscriberRecord } from './account.ts';
import { compareIds } from './ordering.ts';

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
  /** In lists only: the answers to creating or renaming a field do not carry it. */
  used_in_automations?: boolean;
}

/**
 * A single subscriber carries its groups; in lists they come only with `include=groups`
 * (`withGroups: false` leaves the key out).
 */
export function renderSubscriber(account: FakeAccount, sub: SubscriberRecord, { withGroups = true } = {}): SubscriberJson {
  const fields: Record<string, FieldValue> = {};
  for (const f of account.fields.values()) fields[f.key] = sub.fields.get(f.key) ?? null;
  const groups: GroupJson[] = [];
  for (const gid of sub.groups) {
    const g = account.groups.get(gid);
    if (g) groups.push(renderGroup(g));
  }
  const out: SubscriberJson = {
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
  if (!withGroups) delete (out as Partial<SubscriberJson>).groups;
  return out;
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

export function renderListedField(f: FieldRecord): FieldJson {
  return { ...renderField(f), used_in_automations: f.usedInAutomations };
}

export const notFound = (): { code: number; body: unknown } => ({ code: 404, body: { message: 'Resource not found.' } });

export function invalid(errors: Record<string, string[]>, extra: Record<string, unknown> = {}): { code: number; body: unknown } {
  const first = Object.values(errors)[0]?.[0] ?? 'The given data was invalid.';
  const more = Object.keys(errors).length - 1;
  const message = more > 0 ? `${first} (and ${more} more error${more > 1 ? 's' : ''})` : first;
  return { code: 422, body: { message, errors, ...extra } };
}

/** Laravel's page pagination (groups, fields); `defaultLimit` when the query names none. */
export function pagePaginated<T>(
  items: T[],
  query: Record<string, string>,
  path: string,
  render: (item: T) => unknown,
  defaultLimit: number,
): { code: number; body: unknown } {
  const limit = clampInt(query.limit, defaultLimit, 1, 1000);
  const page = clampInt(query.page, 1, 1, Number.MAX_SAFE_INTEGER);
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / limit));
  const start = (page - 1) * limit;
  const slice = items.slice(start, start + limit);
  const url = (p: number) => `${path}?page=${p}`;
  const prev = page > 1 ? url(page - 1) : null;
  const next = page < lastPage ? url(page + 1) : null;
  const pageLinks = pageWindow(page, lastPage).map((p) =>
    p === '...' ? { url: null, label: '...', active: false } : { url: url(p), label: String(p), active: p === page },
  );
  return {
    code: 200,
    body: {
      data: slice.map(render),
      links: { first: url(1), last: url(lastPage), prev, next },
      meta: {
        current_page: page,
        from: slice.length ? start + 1 : null,
        last_page: lastPage,
        links: [{ url: prev, label: '&laquo; Previous', active: false }, ...pageLinks, { url: next, label: 'Next &raquo;', active: false }],
        path,
        per_page: limit,
        to: slice.length ? start + slice.length : null,
        total,
      },
    },
  };
}

const ON_EACH_SIDE = 3;

/**
 * The page numbers Laravel lists in `meta.links` (its UrlWindow, 3 on each side): every page
 * when there are fewer than 14, otherwise the current page's neighbourhood and the two pages at
 * each end, gaps shown as '...'.
 */
export function pageWindow(current: number, last: number): Array<number | '...'> {
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  if (last < ON_EACH_SIDE * 2 + 8) return range(1, last);
  const window = ON_EACH_SIDE + 4;
  if (current <= window) return [...range(1, window + ON_EACH_SIDE), '...', ...range(last - 1, last)];
  if (current > last - window) return [...range(1, 2), '...', ...range(last - (window + ON_EACH_SIDE - 1), last)];
  return [...range(1, 2), '...', ...range(current - ON_EACH_SIDE, current + ON_EACH_SIDE), '...', ...range(last - 1, last)];
}

/** What a subscriber list is ordered and paged by: its id. */
export interface Keyed {
  id: string;
}

/**
 * Cursor pagination (subscribers), Laravel's keyset kind: newest (highest id) first, and a
 * cursor names the id a page ends (or starts) at, so a subscriber deleted meanwhile does not
 * shift later pages. `meta.next_cursor` is null on the last page; limit=0 gives the total. A
 * cursor that cannot be read is answered 200 with an empty page, as MailerLite does.
 */
export function cursorPaginated<T extends Keyed>(
  items: T[],
  query: Record<string, string>,
  path: string,
  render: (item: T) => unknown,
): { code: number; body: unknown } {
  if (query.limit === '0') return { code: 200, body: { total: items.length } };
  const newestFirst = [...items].sort((a, b) => compareIds(b.id, a.id));
  const limit = clampInt(query.limit, 25, 1, 1000);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  let page: T[];
  let hasMore: boolean;
  if (cursor === undefined) {
    page = [];
    hasMore = false;
  } else if (cursor === null || cursor.next) {
    // Newest first: the next items are those with a smaller id.
    const rest = cursor === null ? newestFirst : newestFirst.filter((it) => compareIds(it.id, cursor.id) < 0);
    page = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else {
    const before = newestFirst.filter((it) => compareIds(it.id, cursor.id) > 0);
    page = before.slice(Math.max(0, before.length - limit));
    hasMore = before.length > limit;
  }
  const first = page[0];
  const last = page.at(-1);
  // Forward (or first) pages link onwards only when more follow; a backward page always does.
  const forward = cursor === null || cursor?.next === true;
  const nextCursor = last && (hasMore || !forward) ? encodeCursor(last.id, true) : null;
  // The first page has nothing before it; a backward page has only when more precede.
  const prevCursor = first && cursor && (cursor.next || hasMore) ? encodeCursor(first.id, false) : null;
  return {
    code: 200,
    body: {
      data: page.map(render),
      links: {
        first: null,
        last: null,
        prev: prevCursor ? `${path}?cursor=${prevCursor}` : null,
        next: nextCursor ? `${path}?cursor=${nextCursor}` : null,
      },
      meta: { path, per_page: limit, next_cursor: nextCursor, prev_cursor: prevCursor },
    },
  };
}

/**
 * Laravel's cursor: base64url of `{"id":…,"_pointsToNextItems":…}`, the id a bare JSON number
 * (above 2^53, so it is read back from the text, never through a JS number).
 */
function encodeCursor(id: string, next: boolean): string {
  const idJson = /^\d+$/.test(id) ? id : JSON.stringify(id);
  return Buffer.from(`{"id":${idJson},"_pointsToNextItems":${next}}`).toString('base64url');
}

/** undefined when unreadable. */
function decodeCursor(cursor: string): { id: string; next: boolean } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^\{"id":(\d+|"(?:[^"\\]|\\.)*"),"_pointsToNextItems":(true|false)\}$/.exec(text);
  if (!m) return undefined;
  try {
    return { id: m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!, next: m[2] === 'true' };
  } catch {
    return undefined;
  }
}

function clampInt(v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v)) return dflt;
  return Math.min(max, Math.max(min, Number(v)));
}
