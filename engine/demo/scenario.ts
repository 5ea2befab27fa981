/**
 * The demo's sample Flipcause traffic: realistic deliveries built from the adapter's fixtures,
 * each with a line saying what it shows and what must come of it. Every sample is dated
 * relative to the moment the demo runs, and every flow's go-live (`since`) with it, so each
 * story holds on any date.
 */
import { fixtureRecords, normalise, shiftDates } from '../../adapters/flipcause/index.ts';

export interface DemoDelivery {
  flow: string;
  what: string;
  records: Record<string, unknown>[];
  /** Send with a wrong signature, to show the refusal. */
  forge?: boolean;
  /** Dated before every flow's demo go-live, to show the cut-off. */
  beforeGoLive?: boolean;
  /**
   * What the label promises: the HTTP status, and the outcome of each record it stores, in order
   * (`created`, `skipped:no_email`, …). A refused or repeated delivery stores none.
   */
  expect: { status: number; outcomes: string[] };
}

type Raw = Record<string, unknown>;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The go-live every flow gets in the demo: midnight UTC, 30 days before `now`. */
export function demoGoLive(now: number): string {
  return new Date(Math.floor((now - 30 * DAY) / DAY) * DAY).toISOString();
}

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

/** The latest date any of the records carries, as the normaliser reads it (epoch ms). */
function latest(records: Raw[]): number {
  return Math.max(...records.map((r) => normalise(r).event.date).filter((d) => d !== null).map((d) => Date.parse(d)));
}

/** Moves the records so the latest of them is dated `at`, in whole minutes (their spacing kept). */
function datedAt(records: Raw[], at: number, from = latest(records)): Raw[] {
  return shiftDates(records, Math.floor((at - from) / MINUTE) * MINUTE);
}

export function demoDeliveries(now = Date.now()): DemoDelivery[] {
  const optIn = fixtureRecords('donation-with-opt-in');
  const plain = fixtureRecords('donation-without-opt-in');
  const signup = fixtureRecords('mailing-list-signup');
  const registration = fixtureRecords('activity-types').slice(0, 1);
  const cash = fixtureRecords('cash-payment-anonymous');
  const stories: DemoDelivery[] = [
    {
      flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 1/3 Donation activity', records: [optIn[0]!],
      expect: { status: 200, outcomes: ['skipped:coalesced'] },
    },
    {
      flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 2/3 Mailing List activity', records: [optIn[1]!],
      expect: { status: 200, outcomes: ['skipped:coalesced'] },
    },
    {
      flow: 'hope-shelter', what: 'donation with the newsletter box ticked: 3/3 transaction "D,M"', records: [optIn[2]!],
      expect: { status: 200, outcomes: ['created'] },
    },
    {
      flow: 'hope-shelter', what: 'donation without opt-in (activity + transaction in one POST)', records: plain,
      expect: { status: 200, outcomes: ['skipped:coalesced', 'created'] },
    },
    {
      flow: 'hope-shelter', what: 'the same delivery again (Flipcause retries): absorbed', records: plain,
      expect: { status: 200, outcomes: [] },
    },
    {
      flow: 'hope-shelter', what: 'donation by a donor who unsubscribed in MailerLite',
      records: withIds(withEmail(plain, 'former.donor@example.org'), 500),
      expect: { status: 200, outcomes: ['skipped:coalesced', 'updated'] },
    },
    {
      flow: 'hope-shelter', what: 'anonymous cash payment without email', records: cash,
      expect: { status: 200, outcomes: ['skipped:no_email'] },
    },
    {
      flow: 'hope-shelter', what: 'a donation dated before the flow\'s go-live (since)', records: withIds(plain, 700), beforeGoLive: true,
      expect: { status: 200, outcomes: ['skipped:before_since', 'skipped:before_since'] },
    },
    {
      flow: 'hope-shelter', what: 'a delivery with a forged signature', records: withIds(plain, 900), forge: true,
      expect: { status: 401, outcomes: [] },
    },
    {
      flow: 'riverside-food-bank', what: 'mailing-list sign-up (URL-token flow)', records: asOrg(signup, '1412'),
      expect: { status: 200, outcomes: ['skipped:coalesced', 'created'] },
    },
    {
      flow: 'riverside-food-bank', what: 'donation without opt-in: mailing_list mode skips it', records: asOrg(withIds(plain, 300), '1412'),
      expect: { status: 200, outcomes: ['skipped:not_on_mailing_list', 'skipped:not_on_mailing_list'] },
    },
    {
      flow: 'eastside-youth-soccer', what: 'player registration (signed + URL token)', records: asOrg(registration, '2207'),
      expect: { status: 200, outcomes: ['created'] },
    },
  ];
  // Today's traffic: the newest sample an hour ago, the others as far before it as in the fixtures.
  const from = latest(stories.flatMap((s) => s.records));
  const early = Date.parse(demoGoLive(now)) - 15 * DAY;
  return stories.map((s) => ({
    ...s,
    records: s.beforeGoLive ? datedAt(s.records, early) : datedAt(s.records, now - 60 * MINUTE, from),
  }));
}

/** The MailerLite state each demo account starts from. */
export const DEMO_EXISTING = [{ flow: 'hope-shelter', email: 'former.donor@example.org', status: 'unsubscribed' as const, groups: ['Donors'] }];
