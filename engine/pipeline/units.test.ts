import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../../adapters/flipcause/fixtures.ts';
import { normalise } from '../../adapters/flipcause/normalise.ts';
import type { StoredRecord } from '../store/types.ts';
import type { Prepared } from './prepare.ts';
import { formUnits } from './units.ts';

let nextId = 1;
function prepared(raw: Record<string, unknown>, flow = 'f'): Prepared {
  const record = { id: nextId++, flow, raw } as unknown as StoredRecord;
  return { record, event: normalise(raw), skip: null };
}

test('the three records of a donation with opt-in form one unit, on the list, transaction first', () => {
  const [d, m, t] = fixtureRecords('donation-with-opt-in').map((r) => prepared(r));
  for (const order of [[d, m, t], [t, m, d], [m, d, t]]) {
    const units = formUnits(order as Prepared[]);
    assert.equal(units.length, 1);
    const unit = units[0]!;
    assert.equal(unit.joinedList, true);
    assert.equal(unit.event.event.on_list, true);
    assert.equal(unit.email, 'jane.doe@example.org');
    assert.equal(unit.records[0]!.event!.event.trigger, 'new_transaction');
    assert.deepEqual([...unit.event.event.activity_codes].sort(), ['D', 'M']);
  }
});

test('records join by email across transactions, not across flows; skipped records stay out', () => {
  const [a] = fixtureRecords('donation-without-opt-in').map((r) => prepared(r));
  const [, b] = fixtureRecords('donation-without-opt-in').map((r) => prepared({ ...r, transaction_id: 'T999', id: '1' }));
  const other = prepared(fixtureRecords('donation-without-opt-in')[1]!, 'g');
  const skipped = { ...prepared(fixtureRecords('mailing-list-signup')[0]!), skip: 'before_since' as const };
  const units = formUnits([a!, b!, other, skipped]);
  assert.deepEqual(units.map((u) => [u.flow, u.records.length]).sort(), [['f', 2], ['g', 1]]);
  assert.equal(units.find((u) => u.flow === 'f')!.joinedList, false);
});

test('a sparse record never blanks a fuller one when contacts merge', () => {
  const [d, , t] = fixtureRecords('donation-with-opt-in');
  const sparse = prepared({ ...t, city: '', phone_number: 'NA', address: '' });
  const full = prepared(d!);
  const [unit] = formUnits([sparse, full]);
  assert.equal(unit!.event.contact!.address.city, 'Oakland');
  assert.ok(unit!.event.contact!.phone, 'phone taken from the activity');
});
