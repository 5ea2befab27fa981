/**
 * The decision tables over generated policies (any group names, either status) and every input:
 * total (every cell decides), deterministic (the same twice, compiled or not), and within DESIGN
 * §4's rules whatever the names: status only on a create, creates only for a contact MailerLite
 * does not have, updates only for one it has, groups exactly the slot's, a skip only where
 * mailing_list meets a new contact off the list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyConfig } from '../flow/types.ts';
import { compilePolicy, decide } from './decide.ts';
import { ML_STATES } from './tables.ts';

const names = fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 });
const status = fc.constantFrom('active' as const, 'unconfirmed' as const);
const policies: fc.Arbitrary<PolicyConfig> = fc.oneof(
  fc.record({ mode: fc.constant('mailing_list' as const), new_status: status, groups: fc.record({ new: names, existing: names }) }),
  fc.record({ mode: fc.constant('all_contacts' as const), new_status: status, groups: fc.record({ new: names, unconfirmed: names }) }),
  fc.record({ mode: fc.constant('all_contacts_by_list' as const), new_status: status, groups: fc.record({ mailing_list: names, not_on_list: names }) }),
);
const inputs = fc.record({ onList: fc.boolean(), state: fc.constantFrom(...ML_STATES) });

test('policy tables: every generated policy decides every input, the same way twice and compiled, within the rules of DESIGN §4', () => {
  fc.assert(
    fc.property(policies, inputs, (policy, input) => {
      const decision = decide(policy, input);
      assert.deepEqual(decide(policy, input), decision, 'deterministic');
      assert.deepEqual(compilePolicy(policy)(input), decision, 'compiled once, decided the same');
      if (input.state === 'none') assert.notEqual(decision.action, 'update', 'no update of a contact MailerLite lacks');
      else assert.notEqual(decision.action, 'create', 'no create of a contact MailerLite has');
      if (decision.action === 'skip') {
        assert.deepEqual([policy.mode, input.onList, input.state], ['mailing_list', false, 'none']);
        return;
      }
      if (decision.action === 'create') assert.equal(decision.status, policy.new_status);
      else assert.ok(!('status' in decision), 'an update never sends a status');
      const slots: Record<string, readonly string[]> = policy.groups;
      assert.deepEqual(decision.groups, decision.slot === null ? [] : slots[decision.slot], 'exactly the groups of its slot');
    }),
    { seed: 20261203, numRuns: 1000 },
  );
});
