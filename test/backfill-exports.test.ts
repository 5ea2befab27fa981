/**
 * `engine backfill` on the exports Flipcause produces, with their real headers (fixtures in
 * test/fixtures/backfill/, example.org people): every column reaches MailerLite through the
 * flow's mapping or is reported once as ignored; rows keep their dates, so a mapping's gift
 * fields fill, and the flow's `since` cut-off is bypassed by the backfill itself, not by a
 * missing date. Also: a dry run's one line per row, --format json, and a bad row in a file with
 * mixed line endings reported once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite, type FakeMailerLite } from '../adapters/mailerlite/index.ts';
import { runBackfill } from '../engine/setup/backfill.ts';
import { loadFlow as loadFlowTarget } from '../engine/runtime/load-flow.ts';
import { prepare } from '../engine/pipeline/prepare.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import '../adapters/index.ts';
import { runEngine, type EngineRun } from './support/cli.ts';

const TOKEN = 'ml-export-token-1';
const ENV = { EXPORT_TEST_SECRET: 'whsec_loopback_only', EXPORT_TEST_KEY: TOKEN };
const CONTACTS = readFileSync(new URL('./fixtures/backfill/contacts-export.csv', import.meta.url));
const TRANSACTIONS = readFileSync(new URL('./fixtures/backfill/transactions-export.csv', import.meta.url));

function flowYaml(baseUrl: string): string {
  // Every export row is dated years before `since`: backfill brings them in regardless.
  return `flow: export-demo
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:EXPORT_TEST_SECRET}
    since: 2030-01-01T00:00:00Z
mapping: |
  {
    "email": contact.email,
    "fields": {
      "name": contact.first_name,
      "last_name": contact.last_name,
      "company": contact.business_name,
      "phone": $phone(contact.phone, "+1"),
      "street_address": contact.address.line1,
      "city": contact.address.city,
      "state": contact.address.state,
      "z_i_p": contact.address.postal_code,
      "country": contact.address.country,
      "last_gift": event.amount,
      "last_gift_date": event.date,
      "last_campaign": event.campaign
    }
  }
policy:
  mode: all_contacts_by_list
  new_status: active
  groups:
    mailing_list: [Newsletter]
    not_on_list: [Donors]
destination:
  mailerlite:
    api_key: \${env:EXPORT_TEST_KEY}
    base_url: ${baseUrl}
`;
}

const FIELDS = [
  { name: 'Street address', key: 'street_address' },
  { name: 'Last gift', key: 'last_gift', type: 'number' as const },
  { name: 'Last gift date', key: 'last_gift_date', type: 'date' as const },
  { name: 'Last campaign', key: 'last_campaign' },
];

async function withEnv(body: (env: { fake: FakeMailerLite; dir: string; flowFile: string }) => Promise<void>): Promise<void> {
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'], fields: FIELDS } } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-export-'));
  const flowFile = join(dir, 'flow.yaml');
  writeFileSync(flowFile, flowYaml(fake.url));
  try {
    await body({ fake, dir, flowFile });
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadFlow(flowFile: string) {
  const loaded = loadFlowTarget(flowFile, { env: ENV });
  assert.ok(loaded.ok);
  return loaded.flow;
}

const engine = (args: string[]): Promise<EngineRun> => runEngine(args, { add: ENV });

function subscriber(fake: FakeMailerLite, email: string) {
  const s = fake.account(TOKEN).subscriber(email);
  assert.ok(s, `${email} is in the account`);
  const groups = ((s.groups ?? []) as Array<{ name: string }>).map((g) => g.name);
  return { status: s.status, groups, fields: s.fields as Record<string, unknown> };
}

test('a contacts export: names, company, mobile or home phone, address and the largest gift reach MailerLite; the rest is reported ignored', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    const summary = await runBackfill(loadFlow(flowFile), CONTACTS, { store: openSqliteStore({ file: join(dir, 'c.sqlite') }) });
    assert.equal(summary.export.format, 'contacts export');
    assert.deepEqual(summary.export.ignored, ['Birthdate', 'Primary Mobile Number Ext', 'Primary Home Number Ext', 'All Time Donation Amount', 'Tags']);
    assert.deepEqual(
      summary.export.mapped.map((c) => c.column),
      ['First Name', 'Last Name', 'Business/Organization Name', 'Email', 'Primary Mobile Country Code', 'Primary Mobile Number', 'Primary Home Number Country Code',
        'Primary Home Number', 'Address', 'City', 'State/Province', 'Postal Code', 'Country', 'Largest Contribution Amount', 'Largest Contribution Date'],
      'every other column is read',
    );
    assert.deepEqual(summary.export.mapped.find((c) => c.column === 'Largest Contribution Date')?.fields, ['event.date', 'event.date_raw']);
    assert.deepEqual(summary.bad, [{ line: 5, reason: 'no email' }]);
    assert.deepEqual(summary.outcomes, { created: 3 }, 'dated long before since, created all the same');

    const maria = subscriber(fake, 'maria.okafor@example.org');
    assert.deepEqual(maria.fields, {
      ...maria.fields,
      name: 'Maria', last_name: 'Okafor', phone: '+15105550142', street_address: '1840 Linden St', city: 'Oakland', state: 'CA',
      z_i_p: '94607', country: 'United States', last_gift: 500, last_gift_date: '2025-03-14T00:00:00.000Z',
    });
    assert.deepEqual(maria.groups, ['Donors']);
    const business = subscriber(fake, 'orders@eastbay-print.example.org');
    assert.equal(business.fields.company, 'Eastbay Print Co', 'company from Business/Organization Name');
    assert.equal(business.fields.phone, '+15105550177', 'the home number when there is no mobile one');
    assert.equal(business.fields.last_gift, 300);
    assert.equal(business.fields.last_gift_date, '2024-11-02T00:00:00.000Z');
    const james = subscriber(fake, 'james.whitfield@example.org');
    assert.equal(james.fields.name, 'James');
    assert.equal(james.fields.last_gift ?? null, null, 'no contribution, no gift');
  });
});

test('a transactions export: amount, campaign and date of the newest gift fill the gift fields; "D,M" and "M" join the list; Campaign ID is reported ignored', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    const summary = await runBackfill(loadFlow(flowFile), TRANSACTIONS, { store: openSqliteStore({ file: join(dir, 't.sqlite') }) });
    assert.equal(summary.export.format, 'transactions export');
    assert.deepEqual(summary.export.ignored, ['Campaign ID']);
    assert.equal(summary.export.mapped.length, 15);
    assert.deepEqual(summary.bad, []);
    // Maria's two gifts are one contact: decided once, the newest gift's facts win.
    assert.deepEqual(summary.outcomes, { created: 3, 'skipped (coalesced)': 1 });

    const maria = subscriber(fake, 'maria.okafor@example.org');
    assert.deepEqual(maria.fields, {
      ...maria.fields,
      name: 'Maria', last_name: 'Okafor', phone: '+15105550142', street_address: '1840 Linden St', city: 'Oakland', state: 'CA', z_i_p: '94607',
      last_gift: 1120, last_gift_date: '2025-12-20T11:10:00.000Z', last_campaign: 'Year-End Appeal',
    });
    assert.deepEqual(maria.groups, ['Newsletter'], 'her November gift (D,M) joined the mailing list; that stays');
    const samuel = subscriber(fake, 'samuel.reyes@example.org');
    assert.deepEqual(
      { amount: samuel.fields.last_gift, date: samuel.fields.last_gift_date, campaign: samuel.fields.last_campaign, groups: samuel.groups },
      { amount: 40, date: '2025-11-18T09:05:00.000Z', campaign: 'Winter Coat Drive', groups: ['Donors'] },
    );
    const aiyana = subscriber(fake, 'aiyana.brooks@example.org');
    assert.deepEqual(aiyana.groups, ['Newsletter']);
    assert.equal(aiyana.fields.last_campaign, 'Newsletter Sign-up');
  });
});

test('the since cut-off is bypassed by the backfill flag, not by a missing date: the same dated record outside a backfill is skipped', async () => {
  await withEnv(async ({ flowFile }) => {
    const flow = loadFlow(flowFile);
    const layout = flow.sourceAdapter.exports.detect(flow.sourceConfig, ['Transaction ID', 'Transaction Date', 'Transaction Time', 'Email']);
    assert.ok(layout);
    const raw = layout.toRecord(['T2045230', '11/18/2025', '09:05', 'samuel.reyes@example.org'], { line: 2, onList: false });
    const record = {
      id: 1, flow: flow.id, dedupeKey: 'k', trigger: 'new_transaction', raw, receivedAt: 0, subject: null, txn: null,
      status: 'pending' as const, availableAt: 0, attempts: 0, outcome: null, reason: null, errorCode: null, finishedAt: null,
    };
    const live = await prepare(flow, record);
    assert.equal(live.event?.event.date, '2025-11-18T09:05:00.000Z', 'the row keeps its date and time');
    assert.equal(live.skip, 'before_since');
    assert.equal((await prepare({ ...flow, backfill: true }, record)).skip, null);
  });
});

test('--dry-run prints one line per row (decision, masked email, the fields it fills); --format json gives the same as one document', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    fake.seed(TOKEN, { groups: ['Newsletter', 'Donors'], fields: FIELDS, subscribers: [{ email: 'samuel.reyes@example.org', status: 'active' }] });
    const csv = join(dir, 'transactions.csv');
    writeFileSync(csv, TRANSACTIONS);
    const text = await engine(['backfill', flowFile, csv, '--dry-run']);
    assert.equal(text.code, 0, text.stderr);
    const fields = 'city, last_campaign, last_gift, last_gift_date, last_name, name, phone, state, street_address, z_i_p';
    assert.deepEqual(text.stdout.split('\n').filter((l) => l.startsWith('line ')), [
      `line 2: decided with line 5 m***@example.org (${fields})`,
      `line 3: would update s***@example.org (${fields})`,
      'line 4: would create a***@example.org (last_campaign, last_gift, last_gift_date, last_name, name)',
      `line 5: would create m***@example.org (${fields})`,
    ]);
    assert.match(text.stderr, /transactions\.csv: transactions export; read: Transaction ID, Transaction Date, .*; ignored \(read into nothing\): Campaign ID\n/);
    assert.equal(text.stderr.split('Campaign ID').length - 1, 1, 'the ignored column is reported once');
    assert.match(text.stderr, /MailerLite allows one account 120 API requests a minute, for all the flows that write to it: that limit, not the engine, sets how long a big backfill takes\./);
    assert.ok(!/maria|samuel|aiyana|okafor|linden/i.test(text.stdout + text.stderr), 'no email, name or address in clear');

    const json = await engine(['backfill', flowFile, csv, '--dry-run', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(doc.dry_run, true);
    assert.deepEqual((doc.export as { ignored: string[] }).ignored, ['Campaign ID']);
    assert.deepEqual(doc.outcomes, { created: 2, updated: 1, 'skipped (coalesced)': 1 });
    assert.deepEqual((doc.decisions as Array<Record<string, unknown>>)[2], {
      line: 4, decision: 'created', reason: null, email: 'a***@example.org', fields: ['last_campaign', 'last_gift', 'last_gift_date', 'last_name', 'name'],
    });
    assert.deepEqual((doc.decisions as Array<{ decision: string; reason: string | null }>)[0], {
      line: 2, decision: 'coalesced', reason: 'with line 5', email: 'm***@example.org', fields: fields.split(', '),
    });
    assert.equal(typeof doc.elapsed_ms, 'number');
    assert.deepEqual(fake.requests(TOKEN).flatMap((q) => q.items ?? [q]).filter((i) => i.method !== 'GET'), [], 'a dry run writes nothing');
  });
});

test('a file with mixed line endings: every row is read, and a bad row is reported once', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    const lines = CONTACTS.toString('utf8').split('\r\n').filter((l) => l !== '');
    // Line 3 loses a column; line 2 ends in LF, line 3 in CR, the others in CRLF (a file edited on two systems).
    const broken = lines[2]!.replace(',Eastbay Print Co', '');
    const csv = join(dir, 'mixed.csv');
    writeFileSync(csv, `${lines[0]}\r\n${lines[1]}\n${broken}\r${lines[3]}\r\n${lines[4]}\r\n`);
    const r = await engine(['backfill', flowFile, csv]);
    const reports = r.stderr.split('\n').filter((l) => l.startsWith(`${csv}:`) && /:\d+: /.test(l));
    assert.deepEqual(reports, [`${csv}:3: skipped: wrong column count: 19 values for 20 columns`, `${csv}:5: skipped: no email`]);
    assert.match(r.stdout, /^2 rows, 2 bad rows skipped\n {2}created: 2\n/);
    assert.equal(fake.account(TOKEN).subscribers().length, 2);
    assert.equal(subscriber(fake, 'james.whitfield@example.org').fields.name, 'James', 'the row after the CR-ended one is its own row');
  });
});

test('a file that is no Flipcause export is refused with its columns and the exports that are known', async () => {
  await withEnv(async ({ dir, flowFile }) => {
    const csv = join(dir, 'other.csv');
    writeFileSync(csv, 'Name,Phone\nAnn,5105550101\n');
    const r = await engine(['backfill', flowFile, csv]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `engine backfill: ${csv}: not an export the flipcause source reads: its columns are "Name", "Phone"; expected a contacts export (First Name, Last Name, Email, Primary Mobile Number, Address, …) or a transactions export (Transaction ID, Transaction Date, Amount, Campaign Title, Email, …)\n`,
    );
  });
});
