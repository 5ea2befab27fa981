/**
 * What every benchmark shares: medians and percentiles, the result row each one reports, a
 * synthetic Flipcause record generator, flow files, and a logger that writes nowhere.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { createLogger, type Logger } from '../engine/log/logger.ts';
import '../adapters/index.ts';

/** One line of the results table. */
export interface Row {
  bench: string;
  metric: string;
  value: string;
  target?: string;
  /** true/false when the figure has a target; undefined when it is informational. */
  met?: boolean;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (r: number): string => `${fmt(r * 100, 1)}%`;
export const mb = (bytes: number): string => `${fmt(bytes / 1048576, 1)} MB`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Logs at the production level (info) into nothing: the cost of building lines stays, the I/O goes. */
export function discardLogger(level = 'info'): Logger {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return createLogger({ level, destination: sink });
}

export const SECRET = 'whsec_bench_secret_loopback_only';
export const ORG = '638';

// The sample donation (Donation activity) and the Mailing List sign-up of the same person.
const donation = fixtureRecords('donation-with-opt-in');
const ACTIVITY = donation[0]!;
const MAILING = donation[1]!;

export const FIRST_NAMES = ['Jane', 'Omar', 'Lucía', 'Wei', 'Amara', 'Tom', 'Priya', 'Jonas'];

/**
 * Record number `i` as Flipcause would send it: a unique record id, transaction and e-mail, so
 * every record is a new contact. `list` makes it the Mailing List activity (on the list).
 */
export function syntheticRecord(i: number, opts: { list?: boolean; emailOf?: (i: number) => string; name?: string } = {}): Record<string, unknown> {
  const base = opts.list ? MAILING : ACTIVITY;
  const email = opts.emailOf ? opts.emailOf(i) : `donor${i}@example.org`;
  return {
    ...base,
    webhook_record_id: String(1_000_000 + i),
    master_activity_auto_id: String(2_000_000 + i),
    transaction_id: String(3_000_000 + i),
    AD_transaction_id: `T${3_000_000 + i}`,
    AD_contact_id: `Donor ${i} (CID${ORG}-${5_000_000 + i})`,
    PD_first_name: opts.name ?? FIRST_NAMES[i % FIRST_NAMES.length]!,
    PD_last_name: `Donor${i}`,
    PD_email: ` ${email} `,
    PD_phone_number: `510555${String(i % 10_000).padStart(4, '0')}`,
  };
}

export type Mode = 'mailing_list' | 'all_contacts' | 'all_contacts_by_list';

const SLOTS: Record<Mode, Record<string, string[]>> = {
  mailing_list: { new: ['Newsletter'], existing: ['Newsletter'] },
  all_contacts: { new: ['Donors'], unconfirmed: ['Donors'] },
  all_contacts_by_list: { mailing_list: ['Newsletter'], not_on_list: ['Donors'] },
};

/** A flow file like the examples: the hand-written mapping, a `when` filter, the given mode. */
export function flowYaml(id: string, opts: { mode: Mode; keyEnv: string; secretEnv?: string; settleSeconds: number; baseUrl?: string }): string {
  const slots = Object.entries(SLOTS[opts.mode]).map(([k, v]) => `    ${k}: [${v.map((g) => JSON.stringify(g)).join(', ')}]`).join('\n');
  return `flow: ${id}
source:
  flipcause:
    org_id: "${ORG}"
    signing_secret: \${env:${opts.secretEnv ?? 'BENCH_FLIPCAUSE_SECRET'}}
    since: 2026-01-01T00:00:00Z
    triggers: [new_activity, new_transaction, new_contact, update_contact]
when: $not("RD" in event.activity_codes)
mapping: |
  {
    "email": contact.email,
    "fields": {
      "name": $titleCase(contact.first_name),
      "last_name": $titleCase(contact.last_name),
      "company": contact.business_name,
      "phone": $phone(contact.phone, "+1"),
      "street_address": $join([contact.address.line1, contact.address.line2][$ != null], ", "),
      "city": contact.address.city,
      "state": contact.address.state,
      "z_i_p": contact.address.postal_code,
      "country": contact.address.country
    }
  }
policy:
  mode: ${opts.mode}
  new_status: unconfirmed
  groups:
${slots}
destination:
  mailerlite:
    api_key: \${env:${opts.keyEnv}}
${opts.baseUrl ? `    base_url: ${opts.baseUrl}\n` : ''}settle_seconds: ${opts.settleSeconds}
`;
}

export function writeFlow(dir: string, id: string, yaml: string): void {
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(join(dir, id, 'flow.yaml'), yaml);
}

/** The account every benchmark seeds in the fake: the groups and the custom field the flows use. */
export const ACCOUNT_SEED = { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address', key: 'street_address' }] };
