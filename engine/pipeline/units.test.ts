import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../../adapters/flipcause/index.ts';
import { normalise } from '../../adapters/flipcause/index.ts';
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

/** The published update_contact batch: two records of one contact, 8 s apart, as Flipcause sends them. */
function editedTwice(): { earlier: Record<string, unknown>; later: Record<string, unknown> } {
  const [a, b] = fixtureRecords('update-contact-tags');
  return {
    earlier: { ...a, city: 'Nashville', state: 'TN', updated_on: '2026-11-08 09:15:00' },
    later: { ...b, city: 'Memphis', state: 'TN', updated_on: '2026-11-08 09:15:08' },
  };
}

const permutations = <T>(xs: T[]): T[][] =>
  xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

test('a contact edited twice in the settle window ends as the later edit wrote it, whatever the arrival order', () => {
  const { earlier, later } = editedTwice();
  for (const [first, second] of [[earlier, later], [later, earlier]]) {
    // Arrival order sets the store ids: the record that arrived first has the lower one.
    const units = formUnits([prepared(first!), prepared(second!)]);
    assert.equal(units.length, 1);
    const unit = units[0]!;
    assert.equal(unit.event.contact!.address.city, 'Memphis');
    assert.equal(unit.records[0]!.event!.event.record_id, '7711', 'the newest record is the one decided; the other coalesces into it');
    assert.deepEqual(unit.event.event.tag, { added: null, removed: 'Prospect' }, 'the primary event is the newest record\'s');
  }
});

test('the record\'s own timestamp decides, not the source record id nor arrival', () => {
  const { earlier, later } = editedTwice();
  // A later edit that happens to carry the lower record id (ids are per trigger, not a clock).
  const swapped = [{ ...earlier, webhook_record_id: '7711' }, { ...later, webhook_record_id: '7710' }];
  for (const order of permutations(swapped)) {
    const [unit] = formUnits(order.map((r) => prepared(r)));
    assert.equal(unit!.event.contact!.address.city, 'Memphis');
  }
  // Same second: the higher record id of the one trigger is the later edit.
  const tie = [{ ...earlier, updated_on: '2026-11-08 09:15:08' }, later];
  for (const order of permutations(tie)) {
    const [unit] = formUnits(order.map((r) => prepared(r)));
    assert.equal(unit!.event.contact!.address.city, 'Memphis');
  }
});

test('the newest edit wins each field it carries; a field it leaves empty keeps the older value', () => {
  const { earlier, later } = editedTwice();
  const sparse = { ...later, phone_number: 'NA', address_line2: '', title: 'Dr.' };
  for (const order of permutations([earlier, sparse])) {
    const [unit] = formUnits(order.map((r) => prepared(r)));
    const c = unit!.event.contact!;
    assert.equal(c.address.city, 'Memphis');
    assert.equal(c.title, 'Dr.');
    assert.equal(c.phone?.number, '5105550123', 'an empty phone on the newer record does not blank it');
    assert.equal(c.address.line2, 'Apt 4');
  }
});

test('a transaction and a later contact edit: fields from the edit, amount from the transaction, list membership kept', () => {
  const [d, m, t] = fixtureRecords('donation-with-opt-in'); // 2026-11-05 14:32, opted in
  const edit = { ...fixtureRecords('update-contact-tags')[0]!, email: 'jane.doe@example.org', city: 'Memphis', updated_on: '2026-11-05 14:40:00' };
  const stale = { ...edit, city: 'Nashville', updated_on: '2026-11-05 14:00:00' };
  for (const order of permutations([d!, m!, t!, edit])) {
    const [unit, ...more] = formUnits(order.map((r) => prepared(r)));
    assert.equal(more.length, 0);
    assert.equal(unit!.event.contact!.address.city, 'Memphis');
    assert.equal(unit!.event.event.kind, 'transaction', 'the mapping sees the transaction\'s event');
    assert.equal(unit!.event.event.amount, 50);
    assert.equal(unit!.joinedList, true);
  }
  for (const order of permutations([m!, t!, stale])) {
    const [unit] = formUnits(order.map((r) => prepared(r)));
    assert.equal(unit!.event.contact!.address.city, 'Oakland', 'an edit older than the donation does not override it');
    assert.equal(unit!.joinedList, true, 'list membership is sticky');
  }
});

test('a record that carries no date counts as older than one that does', () => {
  const { earlier, later } = editedTwice();
  const undated = { ...later, updated_on: 'NA' };
  for (const order of permutations([earlier, undated])) {
    const [unit] = formUnits(order.map((r) => prepared(r)));
    assert.equal(unit!.event.contact!.address.city, 'Nashville');
  }
});
