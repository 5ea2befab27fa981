import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfMatches, newToken } from './csrf.ts';

test('a CSRF token matches only itself', () => {
  const t = newToken();
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(newToken(), t);
  assert.equal(csrfMatches(t, t), true);
  assert.equal(csrfMatches(t, t.slice(1)), false);
  assert.equal(csrfMatches(t, `${t}x`), false);
});

test('missing, empty or non-string tokens never match, not even an empty expectation', () => {
  const t = newToken();
  for (const given of [undefined, null, '', 42, [t], { t }]) assert.equal(csrfMatches(t, given), false, String(given));
  assert.equal(csrfMatches('', ''), false);
});
