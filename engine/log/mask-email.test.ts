import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailMatcher } from '../setup/email-pattern.ts';
import { maskEmail } from './mask-email.ts';

test('an email is masked to its first letter and domain; nothing that is not an address leaks', () => {
  assert.equal(maskEmail('jane.doe@example.org'), 'j***@example.org');
  assert.equal(maskEmail('j@example.org'), 'j***@example.org');
  assert.equal(maskEmail('odd@local@example.org'), 'o***@example.org', 'the domain is after the last @');
  assert.equal(maskEmail('no-at-sign'), '***');
  assert.equal(maskEmail('@example.org'), '***');
});

test('characters kept in clear show as they are, and each hidden run between them as ***', () => {
  const email = 'jane+test@example.org';
  assert.equal(maskEmail(email, (i) => i >= 4 && i < 9), 'j***+test@example.org');
  assert.equal(maskEmail(email, (i) => i === 0 || i === 2), 'j***n***@example.org');
});

test('a purge pattern shows an address through the same mask: the text the pattern spelled, in clear', () => {
  assert.equal(emailMatcher('*+test@example.org')('jane+test@example.org')?.shown, 'j***+test@example.org');
  assert.equal(emailMatcher('/\\+test@/')('jane+test@example.org')?.shown, 'j***+test@example.org');
  assert.equal(emailMatcher('/^j.*e\\+/')('jane+test@example.org')?.shown, 'j***@example.org', 'a match the regex does not spell stays masked');
  assert.equal(emailMatcher('*+test@example.org')('jane@example.org'), null);
});
