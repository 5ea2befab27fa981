import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NormalisedEvent } from '../../engine/ports/event.ts';
import { fixtureNames, fixtureRecords } from './fixtures.ts';
import { normalise } from './normalise.ts';

/** The parts of `actual` that `expected` names, so a case states only what it is about. */
function project(actual: unknown, expected: unknown): unknown {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return actual;
  if (actual === null || typeof actual !== 'object') return actual;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) {
    out[key] = project((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]);
  }
  return out;
}

type DeepPartial<T> = T extends object ? (T extends unknown[] ? T : { [K in keyof T]?: DeepPartial<T[K]> | null }) : T;
type Expect = DeepPartial<Omit<NormalisedEvent, 'raw'>>;
interface Case {
  name: string;
  raw: Record<string, unknown>;
  expect: Expect;
}

function check(raw: Record<string, unknown>, expected: Expect): void {
  const ev = normalise(raw);
  assert.deepEqual(project(ev, expected), expected);
  assert.equal(ev.raw, raw, 'raw is the record as received');
}

const rec = (fixture: string, index: number): Record<string, unknown> => {
  const r = fixtureRecords(fixture)[index];
  assert.ok(r, `${fixture}[${index}] exists`);
  return r;
};

const JANE_ACTIVITY_CONTACT = {
  email: 'jane.doe@example.org',
  email_status: 'ok',
  first_name: 'Jane',
  last_name: 'Doe',
  full_name: 'Jane Doe',
  business_name: null,
  phone: { country_code: '+1', number: '5105550123', type: 'M' },
  address: { line1: '1200 Harbor Way', line2: 'Apt 4', city: 'Oakland', state: 'CA', postal_code: '94607', country: 'United States' },
  contact_id: 'CID638-1000015',
  individual_or_business: 'Individual',
} as const;

