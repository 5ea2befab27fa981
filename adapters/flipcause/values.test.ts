import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { amount, bool, country, email, parseDate, phonePrefix, text } from './values.ts';

describe('values', () => {
  const table = <I, O>(name: string, fn: (i: I) => O, cases: [I, O][]): void => {
    for (const [input, expected] of cases) {
      it(`${name}(${JSON.stringify(input)}) → ${JSON.stringify(expected)}`, () => assert.deepEqual(fn(input), expected));
    }
  };

  table('text', text, [
    ['  Oakland ', 'Oakland'],
    ['NA', null],
    [' NA ', null],
    ['N/A', null],
    ['', null],
    ['   ', null],
    ['Na', 'Na'],
    [0, '0'],
    [null, null],
    [undefined, null],
    [{}, null],
  ]);
  table('bool', bool, [
    ['Y', true],
    ['n', false],
    ['Yes', true],
    ['NO', false],
    ['true', true],
    ['False', false],
    [' yes ', true],
    ['NA', null],
    ['sometimes', null],
    [true, true],
  ]);
  table('amount', amount, [
    ['50.00', 50],
    ['1,000.00', 1000],
    ['$25', 25],
    ['-12.5', -12.5],
    ['.5', 0.5],
    ['NA', null],
    ['12abc', null],
    ['1.2.3', null],
  ]);
  table('parseDate', parseDate, [
    ['2026-11-05', '2026-11-05T00:00:00.000Z'],
    ['2026-11-05 14:32', '2026-11-05T14:32:00.000Z'],
    ['2026-11-05 14:32:10', '2026-11-05T14:32:10.000Z'],
    ['2026-11-05T14:32:10', '2026-11-05T14:32:10.000Z'],
    ['11/05/2026', '2026-11-05T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2026-02-29', null],
    ['2026-13-01', null],
    ['2026-11-05 24:00:00', null],
    ['0000-00-00 00:00:00', null],
    ['Thursday', null],
  ]);
  table('email', email, [
    [' Jane.Doe@Example.org ', { email: 'jane.doe@example.org', status: 'ok' }],
    ['NA', { email: null, status: 'missing' }],
    ['jane@example', { email: null, status: 'invalid' }],
    [`${'a'.repeat(250)}@example.org`, { email: null, status: 'invalid' }],
  ]);
  table('phonePrefix', phonePrefix, [
    ['+1', '+1'],
    ['1', '+1'],
    [' +44 ', '+44'],
    ['1-684', '+1-684'],
    ['US', null],
    ['NA', null],
  ]);
  table('country', country, [
    ['US', 'US'],
    ['United States', 'United States'],
    ['+1', null],
    ['NA', null],
  ]);
});
