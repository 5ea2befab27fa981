/** /api/subscribers: create-or-update by email, find, update, delete, forget, list, group membership. */
import type { SubscriberStatus } from '../types.ts';
import type { FakeAccount, SubscriberRecord } from './account.ts';
import type { FakeOptions } from './options.ts';
import { cursorPaginated, invalid, notFound, renderGroup, renderSubscriber } from './render.ts';
import type { ApiResult, Route, RouteContext } from './router.ts';
import { readSubscriberBody, STATUSES, type SubscriberInput } from './validate.ts';

/** Statuses an existing subscriber cannot be upserted from (the "unsubscribed rule"). */
function blocksUpsert(status: SubscriberStatus, options: FakeOptions): boolean {
  if (status === 'unsubscribed') return true;
  return (status === 'bounced' || status === 'junk') && options.bouncedJunk === 'like-unsubscribed';
}

function applyExtras(sub: SubscriberRecord, input: SubscriberInput): void {
  if (input.extras.ip_address !== undefined) sub.ipAddress = input.extras.ip_address;
  if (input.extras.optin_ip !== undefined) sub.optinIp = input.extras.optin_ip;
  if (input.extras.subscribed_at !== undefined) sub.subscribedAt = input.extras.subscribed_at;
  if (input.extras.opted_in_at !== undefined) sub.optedInAt = input.extras.opted_in_at;
}

function upsert({ account, options, body }: RouteContext): ApiResult {
  const input = readSubscriberBody(account, options, body, { requireEmail: true });
  if (Object.keys(input.errors).length > 0) return invalid(input.errors);
  const existing = account.subscriber(input.email!);
  if (existing) {
    if (blocksUpsert(existing.status, options)) {
      // Nothing changes; the answer names the subscriber so a client can look it up.
      return invalid({ email: ['This subscriber is unsubscribed and cannot be imported'] }, { subscriber: existing.id });
    }
    if (input.fields) account.mergeFields(existing, input.fields);
    for (const gid of input.groups ?? []) account.join(existing, gid);
    if (input.status) account.setStatus(existing, input.status);
    applyExtras(existing, input);
    account.touch(existing);
    return { code: 200, body: { data: renderSubscriber(account, existing) } };
  }
  const sub = account.createSubscriber(input.email!, input.status ?? options.defaultStatus);
  if (input.fields) account.mergeFields(sub, input.fields);
  for (const gid of input.groups ?? []) account.join(sub, gid);
  applyExtras(sub, input);
  return { code: 201, body: { data: renderSubscriber(account, sub) } };
}

function find({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  return sub ? { code: 200, body: { data: renderSubscriber(account, sub) } } : notFound();
}

/** PUT: fields merge, `groups` replaces the membership, status changes (but never back to active from unsubscribed). */
function update({ account, options, params, body }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  if (!sub) return notFound();
  const input = readSubscriberBody(account, options, body, { requireEmail: false });
  if (input.status && sub.status === 'unsubscribed' && input.status !== 'unsubscribed') {
    (input.errors.status ??= []).push('An unsubscribed subscriber cannot be reactivated.');
  }
  if (Object.keys(input.errors).length > 0) return invalid(input.errors);
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
  account.removeSubscriber(sub);
  return { code: 204, body: null };
}

function forget({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  if (!sub) return notFound();
  const data = renderSubscriber(account, sub);
  // MailerLite erases within 30 days; the fake at once.
  account.removeSubscriber(sub);
  return { code: 200, body: { message: 'Subscriber data will be completely deleted and forgotten within 30 days.', data } };
}

export function listSubscribers(account: FakeAccount, subs: Iterable<SubscriberRecord>, ctx: RouteContext): ApiResult {
  const status = ctx.query['filter[status]'];
  if (status !== undefined && !STATUSES.includes(status as SubscriberStatus)) {
    return invalid({ 'filter.status': ['The selected filter.status is invalid.'] });
  }
  const items = [...subs].filter((s) => status === undefined || s.status === status);
  return cursorPaginated(items, ctx.query, ctx.url, (s) => renderSubscriber(account, s));
}

function assign({ account, params }: RouteContext): ApiResult {
  const sub = account.subscriber(params.id!);
  const group = account.groups.get(params.groupId!);
  if (!sub || !group) return notFound();
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
