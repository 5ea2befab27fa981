/**
 * What the worker's log says when loading the account's groups and fields fails, or a round fails:
 * MailerLite's passing trouble (429, 5xx, timeouts) is a warning without a stack; an answer it
 * cannot read, or a failing store, is an error with its stack. No line names a donor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signupNo, workerRig, type Rig } from '../../test/support/worker-rig.ts';

const GROUPS = { groups: ['Newsletter', 'Members', 'Flipcause'] };

function directoryLines(r: Rig): Record<string, any>[] {
  return r.logs.filter((l) => l.msg === 'cannot load MailerLite groups and fields; will retry');
}

async function withRig(fn: (r: Rig) => Promise<void>, opts: Parameters<typeof workerRig>[1] = {}): Promise<void> {
  const r = await workerRig(GROUPS, { inRequestRetries: 0, ...opts });
  try {
    await fn(r);
    assert.doesNotMatch(JSON.stringify(r.logs), /@example\.org/);
  } finally {
    await r.close();
  }
}

for (const [what, fault] of [
  ['a 429', { status: 429, retryAfter: 0 }],
  ['a 503', { status: 503 }],
] as const) {
  test(`${what} while loading groups: one warning naming the code, without a stack; the records wait`, () =>
    withRig(async (r) => {
      await r.ingest(signupNo('wait@example.org', 1));
      r.fake.inject({ path: '/api/groups', ...fault });
      assert.equal(await r.worker.round(), false);
      const [line, ...more] = directoryLines(r);
      assert.equal(more.length, 0);
      assert.equal(line?.level, 40);
      assert.equal(line?.code, fault.status === 429 ? 'ML_ERR_RATE_LIMITED' : 'ML_ERR_SERVER');
      assert.equal(line?.err.name, 'EngineError');
      assert.equal(line?.err.status, fault.status === 429 ? 429 : 502);
      assert.equal(line?.err.stack, undefined);
      assert.equal(r.logs.filter((l) => Number(l.level) >= 50).length, 0, 'nothing at error level');
      assert.equal((await r.store.records({ flow: 'w', status: 'pending' })).length, 2);
    }));
}

test('a timeout while loading groups: a warning without a stack', () =>
  withRig(async (r) => {
    r.fake.inject({ path: '/api/groups', delayMs: 300 });
    await r.worker.round();
    const [line] = directoryLines(r);
    assert.equal(line?.level, 40);
    assert.equal(line?.code, 'ML_ERR_TIMEOUT');
    assert.equal(line?.err.stack, undefined);
  }, { timeoutMs: 100 }));

test('an answer the client cannot read while loading groups: an error with its stack', () =>
  withRig(async (r) => {
    r.fake.inject({ path: '/api/groups', garble: 'invalid-json' });
    await r.worker.round();
    const [line] = directoryLines(r);
    assert.equal(line?.level, 50);
    assert.equal(line?.code, 'ML_ERR_BAD_RESPONSE');
    assert.equal(line?.err.name, 'EngineError');
    assert.match(line?.err.stack, /^EngineError: unexpected MailerLite answer[^\n]*\n\s+at /);
  }));

test('a round failing on the store: an error with the store\'s own error and stack', () =>
  withRig(async (r) => {
    await r.ingest(signupNo('store@example.org', 1));
    r.failing.on = true;
    r.worker.start();
    for (let i = 0; i < 400 && !r.logs.some((l) => l.msg === 'worker round failed; backing off'); i++) await new Promise((res) => setTimeout(res, 5));
    r.failing.on = false;
    await r.worker.stop();
    const line = r.logs.find((l) => l.msg === 'worker round failed; backing off') as Record<string, any> | undefined;
    assert.equal(line?.level, 50);
    assert.equal(line?.code, 'ENGINE_ERR_INTERNAL');
    assert.equal(line?.err.code, 'SQLITE_FULL');
    assert.match(line?.err.stack, /database or disk is full\n\s+at /);
  }, { worker: { roundBackoff: { baseMs: 1, maxMs: 4 }, idleMs: 20 } }));
