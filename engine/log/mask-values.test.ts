import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../adapters/index.ts';
import { maskShape, maskValues } from './mask-values.ts';

test('a masked value keeps its shape: case, digits, punctuation and an email\'s domain', () => {
  const cases: Array<[string, string]> = [
    ['Jane', 'Xxxx'],
    ['jane', 'xxxx'],
    ['Mary-Ann O\'Neil', 'Xxxx-Xxx X\'Xxxx'],
    ['(510) 555-0100', '(999) 999-9999'],
    ['+1 510 555 0100', '+9 999 999 9999'],
    ['1 Example Way, Suite 2', '9 Xxxxxxx Xxx, Xxxxx 9'],
    ['jane.doe+test@example.org', 'xxxx.xxx+xxxx@example.org'],
    ['José', 'Xxxx'],
    ['94607-1234', '99999-9999'],
  ];
  for (const [value, shape] of cases) assert.equal(maskShape(value), shape, value);
});

test('values under personal keys and emails anywhere are masked; the rest stays as sent', () => {
  const body = {
    email: 'jane.doe@example.org',
    fields: { name: 'Jane', last_name: 'Doe', phone: '5105550100', z_i_p: 94607, last_gift: 25, last_gift_date: '2026-11-08' },
    groups: ['Newsletter'],
    status: 'unconfirmed',
    note: 'reply to john.roe@example.org',
  };
  assert.deepEqual(maskValues(body), {
    email: 'xxxx.xxx@example.org',
    fields: { name: 'Xxxx', last_name: 'Xxx', phone: '9999999999', z_i_p: '99999', last_gift: 25, last_gift_date: '2026-11-08' },
    groups: ['Newsletter'],
    status: 'unconfirmed',
    note: 'reply to [email]',
  });
  assert.equal(body.fields.name, 'Jane', 'the input is not changed');
});