const FIXTURE_CASES: Case[] = [
  {
    name: 'new_activity Donation (opt-in delivery, record 1 of 3)',
    raw: rec('donation-with-opt-in', 0),
    expect: {
      contact: JANE_ACTIVITY_CONTACT,
      event: {
        trigger: 'new_activity',
        known: true,
        kind: 'activity',
        record_id: '40211',
        org_id: '638',
        transaction_id: 'T2045117',
        activity_id: 'D1129283_A',
        activity_ids: ['D1129283_A'],
        activity_type: 'Donation',
        activity_codes: ['D'],
        campaign: 'Winter Shelter Drive',
        amount: 50,
        date_raw: '2026-11-05 14:32',
        date: '2026-11-05T14:32:00.000Z',
        on_list: false,
        refund: false,
        anonymous: false,
        tag: null,
      },
    },
  },
  {
    name: 'new_activity Mailing List (opt-in delivery, record 2 of 3)',
    raw: rec('donation-with-opt-in', 1),
    expect: {
      contact: JANE_ACTIVITY_CONTACT,
      event: { activity_type: 'Mailing List', activity_id: 'M1026828_A', activity_codes: ['M'], on_list: true, amount: null },
    },
  },
  {
    name: 'new_transaction "D,M" (opt-in delivery, record 3 of 3)',
    raw: rec('donation-with-opt-in', 2),
    expect: {
      contact: {
        email: 'jane.doe@example.org',
        business_name: null,
        // country_code is the phone prefix on transactions; country is the address country.
        phone: { country_code: '+1', number: '5105550123', type: 'M' },
        address: { line1: '1200 Harbor Way', line2: null, country: 'US' },
        contact_id: 'CID638-1000015',
      },
      event: {
        kind: 'transaction',
        record_id: '90544',
        org_id: '638',
        transaction_id: 'T2045117',
        activity_id: null,
        activity_ids: ['D1129283_A', 'M1026828_A'],
        activity_codes: ['D', 'M'],
        amount: 50,
        date_raw: '2026-11-05 14:32:10',
        date: '2026-11-05T14:32:10.000Z',
        on_list: true,
      },
    },
  },
  {
    name: 'new_activity Donation without opt-in',
    raw: rec('donation-without-opt-in', 0),
    expect: { contact: { email: 'john.roe@example.org' }, event: { activity_codes: ['D'], on_list: false, amount: 25 } },
  },
  {
    name: 'new_transaction "D" without opt-in (email with capitals and a trailing space)',
    raw: rec('donation-without-opt-in', 1),
    expect: { contact: { email: 'john.roe@example.org' }, event: { activity_codes: ['D'], on_list: false } },
  },
  {
    name: 'new_activity Mailing List sign-up with NA everywhere',
    raw: rec('mailing-list-signup', 0),
    expect: {
      contact: {
        email: 'ana.example@example.org',
        phone: null,
        address: { line1: null, line2: null, city: null, state: null, postal_code: null, country: null },
      },
      event: { on_list: true, activity_codes: ['M'], date: '2026-11-06T08:47:00.000Z' },
    },
  },
  {
    name: 'new_transaction "M" with blanks',
    raw: rec('mailing-list-signup', 1),
    expect: { contact: { phone: null, address: { line1: null, country: null } }, event: { on_list: true, amount: 0 } },
  },
  {
    name: 'new_activity Registration (E)',
    raw: rec('activity-types', 0),
    expect: { event: { activity_type: 'Registration', activity_codes: ['E'], on_list: false, amount: 80, transaction_id: 'T2045170' } },
  },
  {
    name: 'new_activity Store Order (G)',
    raw: rec('activity-types', 1),
    expect: { event: { activity_codes: ['G'], on_list: false } },
  },
  {
    name: 'new_activity Volunteer (V)',
    raw: rec('activity-types', 2),
    expect: { contact: { email: 'pat.fictional@example.org' }, event: { activity_codes: ['V'], amount: null, on_list: false } },
  },
  {
    name: 'new_activity Sponsorship (R) by a business',
    raw: rec('activity-types', 3),
    expect: {
      contact: { business_name: 'Acme Example Co', individual_or_business: 'Business', full_name: 'Acme Example Co', first_name: 'Robin' },
      event: { activity_codes: ['R'], amount: 1000 },
    },
  },
  {
    name: 'new_activity Recurring setup (RS)',
    raw: rec('activity-types', 4),
    expect: { event: { activity_id: 'RS1130005_A', activity_codes: ['RS'], refund: false, on_list: false } },
  },
  {
    name: 'new_transaction refund (RD)',
    raw: rec('refund', 0),
    expect: {
      contact: { email: 'jane.doe@example.org' },
      event: { activity_codes: ['RD'], activity_ids: ['RD1130100_A'], refund: true, on_list: false, transaction_id: 'T2045301' },
    },
  },
  {
    name: 'new_transaction cash payment, anonymous, no email or name',
    raw: rec('cash-payment-anonymous', 0),
    expect: {
      contact: {
        email: null,
        email_status: 'missing',
        first_name: null,
        last_name: null,
        full_name: null,
        phone: null,
        contact_id: null,
        individual_or_business: null,
      },
      event: { anonymous: true, activity_codes: ['D'], amount: 20, on_list: false },
    },
  },
  {
    name: 'update_contact ADDED_tag',
    raw: rec('update-contact-tags', 0),
    expect: {
      contact: {
        email: 'jane.doe@example.org',
        title: 'Ms.',
        suffix: null,
        business_name: null,
        // phone_country_code "1" is the prefix; country_code "US" is the address country here.
        phone: { country_code: '+1', number: '5105550123', type: 'Home' },
        address: { line1: '1200 Harbor Way', line2: 'Apt 4', country: 'US' },
        contact_id: 'CID638-1000015',
      },
      event: {
        kind: 'contact_update',
        record_id: '7710',
        tag: { added: 'Volunteer 2026', removed: null },
        date: '2026-11-08T09:15:00.000Z',
        on_list: false,
        transaction_id: null,
        activity_codes: [],
      },
    },
  },
  {
    name: 'update_contact REMOVED_tag',
    raw: rec('update-contact-tags', 1),
    expect: { contact: { email: 'jane.doe@example.org' }, event: { record_id: '7711', tag: { added: null, removed: 'Prospect' } } },
  },
  {
    name: 'new_contact',
    raw: rec('new-contact', 0),
    expect: {
      contact: { email: 'chris.specimen@example.org', address: { line1: '9 Example Lane', country: 'US' }, phone: { type: 'Mobile' } },
      event: { kind: 'contact', known: true, date: '2026-11-08T15:40:11.000Z' },
    },
  },
  {
    name: 'merchant-account credit: no contact, kept',
    raw: rec('merchant-credit', 0),
    expect: {
      contact: null,
      event: { trigger: 'merchant_account_credit', kind: 'merchant', known: true, record_id: '311', org_id: '638', amount: 125, on_list: false },
    },
  },
  {
    name: 'unknown trigger: no contact, kept, marked unknown',
    raw: rec('unknown-trigger', 0),
    expect: { contact: null, event: { trigger: 'new_pledge', kind: 'unknown', known: false, record_id: '12', org_id: '638' } },
  },
];

