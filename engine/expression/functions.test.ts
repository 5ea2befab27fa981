import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blank, phone, titleCase } from './functions.ts';

test('$phone: E.164 when the prefix is known, digits otherwise', () => {
  const cases: [unknown, string | undefined, unknown][] = [
    [{ country_code: '+1', number: '5105550123', type: 'M' }, undefined, '+15105550123'],
    [{ country_code: null, number: '(510) 555-0123', type: null }, '+1', '+15105550123'],
    [{ country_code: null, number: '510 555 0123', type: null }, undefined, '5105550123'],
    ['+44 20 7946 0958', '+1', '+442079460958'],
    ['15105550123', '+1', '+15105550123'],
    ['', '+1', null],
    [null, '+1', null],
    [{ country_code: '+1', number: 'NA', type: null }, undefined, null],
  ];
  for (const [input, prefix, expected] of cases) assert.equal(phone(input, prefix), expected, JSON.stringify(input));
});

test('$titleCase and $blank', () => {
  assert.equal(titleCase("mARY ann o'neil-smith"), "Mary Ann O'Neil-Smith");
  assert.equal(titleCase('  josé  '), 'José');
  assert.equal(titleCase('NA'), null);
  for (const b of ['', '  ', 'NA', 'n/a', 'None', null, undefined]) assert.equal(blank(b), null, String(b));
  assert.equal(blank(' Oakland '), 'Oakland');
  assert.equal(blank(0), 0);
});
