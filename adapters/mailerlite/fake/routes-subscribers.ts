/** /api/subscribers: create-or-update by email, find, update, delete, forget, list, group membership. */
import type { SubscriberStatus } from '../types.ts';
import { timestamp, type FakeAccount, type SubscriberRecord } from './account.ts';
import type { FakeOptions } from './options.ts';
import { cursorPaginated, invalid, notFound, renderGroup, renderSubscriber } from './render.ts';
import type { ApiResult, Route, RouteContext } from './router.ts';
import { readSubscriberBody, STATUSES, type SubscriberInput } from './validate.ts';

/** Statuses an existing subscriber cannot be upserted from (the "unsubscribed rule"). */
function isBlocked(status: SubscriberStatus, options: FakeOptions): boolean {
  if (status === 'unsubscribed') return true;
  return (status === 'bounced' || status === 'junk') && options.bouncedJunk === 'like-unsubscribed';
}

/** What `resubscribe: true` brings back to active (MailerLite's documented list; not junk). */
const RESUBSCRIBABLE: ReadonlySet<SubscriberStatus> = new Set(['unsubscribed', 'bounced', 'unconfirmed']);

/** Statuses a PUT may not turn active or unconfirmed: reactivation through the API is not possible. */
const NOT_REACTIVATABLE: ReadonlySet<SubscriberStatus> = new Set(['unsubscribed', 'bounced', 'junk']);

function applyExtras(sub: SubscriberRecord, input: SubscriberInput): void {
  if (input.extras.ip_address !== undefined) sub.ipAddress = input.extras.ip_address;
  if (input.extras.optin_ip !== undefined) sub.optinIp = input.extras.optin_ip;
  if (input.extras.subscribed_at !== undefined) sub.subscribedAt = input.extras.subscribed_at;
  if (input.extras.opted_in_at !== undefined) sub.optedInAt = input.extras.opted_in_at;
}

function applyUpsert(account: FakeAccount, sub: SubscriberRecord, input: SubscriberInput): void {
  if (input.fields) account.mergeFields(sub, input.fields);
  for (const gid of input.groups ?? []) account.join(sub, gid);
  applyExtras(sub, input);
  account.touch(sub);
}

/** The 422 for upserting a blocked subscriber; nothing changes. Whether it names the subscriber is a switch. */
function upsertRefused(sub: SubscriberRecord, options: FakeOptions): ApiResult {
  const extra = options.refusalNamesSubscriber === 'always' ? { subscriber: sub.id } : {};
  return invalid({ email: ['This subscriber is unsubscribed and cannot be imported'] }, extra);
}

/** The 422 for adding a group to a blocked subscriber, under groupJoinWhenUnsubscribed: 'refused'. */
function groupJoinRefused(sub: SubscriberRecord, groupIds: Iterable<string>, options: FakeOptions): ApiResult | undefined {
  if (options.groupJoinWhenUnsubscribed !== 'refused' || !isBlocked(sub.status, options)) return undefined;
  for (const gid of groupIds) {
    if (!sub.groups.has(gid)) return invalid({ subscriber: ['This subscriber is unsubscribed and cannot be added to a group.'] });
  }
  return undefined;
}

/**
 * POST: create (201), update (200), or bring back a deleted subscriber with its old id and
 * created_at (200, as MailerLite does). `resubscribe: true` makes an unsubscribed, bounced or
 * unconfirmed subscriber active again (any `status` sent is then ignored).
 */
function upsert({ account, options, body }: RouteContext): ApiResult {
  const input = readSubscriberBody(account, options, body, { requireEmail: true });
  if (Object.keys(input.errors).length > 0) return invalid(input.errors);
  const existing = account.subscriber(input.email!);
  if (existing) {
    if (input.resubscribe && RESUBSCRIBABLE.has(existing.status)) account.setStatus(existing, 'active');
    else if (isBlocked(existing.status, options)) return upsertRefused(existing, options);
    else if (input.status) account.setStatus(existing, input.status);
    applyUpsert(account, existing, input);
    return { code: 200, body: { data: renderSubscriber(account, existing) } };
  }
  const status = input.status ?? options.defaultStatus;
  const restored = account.restoreSubscriber(input.email!, status);
  if (restored) {
    applyUpsert(account, restored, input);
    return { code: 200, body: { data: renderSubscriber(account, restored) } };
  }
  const sub = account.createSubscriber(input.email!, status);
  applyUpsert(account, sub, input);
  return { code: 201, body: { data: renderSubscriber(account, sub) } };
}

