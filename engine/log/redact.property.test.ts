/**
 * The redactor over generated input: no email-looking string survives it, wherever it sits
 * (text around it, nested objects and arrays, errors, keys), and text without one is left as it is.
 * One shape is let through on purpose (emails-in-text.test.ts pins it): in "a@b.com@c.org" the
 * first address is masked and "@c.org" stays, so a match that starts with the mask is no leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskEmails } from './emails-in-text.ts';
import { REDACTED, redact, scrubString } from './redact.ts';

// Any UTF-16 code unit sequence: 'binary' code points and, as often as a fifth of the units, a
// lone surrogate half (two in a row may pair up, as they would in real text).
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

// The pattern the linear scanner replaced (emails-in-text.ts): what "email-looking" means.
const EMAIL_LOOKING = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi;
const SEED = 20261203;

// Text made of what addresses and their boundaries are made of, so addresses form often.
const pieces = fc.constantFrom('a', 'Z', '0', '.', '@', '-', '_', ' ', '\t', '"', '<', '>', ',', ';', ':', '(', ')', "'", '\u00a0', '\u2003', 'é', '\ud800', '\udc00', 'org', 'co', '\n');
const text = fc.array(fc.oneof(pieces, fc.emailAddress(), fc.string({ maxLength: 4, unit: anyUnit })), { maxLength: 30 }).map((parts) => parts.join(''));

function leaks(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') found.push(...(value.match(EMAIL_LOOKING) ?? []).filter((m) => !m.startsWith(REDACTED)));
  else if (Array.isArray(value)) value.forEach((v) => leaks(v, found));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      leaks(k, found);
      leaks(v, found);
    }
  }
  return found;
}

const HAS_EMAIL = new RegExp(EMAIL_LOOKING.source, 'i');

test('redaction: the linear scanner leaves no email-looking text in any text, and changes nothing else', () => {
  fc.assert(
    fc.property(text, (s) => {
      const out = maskEmails(s, REDACTED);
      assert.deepEqual(leaks(out), [], 'no address left in clear');
      if (!HAS_EMAIL.test(s)) assert.equal(out, s, 'text without an address is left as it is');
    }),
    { seed: SEED, numRuns: 2000 },
  );
});

test('redaction: no email-looking string survives in any string, key, array or error of a logged value', () => {
  const values = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(
    fc.property(values, text, (value, message) => {
      assert.deepEqual(leaks(redact(value)), []);
      assert.deepEqual(leaks(scrubString(message)), []);
      const err = Object.assign(new Error(message), { detail: value });
      assert.deepEqual(leaks(redact(err)), []);
    }),
    { seed: SEED, numRuns: 500 },
  );
});
