/**
 * The demo's sample Flipcause traffic: realistic deliveries built from the adapter's fixtures,
 * each with a line saying what it shows.
 */
import { fixtureRecords } from '../../adapters/flipcause/fixtures.ts';

export interface DemoDelivery {
  flow: string;
  what: string;
  records: Record<string, unknown>[];
  /** Send with a wrong signature, to show the refusal. */
  forge?: boolean;
}

type Raw = Record<string, unknown>;

/** The fixtures are account 638's; other customers get the same records under their own account id. */
function asOrg(records: Raw[], org: string): Raw[] {
  return JSON.parse(JSON.stringify(records).replaceAll('"638"', `"${org}"`).replaceAll('CID638-', `CID${org}-`)) as Raw[];
}

function withEmail(records: Raw[], email: string): Raw[] {
  return records.map((r) => ({ ...r, ...('PD_email' in r ? { PD_email: email } : {}), ...('email' in r ? { email } : {}) }));
}

function withIds(records: Raw[], offset: number): Raw[] {
  return records.map((r) => ({
    ...r,
    ...('webhook_record_id' in r ? { webhook_record_id: String(Number(r.webhook_record_id) + offset) } : {}),
    ...('id' in r ? { id: String(Number(r.id) + offset) } : {}),
    ...('AD_transaction_id' in r ? { AD_transaction_id: `T${9000000 + offset}` } : {}),
    ...('transaction_id' in r ? { transaction_id: String(r.transaction_id).startsWith('T') ? `T${9000000 + offset}` : String(9000000 + offset) } : {}),
  }));
}

function dated(records: Raw[], day: string): Raw[] {
  return records.map((r) => ({
    ...r,
    ...('AD_transaction_date' in r ? { AD_transaction_date: day } : {}),
    ...('transaction_date' in r ? { transaction_date: `${day} 10:00:00` } : {}),
  }));
}

export function demoDeliveries(): DemoDelivery[] {
  const optIn = fixtureRecords('donation-with-opt-in');
  const plain = fixtureRecords('donation-without-opt-in');
  const signup = fixtureRecords('mailing-list-signup');
  const registration = fixtureRecords('activity-types').slice(0, 1);
  return [
    { flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 1/3 Donation activity', records: [optIn[0]!] },
    { flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 2/3 Mailing List activity', records: [optIn[1]!] },
    { flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 3/3 transaction "D,M"', records: [optIn[2]!] },
    { flow: 'hope-shelter', what: 'donation without opt-in (activity + transaction in one POST)', records: plain },
    { flow: 'hope-shelter', what: 'the same delivery again (Flipcause retries): absorbed', records: plain },
    {
      flow: 'hope-shelter', what: 'donation by a donor who unsubscribed in MailerLite',
      records: withIds(withEmail(plain, 'former.donor@example.org'), 500),
    },
    { flow: 'hope-shelter', what: 'anonymous cash payment without email', records: fixtureRecords('cash-payment-anonymous') },
    { flow: 'hope-shelter', what: 'a donation dated before the flow\'s go-live (since)', records: dated(withIds(plain, 700), '2026-10-15') },
    { flow: 'hope-shelter', what: 'a delivery with a forged signature', records: withIds(plain, 900), forge: true },
    { flow: 'riverside-food-bank', what: 'mailing-list sign-up (URL-token flow)', records: asOrg(signup, '1412') },
    { flow: 'riverside-food-bank', what: 'donation without opt-in: mailing_list mode skips it', records: asOrg(withIds(plain, 300), '1412') },
    { flow: 'eastside-youth-soccer', what: 'player registration (signed + URL token)', records: asOrg(registration, '2207') },
  ];
}

/** The MailerLite state each demo account starts from. */
export const DEMO_EXISTING = [{ flow: 'hope-shelter', email: 'former.donor@example.org', status: 'unsubscribed' as const, groups: ['Donors'] }];
