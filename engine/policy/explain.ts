/**
 * The flow's decision table in the customer's words (`engine explain`): the same rows `decide`
 * reads, with the flow's real group names and new-contact status, ready to paste into the
 * confirmation email.
 */
import type { Mode, NewStatus, PolicyConfig } from '../flow/types.ts';
import { slotGroups } from './decide.ts';
import { EXISTING_STATES, tableFor } from './tables.ts';
import type { MlState, PolicyRow, SkipReason } from './tables.ts';

export interface ExplainOptions {
  /** Named in the title line when given. */
  flowName?: string;
  /** `text` (default): aligned columns for a plain email; `markdown`: a markdown table. */
  format?: 'text' | 'markdown';
}

/** The seed's own names for the modes, which customers picked from in the questionnaire. */
export const MODE_TITLES: Readonly<Record<Mode, string>> = {
  mailing_list: 'Mailing List Contacts',
  all_contacts: 'All Contacts, treated the same',
  all_contacts_by_list: 'All Contacts, based on the mailing list',
};

const HEADERS = ['Flipcause contact', 'In MailerLite', 'What happens'] as const;

// MailerLite's UI capitalises statuses; customers know them that way.
const STATE_LABELS: Readonly<Record<MlState, string>> = {
  none: 'not in MailerLite',
  active: 'Active',
  unconfirmed: 'Unconfirmed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  junk: 'Junk',
};

const STATUS_LABELS: Readonly<Record<NewStatus, string>> = { active: 'Active', unconfirmed: 'Unconfirmed' };

const SKIP_TEXT: Readonly<Record<SkipReason, string>> = {
  not_on_mailing_list: 'not added to MailerLite',
};

const NOTES = [
  'Contacts already in MailerLite always keep their status.',
  'Groups are only ever added, never removed: a contact already in another group will be in both.',
];

/** The table's rows in the customer's words, one per row of the policy table `decide` reads. */
export function explainRows(policy: PolicyConfig): Array<{ contact: string; in_mailerlite: string; what_happens: string }> {
  return tableFor(policy.mode).map((row) => ({ contact: onListLabel(row), in_mailerlite: statesLabel(row), what_happens: resultText(policy, row) }));
}

export function explainPolicy(policy: PolicyConfig, opts: ExplainOptions = {}): string {
  const rows = explainRows(policy).map((r) => [r.contact, r.in_mailerlite, r.what_happens]);
  const title = opts.flowName
    ? `Sync mode for ${opts.flowName}: ${MODE_TITLES[policy.mode]}`
    : `Sync mode: ${MODE_TITLES[policy.mode]}`;
  const intro = `New contacts are added as ${STATUS_LABELS[policy.new_status]} subscribers.`;
  if (opts.format === 'markdown') {
    return [title, '', intro, '', ...markdownTable(rows), '', ...NOTES.map((n) => `- ${n}`), ''].join('\n');
  }
  return [title, intro, '', ...textTable(rows), '', ...NOTES, ''].join('\n');
}

function onListLabel(row: PolicyRow): string {
  if (row.onList === 'any') return 'Any contact';
  return row.onList ? 'On the mailing list' : 'Not on the mailing list';
}

function statesLabel(row: PolicyRow): string {
  if (EXISTING_STATES.every((s) => row.states.includes(s))) return 'any status';
  return orList(row.states.map((s) => STATE_LABELS[s]));
}

function resultText(policy: PolicyConfig, row: PolicyRow): string {
  const result = row.result;
  switch (result.action) {
    case 'skip':
      return SKIP_TEXT[result.reason];
    case 'create':
      return `added as ${STATUS_LABELS[policy.new_status]} subscriber, ${inGroups(slotGroups(policy, result.slot))}`;
    case 'update': {
      const groups = result.slot === null ? [] : slotGroups(policy, result.slot);
      return groups.length === 0
        ? 'details updated, status and groups kept'
        : `details updated, status kept, added to ${groupWord(groups)} ${andList(quoted(groups))}`;
    }
  }
}

function inGroups(groups: readonly string[]): string {
  return groups.length === 0 ? 'in no group' : `in ${groupWord(groups)} ${andList(quoted(groups))}`;
}

function groupWord(groups: readonly string[]): string {
  return groups.length === 1 ? 'group' : 'groups';
}

// Quoted because group names contain spaces and "and" ("Friends and Family").
function quoted(names: readonly string[]): string[] {
  return names.map((n) => `"${n}"`);
}

function andList(items: readonly string[]): string {
  return joinLast(items, 'and');
}

function orList(items: readonly string[]): string {
  return joinLast(items, 'or');
}

function joinLast(items: readonly string[], word: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

function textTable(rows: readonly (readonly string[])[]): string[] {
  const all = [HEADERS, ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  // The last column is not padded, so lines carry no trailing spaces.
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(HEADERS), rule, ...rows.map(line)];
}

function markdownTable(rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(HEADERS), `|${HEADERS.map(() => '---').join('|')}|`, ...rows.map(line)];
}

// A pipe in a group name would otherwise split the cell.
function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}
