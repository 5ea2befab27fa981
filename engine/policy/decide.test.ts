import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Mode, NewStatus, PolicyConfig } from '../flow/types.ts';
import { compilePolicy, decide } from './decide.ts';
import type { Decision } from './decide.ts';
import { ML_STATES, POLICY_TABLES, rowMatches, tableFor } from './tables.ts';
import type { MlState, RuleId } from './tables.ts';

const STATUSES: readonly NewStatus[] = ['active', 'unconfirmed'];
const MODES: readonly Mode[] = ['mailing_list', 'all_contacts', 'all_contacts_by_list'];

// Every slot holds a different group, so a decision that reads the wrong slot shows up.
function policyFor(mode: Mode, new_status: NewStatus): PolicyConfig {
  switch (mode) {
    case 'mailing_list':
      return { mode, new_status, groups: { new: ['ML New'], existing: ['ML Existing', 'ML Extra'] } };
    case 'all_contacts':
      return { mode, new_status, groups: { new: ['AC New'], unconfirmed: ['AC Unconfirmed'] } };
    case 'all_contacts_by_list':
      return { mode, new_status, groups: { mailing_list: ['Newsletter'], not_on_list: ['Donors'] } };
  }
}

// Expected decisions per cell, written out from DESIGN §4. `status` is filled from the
// new_status under test, so each table runs once per status.
type Expect = (status: NewStatus) => Decision;
type Case = readonly [onList: boolean, state: MlState, expected: Expect];

const create =
  (groups: string[], slot: string, rule: RuleId): Expect =>
  (status) => ({ action: 'create', status, groups, slot, rule });
const upsert =
  (groups: string[], slot: string | null, rule: RuleId): Expect =>
  () => ({ action: 'update', groups, slot, rule });
// The destination adapter decides how an update is written (adapters/mailerlite/intents.ts).
const fieldsThenGroups =
  (groups: string[], slot: string | null, rule: RuleId): Expect =>
  () => ({ action: 'update', groups, slot, rule });
const skip =
  (reason: 'not_on_mailing_list', rule: RuleId): Expect =>
  () => ({ action: 'skip', reason, rule });