describe('normalise: the sample deliveries', () => {
  for (const c of FIXTURE_CASES) it(c.name, () => check(c.raw, c.expect));

  it('covers every fixture record', () => {
    const total = fixtureNames().reduce((n, f) => n + fixtureRecords(f).length, 0);
    assert.equal(FIXTURE_CASES.length, total);
  });

  it('a donation with opt-in: three records, one transaction, one email, on the list', () => {
    const events = fixtureRecords('donation-with-opt-in').map(normalise);
    assert.equal(events.length, 3);
    assert.deepEqual(new Set(events.map((e) => e.event.transaction_id)), new Set(['T2045117']));
    assert.deepEqual(new Set(events.map((e) => e.contact?.email)), new Set(['jane.doe@example.org']));
    assert.deepEqual(new Set(events.map((e) => e.contact?.contact_id)), new Set(['CID638-1000015']));
    assert.deepEqual(events.map((e) => e.event.on_list), [false, true, true]);
  });
});

const activity = (over: Record<string, unknown>): Record<string, unknown> => ({
  webhook_record_id: '1',
  webhook_trigger_type: 'new_activity',
  ...over,
});
const transaction = (over: Record<string, unknown>): Record<string, unknown> => ({
  id: '2',
  webhook_trigger_type: 'new_transaction',
  ...over,
});
const contactUpdate = (over: Record<string, unknown>): Record<string, unknown> => ({
  webhook_record_id: '3',
  webhook_trigger_type: 'update_contact',
  ...over,
});

