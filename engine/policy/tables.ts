/**
 * The three sync modes as data (DESIGN §4): one table per mode, rows read top to bottom.
 * `decide` picks the row that matches a contact; `explainPolicy` prints the same rows for the
 * customer, so what we tell a nonprofit and what the engine does cannot drift apart.
 */
import type { GroupSlots, Mode } from '../flow/types.ts';

/** A contact's state in MailerLite: `none` when no subscriber has that email. */
export type MlState = 'none' | 'active' | 'unconfirmed' | 'unsubscribed' | 'bounced' | 'junk';

/** Every state, in the order tables and tests list them. */
export const ML_STATES: readonly MlState[] = ['none', 'active', 'unconfirmed', 'unsubscribed', 'bounced', 'junk'];

/** Every state of a subscriber that already exists. */
export const EXISTING_STATES: readonly MlState[] = ['active', 'unconfirmed', 'unsubscribed', 'bounced', 'junk'];

/** Stable reason codes for skipped contacts (stored with the outcome). */
export type SkipReason = 'not_on_mailing_list';

/** The name of a group slot of mode M, e.g. `new` or `not_on_list` (distributes over a union of modes). */
export type SlotOf<M extends Mode> = M extends Mode ? keyof GroupSlots[M] & string : never;

export type RowResult<M extends Mode = Mode> =
  | { readonly action: 'create'; readonly slot: SlotOf<M> }
  /** `slot: null`: fields only, membership left as it is. */
  | { readonly action: 'update'; readonly slot: SlotOf<M> | null }
  | { readonly action: 'skip'; readonly reason: SkipReason };

export interface PolicyRow<M extends Mode = Mode, Id extends string = string> {
  /** Stable id, stored with each outcome so a decision can be traced to its row. */
  readonly id: Id;
  /** Whether the contact joined the Flipcause mailing list; `any` matches both. */
  readonly onList: boolean | 'any';
  readonly states: readonly MlState[];
  readonly result: RowResult<M>;
}

/**
 * Exactly one row of a mode's table matches each (onList, state) cell; the tests check every
 * cell. Status never appears here: a create always takes the flow's `new_status`, an update
 * never sends one.
 */
export const POLICY_TABLES = {
  mailing_list: [
    { id: 'mailing_list.new_on_list', onList: true, states: ['none'], result: { action: 'create', slot: 'new' } },
    {
      id: 'mailing_list.new_not_on_list',
      onList: false,
      states: ['none'],
      result: { action: 'skip', reason: 'not_on_mailing_list' },
    },
    { id: 'mailing_list.existing', onList: 'any', states: EXISTING_STATES, result: { action: 'update', slot: 'existing' } },
  ],
  all_contacts: [
    { id: 'all_contacts.new', onList: 'any', states: ['none'], result: { action: 'create', slot: 'new' } },
    {
      // Seed: existing Active subscribers and Unsubscribed contacts remain in their current group.
      id: 'all_contacts.existing_keep_groups',
      onList: 'any',
      states: ['active', 'unsubscribed', 'bounced', 'junk'],
      result: { action: 'update', slot: null },
    },
    {
      id: 'all_contacts.existing_unconfirmed',
      onList: 'any',
      states: ['unconfirmed'],
      result: { action: 'update', slot: 'unconfirmed' },
    },
  ],
  all_contacts_by_list: [
    {
      id: 'all_contacts_by_list.new_on_list',
      onList: true,
      states: ['none'],
      result: { action: 'create', slot: 'mailing_list' },
    },
    {
      id: 'all_contacts_by_list.new_not_on_list',
      onList: false,
      states: ['none'],
      result: { action: 'create', slot: 'not_on_list' },
    },
    {
      // Seed: existing Unsubscribed contacts remain in their current group.
      id: 'all_contacts_by_list.existing_non_subscriber',
      onList: 'any',
      states: ['unsubscribed', 'bounced', 'junk'],
      result: { action: 'update', slot: null },
    },
    {
      id: 'all_contacts_by_list.existing_on_list',
      onList: true,
      states: ['active', 'unconfirmed'],
      result: { action: 'update', slot: 'mailing_list' },
    },
    {
      id: 'all_contacts_by_list.existing_not_on_list',
      onList: false,
      states: ['active', 'unconfirmed'],
      result: { action: 'update', slot: 'not_on_list' },
    },
  ],
} as const satisfies { readonly [M in Mode]: readonly PolicyRow<M>[] };

/** Every rule id of every mode. */
export type RuleId = (typeof POLICY_TABLES)[Mode][number]['id'];

/** The rows of one mode, widened to the row type. */
export function tableFor(mode: Mode): readonly PolicyRow<Mode, RuleId>[] {
  return POLICY_TABLES[mode];
}

export function rowMatches(row: PolicyRow, onList: boolean, state: MlState): boolean {
  return (row.onList === 'any' || row.onList === onList) && row.states.includes(state);
}
