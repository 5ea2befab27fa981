import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Mode, PolicyConfig } from '../flow/types.ts';
import { decide } from './decide.ts';
import { explainPolicy } from './explain.ts';
import { ML_STATES, tableFor } from './tables.ts';

const POLICIES: Record<Mode, PolicyConfig> = {
  mailing_list: {
    mode: 'mailing_list',
    new_status: 'unconfirmed',
    groups: { new: ['Newsletter'], existing: ['Flipcause Supporters'] },
  },
  all_contacts: { mode: 'all_contacts', new_status: 'active', groups: { new: ['All Donors'], unconfirmed: ['Pending'] } },
  all_contacts_by_list: {
    mode: 'all_contacts_by_list',
    new_status: 'unconfirmed',
    groups: { mailing_list: ['Newsletter'], not_on_list: ['Donors', 'Friends and Family'] },
  },
};

const MODES = Object.keys(POLICIES) as Mode[];

/** The table's body lines in text format: after the dashed rule, up to the blank line. */
function textRows(out: string): string[] {
  const lines = out.split('\n');
  const rule = lines.findIndex((l) => /^-+(-\+-+)+$/.test(l));
  assert.ok(rule > 0, 'text output has a header rule');
  const end = lines.indexOf('', rule);
  return lines.slice(rule + 1, end);
}

function markdownRows(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('|'));
}

// Padding aside, a text row reads as its three cells joined by " | ".
function cells(line: string): string[] {
  return line.split(' | ').map((c) => c.trim());
}

describe('explainPolicy, text', () => {
  for (const mode of MODES) {
    const policy = POLICIES[mode];
    test(`${mode}: one line per table row, with the real group names`, () => {
      const out = explainPolicy(policy);
      assert.equal(textRows(out).length, tableFor(mode).length);
      for (const names of Object.values(policy.groups) as string[][]) {
        for (const name of names) assert.ok(out.includes(`"${name}"`), `${name} missing from\n${out}`);
      }
    });

    test(`${mode}: columns are aligned`, () => {
      const out = explainPolicy(policy);
      const lines = out.split('\n').filter((l) => l.includes(' | '));
      const pipes = lines.map((l) => [...l.matchAll(/ \| /g)].map((m) => m.index));
      for (const p of pipes) assert.deepEqual(p, pipes[0]);
      assert.ok(out.split('\n').every((l) => l === l.trimEnd()), 'no trailing spaces');
    });
  }

  test('all_contacts_by_list reads row by row in plain words', () => {
    const rows = textRows(explainPolicy(POLICIES.all_contacts_by_list)).map(cells);
    assert.deepEqual(rows, [
      ['On the mailing list', 'not in MailerLite', 'added as Unconfirmed subscriber, in group "Newsletter"'],
      [
        'Not on the mailing list',
        'not in MailerLite',
        'added as Unconfirmed subscriber, in groups "Donors" and "Friends and Family"',
      ],
      ['Any contact', 'Unsubscribed, Bounced or Junk', 'details updated, status and groups kept'],
      ['On the mailing list', 'Active or Unconfirmed', 'details updated, status kept, added to group "Newsletter"'],
      [
        'Not on the mailing list',
        'Active or Unconfirmed',
        'details updated, status kept, added to groups "Donors" and "Friends and Family"',
      ],
    ]);
  });

  test('mailing_list says who is not added and that any existing status is updated', () => {
    const rows = textRows(explainPolicy(POLICIES.mailing_list)).map(cells);
    assert.deepEqual(rows, [
      ['On the mailing list', 'not in MailerLite', 'added as Unconfirmed subscriber, in group "Newsletter"'],
      ['Not on the mailing list', 'not in MailerLite', 'not added to MailerLite'],
      ['Any contact', 'any status', 'details updated, status kept, added to group "Flipcause Supporters"'],
    ]);
  });

  test('all_contacts keeps Active and non-subscribers in their groups', () => {
    const rows = textRows(explainPolicy(POLICIES.all_contacts)).map(cells);
    assert.deepEqual(rows, [
      ['Any contact', 'not in MailerLite', 'added as Active subscriber, in group "All Donors"'],
      ['Any contact', 'Active, Unsubscribed, Bounced or Junk', 'details updated, status and groups kept'],
      ['Any contact', 'Unconfirmed', 'details updated, status kept, added to group "Pending"'],
    ]);
  });

  test('the chosen new-contact status is the one shown', () => {
    const active = explainPolicy({ ...POLICIES.mailing_list, new_status: 'active' });
    assert.match(active, /New contacts are added as Active subscribers\./);
    assert.match(active, /added as Active subscriber, in group "Newsletter"/);
    assert.doesNotMatch(active, /Unconfirmed subscriber/);
  });

  test('an empty slot reads as no group added', () => {
    const out = explainPolicy({ mode: 'mailing_list', new_status: 'active', groups: { new: [], existing: [] } });
    const rows = textRows(out).map(cells);
    assert.equal(rows[0]?.[2], 'added as Active subscriber, in no group');
    assert.equal(rows[2]?.[2], 'details updated, status and groups kept');
  });

  test('title names the flow and its mode as the customer chose it', () => {
    const out = explainPolicy(POLICIES.all_contacts_by_list, { flowName: 'hope-shelter' });
    assert.equal(out.split('\n')[0], 'Sync mode for hope-shelter: All Contacts, based on the mailing list');
  });

  test('each row shows the groups decide adds for the cells it covers', () => {
    for (const mode of MODES) {
      const policy = POLICIES[mode];
      const rows = textRows(explainPolicy(policy));
      const ids = tableFor(mode).map((r) => r.id);
      for (const onList of [true, false]) {
        for (const state of ML_STATES) {
          const decision = decide(policy, { onList, state });
          const line = rows[ids.indexOf(decision.rule)];
          assert.ok(line !== undefined, `${decision.rule} has a line`);
          const groups = decision.action === 'skip' ? [] : decision.groups;
          for (const g of groups) assert.ok(line.includes(`"${g}"`), `${mode} ${state}: ${g} in ${line}`);
          if (decision.action !== 'skip' && groups.length === 0) assert.match(line, /groups kept|in no group/);
        }
      }
    }
  });
});

describe('explainPolicy, markdown', () => {
  for (const mode of MODES) {
    test(`${mode}: a header, a separator and one row per table row`, () => {
      const out = explainPolicy(POLICIES[mode], { format: 'markdown' });
      const rows = markdownRows(out);
      assert.equal(rows.length, tableFor(mode).length + 2);
      assert.equal(rows[0], '| Flipcause contact | In MailerLite | What happens |');
      assert.equal(rows[1], '|---|---|---|');
      for (const row of rows.slice(2)) assert.equal(row.split(' | ').length, 3, row);
    });
  }

  test('rows carry the real group names', () => {
    const rows = markdownRows(explainPolicy(POLICIES.all_contacts_by_list, { format: 'markdown' }));
    assert.equal(rows[2], '| On the mailing list | not in MailerLite | added as Unconfirmed subscriber, in group "Newsletter" |');
  });

  test('a pipe in a group name does not split the cell', () => {
    const out = explainPolicy(
      { mode: 'all_contacts', new_status: 'active', groups: { new: ['A|B'], unconfirmed: [] } },
      { format: 'markdown' },
    );
    assert.ok(out.includes('in group "A\\|B" |'), out);
  });
});
