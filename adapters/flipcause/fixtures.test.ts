import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNames, fixtureRecords, shiftDates } from './fixtures.ts';
import { normalise } from './normalise.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

test('shifting a fixture moves every record\'s normalised date by exactly that much', () => {
  for (const shift of [0, 37 * MINUTE, 400 * DAY + 13 * MINUTE, -90 * DAY]) {
    for (const name of fixtureNames()) {
      const before = fixtureRecords(name);
      const after = shiftDates(before, shift);
      assert.equal(after.length, before.length);
      after.forEach((r, i) => {
        const was = normalise(before[i]!).event.date;
        const is = normalise(r).event.date;
        if (was === null) return assert.equal(is, null, `${name}[${i}]`);
        assert.equal(Date.parse(is!) - Date.parse(was), shift, `${name}[${i}] shifted by ${shift}`);
      });
    }
  }
});

test('an activity keeps Flipcause\'s formats: date, HH:MM with its trailing space, the weekday recomputed', () => {
  const [activity, , transaction] = fixtureRecords('donation-with-opt-in'); // Thursday 2026-11-05 14:32
  const [a, t] = shiftDates([activity!, transaction!], 3 * DAY + 10 * 60 * MINUTE);
  assert.equal(a!.AD_transaction_date, '2026-11-09');
  assert.equal(a!.AD_transaction_time, '00:32 ');
  assert.equal(a!.AD_transaction_day, 'Monday');
  assert.equal(t!.transaction_date, '2026-11-09 00:32:10');
  assert.equal(t!.settlement_date, '2026-11-08 10:00:00');
  assert.equal(a!.PD_email, activity!.PD_email, 'nothing else changes');
});

test('records keep their spacing: the two contact updates stay 2 s apart, the originals untouched', () => {
  const records = fixtureRecords('update-contact-tags');
  const [x, y] = shiftDates(records, 20 * DAY);
  assert.equal(x!.updated_on, '2026-11-28 09:15:00');
  assert.equal(y!.updated_on, '2026-11-28 09:15:02');
  assert.equal(records[0]!.updated_on, '2026-11-08 09:15:00');
});
