/**
 * groupKeys is normalise's email and transaction id, read without building the event: intake
 * stores what it returns, the worker groups records by it, and the two must never disagree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fixtureNames, fixtureRecords } from './fixtures.ts';
import { groupKeys, normalise } from './normalise.ts';

const viaNormalise = (raw: Record<string, unknown>) => {
  const ev = normalise(raw);
  return { email: ev.contact?.email ?? null, txn: ev.event.transaction_id };
};

test('groupKeys gives what normalise gives, for every record of every fixture', () => {
  let withEmail = 0;
  let withTxn = 0;
  for (const name of fixtureNames()) {
    for (const raw of fixtureRecords(name)) {
      const keys = groupKeys(raw);
      assert.deepEqual(keys, viaNormalise(raw), name);
      if (keys.email) withEmail++;
      if (keys.txn) withTxn++;
    }
  }
  assert.ok(withEmail > 5 && withTxn > 5, 'the fixtures exercise both keys');
});

test('groupKeys gives what normalise gives when the fields that carry the keys vary', () => {
  const base = fixtureRecords('donation-with-opt-in');
  const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), fc.string(), fc.emailAddress(), fc.integer().map(String),
    fc.constantFrom(' Jane.Doe@Example.org ', 'T123', '123', 't9', 'not an email', 'a@b'));
  const keys = fc.constantFrom('PD_email', 'email', 'transaction_id', 'AD_transaction_id', 'webhook_trigger_type', 'Email', 'donor_email');
  fc.assert(
    fc.property(fc.constantFrom(...base), fc.dictionary(keys, value), fc.constantFrom('new_activity', 'new_transaction', 'new_contact', 'unheard_of'), (raw, changes, trigger) => {
      const rec: Record<string, unknown> = { ...raw, webhook_trigger_type: trigger };
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined) delete rec[k];
        else rec[k] = v;
      }
      assert.deepEqual(groupKeys(rec), viaNormalise(rec));
    }),
    { numRuns: 500 },
  );
});
