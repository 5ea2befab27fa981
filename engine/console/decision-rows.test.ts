import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainPolicy } from '../policy/explain.ts';
import { decisionRows } from './decision-rows.ts';

test('the console shows the rows explain prints, each with its policy row id', () => {
  const policy = { mode: 'all_contacts_by_list', new_status: 'unconfirmed', groups: { mailing_list: ['Newsletter'], not_on_list: ['Donors'] } } as const;
  const rows = decisionRows(policy as never);
  assert.ok(rows.length >= 3);
  assert.ok(rows.every((r) => r.id.startsWith('all_contacts_by_list.')));
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
  const text = explainPolicy(policy as never);
  for (const r of rows) assert.ok(text.includes(r.whatHappens), `explain prints "${r.whatHappens}"`);
  assert.equal(rows.find((r) => r.id === 'all_contacts_by_list.new_on_list')?.whatHappens, 'added as Unconfirmed subscriber, in group "Newsletter"');
});