const CASES: Record<Mode, readonly Case[]> = {
  mailing_list: [
    [true, 'none', create(['ML New'], 'new', 'mailing_list.new_on_list')],
    [true, 'active', upsert(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [true, 'unconfirmed', upsert(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [true, 'unsubscribed', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [true, 'bounced', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [true, 'junk', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [false, 'none', skip('not_on_mailing_list', 'mailing_list.new_not_on_list')],
    [false, 'active', upsert(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [false, 'unconfirmed', upsert(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [false, 'unsubscribed', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [false, 'bounced', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
    [false, 'junk', fieldsThenGroups(['ML Existing', 'ML Extra'], 'existing', 'mailing_list.existing')],
  ],
  all_contacts: [
    [true, 'none', create(['AC New'], 'new', 'all_contacts.new')],
    [true, 'active', upsert([], null, 'all_contacts.existing_keep_groups')],
    [true, 'unconfirmed', upsert(['AC Unconfirmed'], 'unconfirmed', 'all_contacts.existing_unconfirmed')],
    [true, 'unsubscribed', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
    [true, 'bounced', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
    [true, 'junk', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
    [false, 'none', create(['AC New'], 'new', 'all_contacts.new')],
    [false, 'active', upsert([], null, 'all_contacts.existing_keep_groups')],
    [false, 'unconfirmed', upsert(['AC Unconfirmed'], 'unconfirmed', 'all_contacts.existing_unconfirmed')],
    [false, 'unsubscribed', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
    [false, 'bounced', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
    [false, 'junk', fieldsThenGroups([], null, 'all_contacts.existing_keep_groups')],
  ],
  all_contacts_by_list: [
    [true, 'none', create(['Newsletter'], 'mailing_list', 'all_contacts_by_list.new_on_list')],
    [true, 'active', upsert(['Newsletter'], 'mailing_list', 'all_contacts_by_list.existing_on_list')],
    [true, 'unconfirmed', upsert(['Newsletter'], 'mailing_list', 'all_contacts_by_list.existing_on_list')],
    [true, 'unsubscribed', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
    [true, 'bounced', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
    [true, 'junk', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
    [false, 'none', create(['Donors'], 'not_on_list', 'all_contacts_by_list.new_not_on_list')],
    [false, 'active', upsert(['Donors'], 'not_on_list', 'all_contacts_by_list.existing_not_on_list')],
    [false, 'unconfirmed', upsert(['Donors'], 'not_on_list', 'all_contacts_by_list.existing_not_on_list')],
    [false, 'unsubscribed', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
    [false, 'bounced', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
    [false, 'junk', fieldsThenGroups([], null, 'all_contacts_by_list.existing_non_subscriber')],
  ],
};

/** Every (mode, new_status, onList, state) cell with its decision. */
function everyCell(): { mode: Mode; status: NewStatus; onList: boolean; state: MlState; decision: Decision }[] {
  return MODES.flatMap((mode) =>
    STATUSES.flatMap((status) =>
      [true, false].flatMap((onList) =>
        ML_STATES.map((state) => ({ mode, status, onList, state, decision: decide(policyFor(mode, status), { onList, state }) })),
      ),
    ),
  );
}

describe('decide: every cell of every table', () => {
  for (const mode of MODES) {
    test(`${mode} cases cover onList yes/no × every state`, () => {
      const covered = CASES[mode].map(([onList, state]) => `${onList}:${state}`);
      const expected = [true, false].flatMap((onList) => ML_STATES.map((state) => `${onList}:${state}`));
      assert.deepEqual([...covered].sort(), [...expected].sort());
    });
    for (const status of STATUSES) {
      for (const [onList, state, expected] of CASES[mode]) {
        test(`${mode}, new_status ${status}: onList=${onList}, ${state}`, () => {
          assert.deepEqual(decide(policyFor(mode, status), { onList, state }), expected(status));
        });
      }
    }
  }
});

describe('decide: invariants over all cells', () => {
  test('status is sent only on create, and only the flow new_status', () => {
    for (const { status, decision } of everyCell()) {
      if (decision.action === 'create') assert.equal(decision.status, status);
      else assert.equal('status' in decision, false, JSON.stringify(decision));
    }
  });

  test('contacts not in MailerLite are created or skipped, never updated', () => {
    for (const { state, decision } of everyCell()) {
      if (state === 'none') assert.notEqual(decision.action, 'update');
      else assert.equal(decision.action, 'update', `existing ${state} must be updated`);
    }
  });
});

describe('decide: group slots', () => {
  test('mailing_list new and existing may be the same group', () => {
    const policy: PolicyConfig = {
      mode: 'mailing_list',
      new_status: 'unconfirmed',
      groups: { new: ['Newsletter'], existing: ['Newsletter'] },
    };
    assert.deepEqual(decide(policy, { onList: true, state: 'none' }), {
      action: 'create',
      status: 'unconfirmed',
      groups: ['Newsletter'],
      slot: 'new',
      rule: 'mailing_list.new_on_list',
    });
    assert.deepEqual(decide(policy, { onList: true, state: 'active' }), {
      action: 'update',
      groups: ['Newsletter'],
      slot: 'existing',
      rule: 'mailing_list.existing',
    });
  });

  test('an empty slot still creates or updates, adding no groups', () => {
    const policy: PolicyConfig = {
      mode: 'all_contacts_by_list',
      new_status: 'active',
      groups: { mailing_list: [], not_on_list: [] },
    };
    assert.deepEqual(decide(policy, { onList: false, state: 'none' }), {
      action: 'create',
      status: 'active',
      groups: [],
      slot: 'not_on_list',
      rule: 'all_contacts_by_list.new_not_on_list',
    });
    assert.deepEqual(decide(policy, { onList: true, state: 'unconfirmed' }), {
      action: 'update',
      groups: [],
      slot: 'mailing_list',
      rule: 'all_contacts_by_list.existing_on_list',
    });
  });

  test('decisions do not share arrays with the config', () => {
    const policy = policyFor('all_contacts', 'active');
    const decision = decide(policy, { onList: true, state: 'none' });
    assert.equal(decision.action, 'create');
    if (decision.action === 'create') decision.groups.push('Injected');
    assert.deepEqual(decide(policy, { onList: true, state: 'none' }), create(['AC New'], 'new', 'all_contacts.new')('active'));
  });

  test('a slot missing from the config is an error, not "no groups"', () => {
    const policy = { mode: 'mailing_list', new_status: 'active', groups: { new: ['Newsletter'] } } as unknown as PolicyConfig;
    assert.throws(() => decide(policy, { onList: false, state: 'active' }), /no group slot "existing"/);
  });

  test('a state outside the tables is an error', () => {
    const policy = policyFor('all_contacts', 'active');
    assert.throws(() => decide(policy, { onList: true, state: 'deleted' as MlState }), /no all_contacts policy row/);
  });
});

describe('tables', () => {
  test('exactly one row of each table matches each cell', () => {
    for (const mode of MODES) {
      for (const onList of [true, false]) {
        for (const state of ML_STATES) {
          const ids = tableFor(mode)
            .filter((row) => rowMatches(row, onList, state))
            .map((row) => row.id);
          assert.equal(ids.length, 1, `${mode} onList=${onList} ${state}: ${ids.join(', ') || 'no row'}`);
        }
      }
    }
  });

  test('every row decides at least one cell and rule ids are unique', () => {
    const ids = MODES.flatMap((mode) => POLICY_TABLES[mode].map((row) => row.id));
    assert.equal(new Set(ids).size, ids.length);
    const used = new Set(everyCell().map(({ decision }) => decision.rule));
    assert.deepEqual([...ids].filter((id) => !used.has(id)), []);
  });
});

describe('compilePolicy', () => {
  test('decides every cell as decide does', () => {
    for (const mode of MODES) {
      for (const status of STATUSES) {
        const policy = policyFor(mode, status);
        const compiled = compilePolicy(policy);
        for (const onList of [true, false]) {
          for (const state of ML_STATES) {
            assert.deepEqual(compiled({ onList, state }), decide(policy, { onList, state }));
          }
        }
      }
    }
  });

  test('shared decisions are frozen, so one event cannot change the next', () => {
    const compiled = compilePolicy(policyFor('mailing_list', 'active'));
    const decision = compiled({ onList: true, state: 'none' });
    assert.ok(Object.isFrozen(decision));
    assert.ok(decision.action === 'create' && Object.isFrozen(decision.groups));
  });

  test('a missing slot fails when the policy is compiled, before any contact', () => {
    const policy = { mode: 'all_contacts', new_status: 'active', groups: { new: ['Donors'] } } as unknown as PolicyConfig;
    assert.throws(() => compilePolicy(policy), /no group slot "unconfirmed"/);
  });
});