const QUIRKS: Case[] = [
  ...(['Y', 'yes', 'YES', 'True', 'true', '1'] as const).map((v): Case => ({
    name: `want_to_anonymous "${v}" is true`,
    raw: transaction({ want_to_anonymous: v }),
    expect: { event: { anonymous: true } },
  })),
  ...(['N', 'no', 'No', 'FALSE', '0', 'NA', '', 'maybe'] as const).map((v): Case => ({
    name: `want_to_anonymous "${v}" is false`,
    raw: transaction({ want_to_anonymous: v }),
    expect: { event: { anonymous: false } },
  })),
  {
    name: 'NA, N/A, blanks and spaces are all empty',
    raw: transaction({ first_name: 'NA', last_name: '  ', city: 'N/A', state: '', business_organization_name: ' NA ' }),
    expect: { contact: { first_name: null, last_name: null, full_name: null, business_name: null, address: { city: null, state: null } } },
  },
  {
    name: 'email trimmed and lower-cased',
    raw: transaction({ email: '  Jane.DOE@Example.ORG\t' }),
    expect: { contact: { email: 'jane.doe@example.org', email_status: 'ok' } },
  },
  ...(['jane at example.org', 'jane@example', '@example.org', 'jane@@example.org', 'jane doe@example.org'] as const).map((v): Case => ({
    name: `implausible email "${v}" is invalid, not kept`,
    raw: transaction({ email: v }),
    expect: { contact: { email: null, email_status: 'invalid' } },
  })),
  {
    name: 'unprefixed names win over PD_ names when both are present',
    raw: activity({ first_name: 'Jane', PD_first_name: 'Janet', PD_email: 'janet@example.org' }),
    expect: { contact: { first_name: 'Jane', email: 'janet@example.org' } },
  },
  {
    name: 'PD_ names fill in when the unprefixed one is NA',
    raw: activity({ first_name: 'NA', PD_first_name: 'Janet' }),
    expect: { contact: { first_name: 'Janet' } },
  },
  {
    name: 'misspelt PD_individual_or_bussiness',
    raw: activity({ PD_individual_or_bussiness: 'Business ' }),
    expect: { contact: { individual_or_business: 'Business' } },
  },
  {
    name: 'business_organization_name (transaction) and business_name (contact) are the same datum',
    raw: transaction({ business_organization_name: 'Example Bakery' }),
    expect: { contact: { business_name: 'Example Bakery' } },
  },
  {
    name: 'transaction: country_code is the phone prefix',
    raw: transaction({ phone_number: '5105550123', country_code: '+44', country: 'GB' }),
    expect: { contact: { phone: { country_code: '+44' }, address: { country: 'GB' } } },
  },
  {
    name: 'transaction: a country_code that is not a prefix is not taken as one, nor as the country',
    raw: transaction({ phone_number: '5105550123', country_code: 'US', country: '' }),
    expect: { contact: { phone: { country_code: null }, address: { country: null } } },
  },
  {
    name: 'update_contact: country_code is the address country, phone_country_code the prefix',
    raw: contactUpdate({ phone_number: '5105550123', country_code: 'CA', phone_country_code: '1' }),
    expect: { contact: { phone: { country_code: '+1' }, address: { country: 'CA' } } },
  },
  {
    name: 'update_contact: a prefix misfiled in country_code is neither the country nor the prefix',
    raw: contactUpdate({ phone_number: '5105550123', country_code: '+1', phone_country_code: '' }),
    expect: { contact: { phone: { country_code: null }, address: { country: null } } },
  },
  {
    name: 'address vs address_line, each trimmed',
    raw: contactUpdate({ address_line: ' 5 Main St  ', address_line2: ' Unit 2 ' }),
    expect: { contact: { address: { line1: '5 Main St', line2: 'Unit 2' } } },
  },
  {
    name: 'no phone number: no phone, even with a prefix',
    raw: transaction({ country_code: '+1', phone_number: 'NA', phone_no_type: 'M' }),
    expect: { contact: { phone: null } },
  },
  {
    name: "contact id from a name with parentheses of its own",
    raw: activity({ AD_contact_id: 'Jane (JJ) Doe (CID638-1000015)' }),
    expect: { contact: { contact_id: 'CID638-1000015', full_name: 'Jane (JJ) Doe' }, event: { org_id: '638' } },
  },
  {
    name: 'a contact id without a CID is no contact id',
    raw: activity({ AD_contact_id: 'Jane Doe' }),
    expect: { contact: { contact_id: null, full_name: null }, event: { org_id: null } },
  },
  {
    name: "new_activity's bare transaction_id gets its T",
    raw: activity({ transaction_id: ' 2045117 ' }),
    expect: { event: { transaction_id: 'T2045117' } },
  },
  {
    name: 'AD_transaction_id wins over the bare transaction_id',
    raw: activity({ transaction_id: '999', AD_transaction_id: 'T2045117' }),
    expect: { event: { transaction_id: 'T2045117' } },
  },
  {
    name: 'a transaction id in neither form is not one',
    raw: transaction({ transaction_id: 'ABC-1' }),
    expect: { event: { transaction_id: null } },
  },
  {
    name: 'codes from transaction_type in any case and spacing',
    raw: transaction({ transaction_type: ' d , m ,' }),
    expect: { event: { activity_codes: ['D', 'M'], on_list: true } },
  },
  {
    name: 'M only in associated_activity_IDs is on the list',
    raw: transaction({ transaction_type: 'D', associated_activity_IDs: 'D1129283_A, M1026828_A' }),
    expect: { event: { activity_codes: ['D', 'M'], activity_ids: ['D1129283_A', 'M1026828_A'], on_list: true } },
  },
  {
    name: 'the Mailing List word alone is on the list',
    raw: activity({ activity_type: 'mailing list' }),
    expect: { event: { activity_codes: ['M'], on_list: true } },
  },
  {
    name: 'the activity id prefix alone states the code',
    raw: activity({ activity_order_format: 'M1026828_A' }),
    expect: { event: { activity_codes: ['M'], on_list: true } },
  },
  {
    name: 'a refund is never an opt-in, even when it names M',
    raw: transaction({ transaction_type: 'RD,M', associated_activity_IDs: 'RD1_A,M2_A' }),
    expect: { event: { refund: true, on_list: false } },
  },
  {
    name: 'a Refund activity word is a refund',
    raw: activity({ activity_type: 'Refund' }),
    expect: { event: { activity_codes: ['RD'], refund: true, on_list: false } },
  },
  {
    name: 'RS (recurring setup) is not RD (refund) and not M',
    raw: activity({ activity_order_format: 'RS1130005_A' }),
    expect: { event: { activity_codes: ['RS'], refund: false, on_list: false } },
  },
  {
    name: 'an unknown activity word keeps its id code',
    raw: activity({ activity_type: 'Peer Fundraiser', activity_order_format: 'P77_A' }),
    expect: { event: { activity_type: 'Peer Fundraiser', activity_codes: ['P'] } },
  },
  {
    name: 'amount with $ and thousands separators',
    raw: transaction({ total_transaction_amount: '$1,250.50' }),
    expect: { event: { amount: 1250.5 } },
  },
  {
    name: 'amount that is not a number',
    raw: transaction({ total_transaction_amount: 'fifty' }),
    expect: { event: { amount: null } },
  },
  {
    name: 'date without a time (activity without AD_transaction_time)',
    raw: activity({ AD_transaction_date: '2026-11-05', AD_transaction_time: 'NA' }),
    expect: { event: { date_raw: '2026-11-05', date: '2026-11-05T00:00:00.000Z' } },
  },
  {
    name: 'an impossible date keeps its raw form only',
    raw: transaction({ transaction_date: '2026-02-30 10:00:00' }),
    expect: { event: { date_raw: '2026-02-30 10:00:00', date: null } },
  },
  {
    name: 'a date in an unknown format keeps its raw form only',
    raw: contactUpdate({ updated_on: 'yesterday' }),
    expect: { event: { date_raw: 'yesterday', date: null } },
  },
  {
    name: 'numbers where strings were expected are read as strings',
    raw: transaction({ id: 42, total_transaction_amount: 12.5, phone_number: 5105550123, user_id: 638 }),
    expect: { contact: { phone: { number: '5105550123' } }, event: { record_id: '42', amount: 12.5, org_id: '638' } },
  },
  {
    name: 'objects and arrays where strings were expected are ignored',
    raw: transaction({ email: { a: 1 }, first_name: ['Jane'], total_transaction_amount: null }),
    expect: { contact: { email: null, email_status: 'missing', first_name: null }, event: { amount: null } },
  },
  {
    name: 'no trigger at all: unknown, no contact',
    raw: { webhook_record_id: '5', email: 'jane.doe@example.org' },
    expect: { contact: null, event: { trigger: 'unknown', known: false, kind: 'unknown', record_id: '5' } },
  },
  {
    name: 'a merchant payment trigger of another name',
    raw: { webhook_record_id: '6', webhook_trigger_type: 'new_merchant_account_payment', amount: '10.00' },
    expect: { contact: null, event: { kind: 'merchant', amount: 10 } },
  },
  {
    name: 'an empty record',
    raw: {},
    expect: { contact: null, event: { trigger: 'unknown', org_id: null, transaction_id: null, activity_codes: [], on_list: false } },
  },
];

describe('normalise: quirks', () => {
  for (const c of QUIRKS) it(c.name, () => check(c.raw, c.expect));
});

describe('normalise: purity', () => {
  it('does not modify the record and gives the same answer twice', () => {
    const raw = structuredClone(rec('donation-with-opt-in', 2));
    const before = structuredClone(raw);
    Object.freeze(raw);
    const a = normalise(raw);
    const b = normalise(raw);
    assert.deepEqual(raw, before);
    assert.deepEqual(a, b);
    assert.notEqual(a.event.activity_ids, b.event.activity_ids, 'no shared mutable state between calls');
  });
});