function find({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  return sub ? { code: 200, body: { data: renderSubscriber(account, sub) } } : notFound();
}

/**
 * PUT: fields merge, `groups` replaces the membership, status changes — but an unsubscribed,
 * bounced or junk subscriber is never made active or unconfirmed again.
 */
function update({ account, options, params, body }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  if (!sub) return notFound();
  const input = readSubscriberBody(account, options, body, { requireEmail: false });
  if (input.status && NOT_REACTIVATABLE.has(sub.status) && (input.status === 'active' || input.status === 'unconfirmed')) {
    (input.errors.status ??= []).push(`A ${sub.status} subscriber cannot be reactivated.`);
  }
  if (Object.keys(input.errors).length > 0) return invalid(input.errors);
  const refused = input.groups ? groupJoinRefused(sub, input.groups, options) : undefined;
  if (refused) return refused;
  if (input.fields) account.mergeFields(sub, input.fields);
  if (input.groups) {
    const keep = new Set(input.groups);
    for (const gid of [...sub.groups]) if (!keep.has(gid)) account.leave(sub, gid);
    for (const gid of input.groups) account.join(sub, gid);
  }
  if (input.status) account.setStatus(sub, input.status);
  applyExtras(sub, input);
  account.touch(sub);
  return { code: 200, body: { data: renderSubscriber(account, sub) } };
}

function remove({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  if (!sub) return notFound();
  account.removeSubscriber(sub, 'delete');
  return { code: 204, body: null };
}

const FORGET_AFTER_DAYS = 30;

/** 200 with the subscriber, its deleted_at and the forget_at 30 days later; the fake erases at once. */
function forget({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  if (!sub) return notFound();
  const now = new Date();
  const { fields, groups, opted_in_at, optin_ip, ...head } = renderSubscriber(account, sub);
  const data = {
    ...head,
    updated_at: timestamp(now),
    deleted_at: timestamp(now),
    forget_at: timestamp(new Date(now.getTime() + FORGET_AFTER_DAYS * 86_400_000)),
    fields,
    groups,
    location: null,
    opted_in_at,
    optin_ip,
  };
  account.removeSubscriber(sub, 'forget');
  return { code: 200, body: { data, message: `Subscriber data will be completely deleted and forgotten within ${FORGET_AFTER_DAYS} days.` } };
}

/** A list of subscribers, newest first; their groups only with `include=groups`. */
export function listSubscribers(account: FakeAccount, subs: Iterable<SubscriberRecord>, ctx: RouteContext): ApiResult {
  const status = ctx.query['filter[status]'];
  if (status !== undefined && !STATUSES.includes(status as SubscriberStatus)) {
    return invalid({ 'filter.status': ['The selected filter.status is invalid.'] });
  }
  const withGroups = (ctx.query.include ?? '').split(',').includes('groups');
  const items = [...subs].filter((s) => status === undefined || s.status === status);
  return cursorPaginated(items, ctx.query, ctx.url, (s) => renderSubscriber(account, s, { withGroups }));
}

function assign({ account, options, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  const group = account.groups.get(params.groupId!);
  if (!sub || !group) return notFound();
  const refused = groupJoinRefused(sub, [group.id], options);
  if (refused) return refused;
  account.join(sub, group.id);
  return { code: 200, body: { data: renderGroup(group) } };
}

function unassign({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  const group = account.groups.get(params.groupId!);
  if (!sub || !group || !sub.groups.has(group.id)) return notFound();
  account.leave(sub, group.id);
  return { code: 204, body: null };
}

export const subscriberRoutes: Route[] = [
  { method: 'GET', pattern: '/api/subscribers', handle: (ctx) => listSubscribers(ctx.account, ctx.account.subscribers.values(), ctx) },
  { method: 'POST', pattern: '/api/subscribers', handle: upsert },
  { method: 'GET', pattern: '/api/subscribers/:id', handle: find },
  { method: 'PUT', pattern: '/api/subscribers/:id', handle: update },
  { method: 'DELETE', pattern: '/api/subscribers/:id', handle: remove },
  { method: 'POST', pattern: '/api/subscribers/:id/forget', handle: forget },
  { method: 'POST', pattern: '/api/subscribers/:id/groups/:groupId', handle: assign },
  { method: 'DELETE', pattern: '/api/subscribers/:id/groups/:groupId', handle: unassign },
];
