/** /api/groups: page-paginated list with filter[name] and sort, create, rename, delete, members. */
import type { GroupRecord, SubscriberRecord } from './account.ts';
import { compareIds, compareNames } from './ordering.ts';
import { invalid, notFound, pagePaginated, renderGroup } from './render.ts';
import type { ApiResult, Route, RouteContext } from './router.ts';
import { listSubscribers } from './routes-subscribers.ts';
import { isObject } from './validate.ts';

function list({ account, query, url }: RouteContext): ApiResult {
  const name = query['filter[name]']?.toLowerCase();
  const groups = [...account.groups.values()].filter((g) => name === undefined || g.name.toLowerCase().includes(name));
  // sort=name|total|created_at, `-` for descending; by name when absent (as recorded) or unknown.
  const sort = query.sort ?? '';
  const by = SORTS.get(sort.replace(/^-/, ''));
  groups.sort(by ?? compareNames);
  if (by && sort.startsWith('-')) groups.reverse();
  // A page holds 250 groups unless asked (the recorded answer to a bare GET /api/groups).
  return pagePaginated(groups, query, url, renderGroup, 250);
}

const SORTS = new Map<string, (a: GroupRecord, b: GroupRecord) => number>([
  ['name', compareNames],
  ['total', (a, b) => a.members.size - b.members.size || compareNames(a, b)],
  ['created_at', (a, b) => compareIds(a.id, b.id)],
]);

function nameOf(body: unknown): { name?: string; errors: Record<string, string[]> } {
  const name = isObject(body) ? body.name : undefined;
  if (typeof name !== 'string' || name.trim() === '') return { errors: { name: ['The name field is required.'] } };
  if (name.length > 255) return { errors: { name: ['The name may not be greater than 255 characters.'] } };
  return { name: name.trim(), errors: {} };
}

function create({ account, options, body }: RouteContext): ApiResult {
  const { name, errors } = nameOf(body);
  if (!name) return invalid(errors);
  if (account.groups.size >= options.maxGroups) return invalid({ name: [`An account holds at most ${options.maxGroups} groups.`] });
  return { code: 201, body: { data: renderGroup(account.createGroup(name)) } };
}

function rename({ account, params, body }: RouteContext): ApiResult {
  const group = account.groups.get(params.id!);
  if (!group) return notFound();
  const { name, errors } = nameOf(body);
  if (!name) return invalid(errors);
  group.name = name;
  return { code: 200, body: { data: renderGroup(group) } };
}

function remove({ account, params }: RouteContext): ApiResult {
  const group = account.groups.get(params.id!);
  if (!group) return notFound();
  account.removeGroup(group);
  return { code: 204, body: null };
}

function members(ctx: RouteContext): ApiResult {
  const group = ctx.account.groups.get(ctx.params.id!);
  if (!group) return notFound();
  const subs = [...group.members].map((id) => ctx.account.subscribers.get(id)).filter((s): s is SubscriberRecord => !!s);
  return listSubscribers(ctx.account, subs, ctx);
}

export const groupRoutes: Route[] = [
  { method: 'GET', pattern: '/api/groups', handle: list },
  { method: 'POST', pattern: '/api/groups', handle: create },
  { method: 'PUT', pattern: '/api/groups/:id', handle: rename },
  { method: 'DELETE', pattern: '/api/groups/:id', handle: remove },
  { method: 'GET', pattern: '/api/groups/:id/subscribers', handle: members },
];
