import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sessions } from './session.ts';

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('a session is found by its id with its own CSRF token and actor; ids and tokens are random', () => {
  const c = clock();
  const sessions = new Sessions({ now: c.now });
  const a = sessions.create('tok_a');
  const b = sessions.create('tok_a');
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.csrf, b.csrf);
  assert.equal(sessions.get(a.id)?.actor, 'tok_a');
  assert.equal(sessions.get('not-a-session'), undefined);
  assert.equal(sessions.get(undefined), undefined);
});

test('a session expires after its idle time, and use keeps it alive', () => {
  const c = clock();
  const sessions = new Sessions({ now: c.now, idleMs: 1000, maxMs: 10_000 });
  const s = sessions.create('tok_a');
  c.advance(900);
  assert.ok(sessions.get(s.id));
  c.advance(900);
  assert.ok(sessions.get(s.id), 'used 900 ms ago: still alive');
  c.advance(1001);
  assert.equal(sessions.get(s.id), undefined);
  assert.equal(sessions.size, 0, 'an expired session is dropped');
});

test('a session ends at its absolute limit however busy, and on logout', () => {
  const c = clock();
  const sessions = new Sessions({ now: c.now, idleMs: 1000, maxMs: 2500 });
  const s = sessions.create('tok_a');
  for (let i = 0; i < 5; i++) {
    c.advance(500);
    assert.ok(sessions.get(s.id));
  }
  c.advance(500);
  assert.equal(sessions.get(s.id), undefined);
  const t = sessions.create('tok_a');
  sessions.end(t.id);
  assert.equal(sessions.get(t.id), undefined);
});

test('past the most sessions, the least recently used one is dropped', () => {
  const c = clock();
  const sessions = new Sessions({ now: c.now, maxSessions: 2 });
  const a = sessions.create('a');
  const b = sessions.create('b');
  sessions.get(a.id); // a is now the most recently used
  const d = sessions.create('d');
  assert.equal(sessions.size, 2);
  assert.equal(sessions.get(b.id), undefined);
  assert.ok(sessions.get(a.id));
  assert.ok(sessions.get(d.id));
});
