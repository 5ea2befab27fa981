import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Subscriber } from '../ports/directory.ts';
import type { Decision } from '../policy/decide.ts';
import { accountDirectory } from './account-directory.ts';
import { PipelineErrors } from './errors.ts';
import { plan } from './plan.ts';

const dir = accountDirectory(
  [{ id: '101', name: 'Newsletter' }, { id: '102', name: 'Donors' }],
  [
    { id: '1', name: 'Name', key: 'name', type: 'text' },
    { id: '6', name: 'City', key: 'city', type: 'text' },
    { id: '9', name: 'Street address', key: 'street_address', type: 'text' },
  ],
);
const mapped = { email: 'jane@example.org', fields: { name: 'Jane', 'Street Address': '1 Main St', city: 'Oakland' } };
const create: Decision = { action: 'create', status: 'unconfirmed', groups: ['Newsletter'], slot: 'mailing_list', rule: 'all_contacts_by_list.new_on_list' };

function sub(status: Subscriber['status'], groups: string[], fields: Record<string, string | null> = {}): Subscriber {
  return { id: '555', email: 'jane@example.org', status, fields: { name: null, city: null, street_address: null, ...fields }, groups: groups.map((id) => ({ id, name: id })) };
}

// How each intent becomes MailerLite requests is tested with the adapter (adapters/mailerlite/intents.test.ts).
test('create: status, group ids and field keys resolved from names', () => {
  const p = plan(create as Exclude<Decision, { action: 'skip' }>, mapped, null, dir);
  assert.equal(p.action, 'create');
  assert.deepEqual(p.action === 'create' && p.intent, {
    kind: 'create', email: 'jane@example.org', fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' }, groups: ['101'], status: 'unconfirmed',
  });
});

test('update of an active subscriber: no status, only changed fields and new groups', () => {
  const d = { action: 'update', groups: ['Newsletter'], slot: 'mailing_list', rule: 'x' } as const;
  const existing = sub('active', ['102'], { name: 'Jane', city: 'Oakland' });
  const p = plan(d as never, mapped, existing, dir);
  assert.deepEqual(p.action === 'update' && p.intent, { kind: 'update', email: 'jane@example.org', subscriber: existing, fields: { street_address: '1 Main St' }, groups: ['101'] });
  assert.ok(p.action === 'update' && !('status' in p.intent));
});

test('update of an unsubscribed subscriber: every changed field, only the groups it lacks', () => {
  const d = { action: 'update', groups: ['Newsletter', 'Donors'], slot: 'existing', rule: 'x' } as const;
  const existing = sub('unsubscribed', ['102']);
  const p = plan(d as never, mapped, existing, dir);
  assert.deepEqual(p.action === 'update' && p.intent, {
    kind: 'update', email: 'jane@example.org', subscriber: existing, fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' }, groups: ['101'],
  });
  assert.deepEqual(p.groups, ['Newsletter']);
});

test('nothing to change: no request at all (a replay or a crash restart repeats nothing)', () => {
  const d = { action: 'update', groups: ['Newsletter'], slot: 'mailing_list', rule: 'x' } as const;
  const p = plan(d as never, mapped, sub('active', ['101'], { name: 'Jane', city: 'Oakland', street_address: '1 Main St' }), dir);
  assert.deepEqual(p, { action: 'none', groups: [] });
});

test('unknown fields and groups are errors that name them', () => {
  assert.throws(() => plan(create as never, { email: 'a@example.org', fields: { shoe_size: '9' } }, null, dir),
    (e: unknown) => PipelineErrors.ENGINE_ERR_UNKNOWN_FIELD.is(e) && /shoe_size/.test(e.message));
  assert.throws(() => plan({ ...create, groups: ['VIP'] } as never, mapped, null, dir),
    (e: unknown) => PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP.is(e) && /VIP/.test(e.message));
  assert.deepEqual(dir.missingGroups(['newsletter', 'VIP']), ['VIP']);
});
