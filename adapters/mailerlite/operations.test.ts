import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operationKind, ops } from './operations.ts';

test('every call the client makes has its own operation kind; ids and emails never show in it', () => {
  const kinds = [
    ops.findSubscriber('jane+x@example.org'),
    ops.upsertSubscriber({ email: 'jane@example.org' }),
    ops.updateSubscriberFields('123', { city: 'Oakland' }),
    ops.addToGroup('123', '456'),
    ops.deleteSubscriber('123'),
    ops.forgetSubscriber('123'),
    ops.listGroups(2, 100),
    ops.listFields(1, 100),
    ops.createGroup('Donors'),
    ops.createField('Street', 'text'),
    { method: 'POST' as const, path: '/api/batch' },
  ].map(operationKind);
  assert.deepEqual(kinds, [
    'find_subscriber', 'upsert_subscriber', 'update_subscriber', 'add_to_group', 'delete_subscriber', 'forget_subscriber',
    'list_groups', 'list_fields', 'create_group', 'create_field', 'batch',
  ]);
});

test('a request outside the known set is "other", whatever its path holds', () => {
  assert.equal(operationKind({ method: 'GET', path: 'api/subscribers/jane@example.org/activity' }), 'other');
  assert.equal(operationKind({ method: 'PATCH' as never, path: 'api/groups' }), 'other');
  assert.equal(operationKind({ method: 'GET', path: 'api/batch' }), 'other');
});
