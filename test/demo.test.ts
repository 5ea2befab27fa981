import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../engine/demo/run-demo.ts';

test('the demo serves the example flows and shows one decision per transaction, refusals and the final state', async () => {
  const lines: string[] = [];
  const code = await runDemo({ flowsDir: 'flows', settleSeconds: 1, out: (l) => lines.push(l) });
  const text = lines.join('\n');
  assert.equal(code, 0);
  assert.match(text, /^ {2}401 {2}\{"code":"FC_ERR_SIGNATURE_INVALID"\}/m, 'the forged delivery is refused');
  assert.match(text, /^ {2}200 {2}\{"accepted":0,"duplicates":2\}/m, 'the repeated delivery is absorbed');
  assert.equal((text.match(/decided with record #\d+ \(one transaction, one decision\)/g) ?? []).length >= 3, true);
  assert.match(text, /created +all_contacts_by_list\.new_on_list · groups \+Newsletter$/m);
  assert.match(text, /skipped +no_email/);
  assert.match(text, /skipped +before_since/);
  assert.match(text, /unsubscribed +groups: Donors/, 'the unsubscribed donor keeps status and groups');
  assert.doesNotMatch(text, /pending/);
  assert.doesNotMatch(text, /jane\.doe@example\.org/i, 'emails are masked');
});
