import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Subscriber } from '../../adapters/mailerlite/types.ts';
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

test('create: one upsert with status, group ids and field keys resolved from names', () => {
  const p = plan(create as Exclude<Decision, { action: 'skip' }>, mapped, null, dir);
  assert.equal(p.action, 'create');
  assert.deepEqual(p.operations, [{
    method: 'POST', path: 'api/subscribers',
    body: { email: 'jane@example.org', fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' }, groups: ['101'], status: 'unconfirmed' },
  }]);
});

test('update of an active subscriber: upsert without status, only changed fields and new groups', () => {
  const d = { action: 'update', groups: ['Newsletter'], slot: 'mailing_list', rule: 'x', write: 'upsert' } as const;
  const p = plan(d as never, mapped, sub('active', ['102'], { name: 'Jane', city: 'Oakland' }), dir);
  assert.deepEqual(p.operations, [{ method: 'POST', path: 'api/subscribers', body: { email: 'jane@example.org', fields: { street_address: '1 Main St' }, groups: ['101'] } }]);
  assert.ok(!('status' in (p.operations[0]!.body as object)));
});

test('update of an unsubscribed subscriber: PUT with fields only (never groups), groups one by one', () => {
  const d = { action: 'update', groups: ['Newsletter', 'Donors'], slot: 'existing', rule: 'x', write: 'fields_then_groups' } as const;
  const p = plan(d as never, mapped, sub('unsubscribed', ['102']), dir);
  assert.deepEqual(p.operations, [
    { method: 'PUT', path: 'api/subscribers/555', body: { fields: { name: 'Jane', street_address: '1 Main St', city: 'Oakland' } } },
    { method: 'POST', path: 'api/subscribers/555/groups/101' },
  ]);
  assert.deepEqual(p.groups, ['Newsletter']);
});

test('nothing to change: no request at all (a replay or a crash restart repeats nothing)', () => {
  const d = { action: 'update', groups: ['Newsletter'], slot: 'mailing_list', rule: 'x', write: 'upsert' } as const;
  const p = plan(d as never, mapped, sub('active', ['101'], { name: 'Jane', city: 'Oakland', street_address: '1 Main St' }), dir);
  assert.deepEqual(p, { action: 'none', operations: [], groups: [] });
});

test('unknown fields and groups are errors that name them', () => {
  assert.throws(() => plan(create as never, { email: 'a@example.org', fields: { shoe_size: '9' } }, null, dir),
    (e: unknown) => PipelineErrors.ENGINE_ERR_UNKNOWN_FIELD.is(e) && /shoe_size/.test(e.message));
  assert.throws(() => plan({ ...create, groups: ['VIP'] } as never, mapped, null, dir),
    (e: unknown) => PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP.is(e) && /VIP/.test(e.message));
  assert.deepEqual(dir.missingGroups(['newsletter', 'VIP']), ['VIP']);
});
