/**
 * MailerLite calls as data (`Operation`): what the typed client methods send, what a plan holds,
 * and what a batch carries. Paths have no leading slash, as /api/batch wants them.
 */
import type { Field, FieldValue, Operation, UpsertInput } from './types.ts';

/** Subscriber paths accept an id or an email; emails must be URL-encoded (`+` is not a space). */
export const subscriberPath = (idOrEmail: string): string => `api/subscribers/${encodeURIComponent(idOrEmail)}`;

export const ops = {
  findSubscriber: (email: string): Operation => ({ method: 'GET', path: subscriberPath(email) }),

  upsertSubscriber: (input: UpsertInput): Operation => {
    const body: Record<string, unknown> = { email: input.email };
    if (input.fields !== undefined) body.fields = input.fields;
    if (input.groups !== undefined && input.groups.length > 0) body.groups = input.groups;
    if (input.status !== undefined) body.status = input.status;
    return { method: 'POST', path: 'api/subscribers', body };
  },

  /** PUT with only `fields`: groups would replace the membership, status would change it. */
  updateSubscriberFields: (id: string, fields: Record<string, FieldValue>): Operation => ({
    method: 'PUT',
    path: subscriberPath(id),
    body: { fields },
  }),

  addToGroup: (subscriberId: string, groupId: string): Operation => ({
    method: 'POST',
    path: `${subscriberPath(subscriberId)}/groups/${encodeURIComponent(groupId)}`,
  }),

  deleteSubscriber: (id: string): Operation => ({ method: 'DELETE', path: subscriberPath(id) }),
  forgetSubscriber: (id: string): Operation => ({ method: 'POST', path: `${subscriberPath(id)}/forget` }),

  listGroups: (page: number, limit: number): Operation => ({ method: 'GET', path: `api/groups?limit=${limit}&page=${page}` }),
  listFields: (page: number, limit: number): Operation => ({ method: 'GET', path: `api/fields?limit=${limit}&page=${page}` }),
  createGroup: (name: string): Operation => ({ method: 'POST', path: 'api/groups', body: { name } }),
  createField: (name: string, type: Field['type']): Operation => ({ method: 'POST', path: 'api/fields', body: { name, type } }),
} as const;

/** A batch made only of subscriber upserts is an import for MailerLite (its own, lower limit). */
export function isImport(list: readonly Operation[]): boolean {
  return list.length > 0 && list.every((op) => op.method === 'POST' && op.path.replace(/^\/+/, '').split('?')[0] === 'api/subscribers');
}

/**
 * What a request is for, as a metrics label: a small fixed set, so neither ids nor emails in its
 * path ever become label values. Anything else `send` is given counts as `other`.
 */
const KINDS: readonly (readonly [Operation['method'], RegExp, string])[] = [
  ['POST', /^api\/batch$/, 'batch'],
  ['GET', /^api\/groups$/, 'list_groups'],
  ['POST', /^api\/groups$/, 'create_group'],
  ['GET', /^api\/fields$/, 'list_fields'],
  ['POST', /^api\/fields$/, 'create_field'],
  ['POST', /^api\/subscribers$/, 'upsert_subscriber'],
  ['GET', /^api\/subscribers\/[^/]+$/, 'find_subscriber'],
  ['PUT', /^api\/subscribers\/[^/]+$/, 'update_subscriber'],
  ['DELETE', /^api\/subscribers\/[^/]+$/, 'delete_subscriber'],
  ['POST', /^api\/subscribers\/[^/]+\/groups\/[^/]+$/, 'add_to_group'],
  ['POST', /^api\/subscribers\/[^/]+\/forget$/, 'forget_subscriber'],
];

export function operationKind(op: Pick<Operation, 'method' | 'path'>): string {
  const path = op.path.replace(/^\/+/, '').split('?')[0]!;
  return KINDS.find(([method, re]) => method === op.method && re.test(path))?.[2] ?? 'other';
}
