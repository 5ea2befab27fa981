import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterSeconds, TokenGuesses } from './token-guesses.ts';

const LIMITS = { maxRefused: 3, windowMs: 60_000, maxClients: 2 };

test('an address is held back once it was refused maxRefused times within the window, until the oldest refusal ages out', () => {
  const g = new TokenGuesses(LIMITS);
  g.refused('a', 0);
  g.refused('a', 10_000);
  assert.equal(g.waitMs('a', 10_000), 0, 'two refusals: still allowed');
  g.refused('a', 20_000);
  assert.equal(g.waitMs('a', 20_000), 40_000, 'blocked until the first refusal is a window old');
  assert.equal(g.waitMs('a', 59_999), 1);
  assert.equal(g.waitMs('a', 60_000), 0, 'the first refusal left the window');
  assert.equal(g.waitMs('b', 20_000), 0, 'another address is not held back');
});

test('refusals older than the window do not count, and a right token clears the count', () => {
  const g = new TokenGuesses(LIMITS);
  g.refused('a', 0);
  g.refused('a', 1_000);
  g.refused('a', 70_000);
  assert.equal(g.waitMs('a', 70_000), 0, 'only one refusal is within the window');
  g.refused('a', 71_000);
  g.accepted('a');
  g.refused('a', 72_000);
  assert.equal(g.waitMs('a', 72_000), 0);
});

test('the addresses remembered are bounded: the one refused longest ago is forgotten first', () => {
  const g = new TokenGuesses(LIMITS);
  for (const t of [0, 1, 2]) g.refused('a', t);
  for (const t of [3, 4, 5]) g.refused('b', t);
  assert.ok(g.waitMs('a', 10) > 0 && g.waitMs('b', 10) > 0);
  g.refused('c', 6);
  assert.equal(g.waitMs('a', 10), 0, 'a was forgotten to make room');
  assert.ok(g.waitMs('b', 10) > 0, 'b is still held back');
});

test('Retry-After is whole seconds and never 0 while a wait is left', () => {
  assert.deepEqual([1, 1_000, 1_001, 90_500].map(retryAfterSeconds), [1, 1, 2, 91]);
});
