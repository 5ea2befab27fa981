/**
 * `engine backfill`: Flipcause export CSVs (generated here, example.org people) pushed through a
 * flow into the MailerLite fake over loopback HTTP. Interrupted and resumed without sending any
 * row twice (the fake's request log is the witness), bad rows reported by line, dry runs that
 * write nothing, the flow's own policy and groups applied, its `since` cut-off not.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite, type FakeMailerLite, type LoggedItem } from '../adapters/mailerlite/index.ts';
import { accountKeyOf, rateBudgetFor } from '../adapters/mailerlite/index.ts';
import { runBackfill } from '../engine/setup/backfill.ts';
import { loadFlow } from '../engine/runtime/load-flow.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import '../adapters/index.ts';
import { runEngine, type EngineRun } from './support/cli.ts';

const TOKEN = 'ml-backfill-token-1';
const ENV = { BACKFILL_TEST_SECRET: 'whsec_loopback_only', BACKFILL_TEST_KEY: TOKEN };

function flowYaml(baseUrl: string): string {
  // `since` lies after every row would be dated: backfill must bring them in regardless.
  return `flow: backfill-demo
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:BACKFILL_TEST_SECRET}
    since: 2030-01-01T00:00:00Z
mapping: |
  {
    "email": contact.email,
    "fields": { "name": contact.first_name, "last_name": contact.last_name, "city": contact.address.city, "street_address": contact.address.line1 }
  }
policy:
  mode: all_contacts_by_list
  new_status: unconfirmed
  groups:
    mailing_list: [Newsletter]
    not_on_list: [Donors]
destination:
  mailerlite:
    api_key: \${env:BACKFILL_TEST_KEY}
    base_url: ${baseUrl}
`;
}

interface Env {
  fake: FakeMailerLite;
  dir: string;
  flowFile: string;
}

async function withEnv(body: (env: Env) => Promise<void>, timeScale = 1): Promise<void> {
  const fake = await startFakeMailerLite({
    accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address', key: 'street_address' }] } },
    options: { timeScale },
  });
  const dir = mkdtempSync(join(tmpdir(), 'engine-backfill-'));
  const flowFile = join(dir, 'flow.yaml');
  writeFileSync(flowFile, flowYaml(fake.url));
  try {
    await body({ fake, dir, flowFile });
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const engine = (args: string[]): Promise<EngineRun> => runEngine(args, { add: ENV });

/** Every POST api/subscribers the fake received (batched or not), by email. */
function upsertsByEmail(fake: FakeMailerLite): Map<string, number> {
  const items: LoggedItem[] = fake.requests(TOKEN).flatMap((r) => r.items ?? [{ method: r.method, path: r.path, body: r.body, status: r.status }]);
  const counts = new Map<string, number>();
  for (const i of items) {
    if (i.method !== 'POST' || i.path.replace(/^\//, '') !== 'api/subscribers') continue;
    const email = String((i.body as { email?: string }).email);
    counts.set(email, (counts.get(email) ?? 0) + 1);
  }
  return counts;
}

test('a backfill of 2000 rows interrupted after some hundreds resumes where it stopped and sends no row twice', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    // The account's shared budget, on the fake's scaled clock (a MailerLite minute lasts 120 ms
    // here); made before the flow compiles, so the flow's client shares it.
    rateBudgetFor(accountKeyOf(fake.url, TOKEN), { timeScale: 0.002 });
    const loaded = loadFlow(flowFile, { env: ENV });
    assert.ok(loaded.ok);
    const flow = loaded.flow;
    const header = 'Email,First Name,Last Name,Address,City,State/Province,Postal Code,Country,Phone';
    const rows = Array.from({ length: 2000 }, (_, i) => `person${i}@example.org,Person,Number${i},${i} Example St,Oakland,CA,94607,United States,5105550100`);
    const csv = Buffer.from([header, ...rows].join('\n') + '\n');
    const db = join(dir, 'backfill.sqlite');

    const controller = new AbortController();
    let seen = 0;
    const first = await runBackfill(flow, csv, {
      store: openSqliteStore({ file: db }),
      signal: controller.signal,
      onProgress(done) {
        seen = done;
        if (done >= 600) controller.abort();
      },
    });
    assert.equal(first.aborted, true);
    assert.equal(first.total, 2000);
    assert.ok(first.pending > 0 && first.pending <= 1400, `pending ${first.pending}`);
    const afterFirst = fake.account(TOKEN).subscribers().length;
    assert.ok(afterFirst >= 600 && afterFirst < 2000, `created ${afterFirst} before the interruption`);
    assert.ok(seen >= 600);

    // A new process would open the same file: so does the resumed run.
    const second = await runBackfill(flow, csv, { store: openSqliteStore({ file: db }) });
    assert.equal(second.aborted, false);
    assert.equal(second.pending, 0);
    assert.equal(second.resumedDone, 2000 - first.pending);
    assert.deepEqual(second.outcomes, { created: 2000 });
    assert.equal(fake.account(TOKEN).subscribers().length, 2000);
    const upserts = upsertsByEmail(fake);
    assert.equal(upserts.size, 2000);
    assert.deepEqual([...upserts.values()].filter((n) => n !== 1), [], 'no row was sent twice');

    const third = await runBackfill(flow, csv, { store: openSqliteStore({ file: db }) });
    assert.equal(third.resumedDone, 2000);
    assert.equal(upsertsByEmail(fake).size, 2000);
    assert.equal([...upsertsByEmail(fake).values()].reduce((a, b) => a + b, 0), 2000, 'a finished backfill run again sends nothing');
  }, 0.002);
});

const EXPORT = [
  // Column order, case and spacing as a person might leave them, plus columns backfill ignores.
  ' email ,LAST NAME,first  name,Donation Notes,Address,City,State / Province,Postal Code,Country,Phone,Transaction Type',
  'ann.example@example.org,Example,Ann,monthly,1 Elm St,Oakland,CA,94607,United States,5105550101,"D,M"', // line 2
  ',Nomail,Ned,,2 Elm St,Oakland,CA,94607,United States,5105550102,D', // line 3: no email
  'bob.example@example.org,Example,Bob,,3 Elm St,Berkeley,CA,94704,United States,5105550103,D', // line 4
  'not-an-email,Broken,Bea,,4 Elm St,Oakland,CA,94607,United States,5105550104,D', // line 5: invalid email
  'cy.example@example.org,Example,Cy,,5 Elm St', // line 6: wrong column count
  '"dee.example@example.org",Example,Dee,"said ""hi""",6 Elm St,Alameda,CA,94501,United States,,D', // line 7
  'EVE.EXAMPLE@EXAMPLE.ORG,Example,Eve,,7 Elm St,Oakland,CA,94607,United States,5105550107,"D,M"', // line 8
].join('\r\n');

test('the CLI reports bad rows by line, applies the flow\'s policy and mapping, shows progress, and a rerun sends nothing', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    const csvFile = join(dir, 'contacts export.csv');
    writeFileSync(csvFile, EXPORT);
    const r = await engine(['backfill', flowFile, csvFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`${csvFile}:3: skipped: no email`), r.stderr);
    assert.ok(r.stderr.includes(`${csvFile}:5: skipped: invalid email`), r.stderr);
    assert.ok(r.stderr.includes(`${csvFile}:6: skipped: wrong column count: 5 values for 11 columns`), r.stderr);
    assert.match(r.stderr, /backfill backfill-demo: 4\/4 rows/);
    assert.match(r.stdout, /^4 rows, 3 bad rows skipped\n {2}created: 4\n {2}took \d+\.\d s: \d+\.\d s waiting for the destination \(its rate limit and its answers\), \d+\.\d s the engine's own work\n$/);
    assert.ok(!/ann|bob|dee|eve/i.test(r.stdout + r.stderr), 'no email or name in the output');
    assert.ok(existsSync(`${csvFile}.backfill.sqlite`), 'progress is kept beside the export by default');

    const account = fake.account(TOKEN);
    const groupsOf = (email: string) => ((account.subscriber(email)?.groups ?? []) as Array<{ name: string }>).map((g) => g.name);
    assert.deepEqual(groupsOf('ann.example@example.org'), ['Newsletter'], 'D,M: joined the list');
    assert.deepEqual(groupsOf('bob.example@example.org'), ['Donors']);
    assert.deepEqual(groupsOf('eve.example@example.org'), ['Newsletter']);
    const dee = account.subscriber('dee.example@example.org')!;
    assert.equal(dee.status, 'unconfirmed', 'new_status of the flow');
    assert.deepEqual(
      { name: (dee.fields as Record<string, unknown>).name, city: (dee.fields as Record<string, unknown>).city, street: (dee.fields as Record<string, unknown>).street_address },
      { name: 'Dee', city: 'Alameda', street: '6 Elm St' },
    );
    assert.equal(account.subscribers().length, 4);

    const before = fake.requests(TOKEN).length;
    const again = await engine(['backfill', flowFile, csvFile]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /4 already done by an earlier run/);
    const newWrites = fake.requests(TOKEN).slice(before).filter((q) => q.method !== 'GET');
    assert.deepEqual(newWrites, [], 'a rerun of a finished backfill writes nothing');
  });
});

test('--dry-run decides every row against the live account and sends no write', async () => {
  await withEnv(async ({ fake, dir, flowFile }) => {
    fake.seed(TOKEN, { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address', key: 'street_address' }], subscribers: [{ email: 'bob.example@example.org', status: 'active' }] });
    const csvFile = join(dir, 'export.csv');
    writeFileSync(csvFile, EXPORT);
    const r = await engine(['backfill', flowFile, csvFile, '--dry-run']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\ndry run \(nothing sent\): 4 rows, 3 bad rows skipped\n {2}would be created: 3\n {2}would be updated: 1\n {2}took [^\n]+\n$/);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('line ')), [
      'line 2: would create a***@example.org (city, last_name, name, street_address)',
      'line 4: would update b***@example.org (city, last_name, name, street_address)',
      'line 7: would create d***@example.org (city, last_name, name, street_address)',
      'line 8: would create e***@example.org (city, last_name, name, street_address)',
    ], 'one line per usable row, in file order: decision, masked email, the fields the mapping fills');
    const items = fake.requests(TOKEN).flatMap((q) => q.items ?? [q]);
    assert.ok(items.some((i) => i.method === 'GET' && i.path.includes('subscribers')), 'look-ups went to the account');
    assert.deepEqual(items.filter((i) => i.method !== 'GET'), [], 'no writes');
    assert.equal(fake.account(TOKEN).subscribers().length, 1);
    assert.equal(existsSync(`${csvFile}.backfill.sqlite`), false, 'a dry run keeps no progress file');
    assert.ok(readFileSync(csvFile).length > 0);
  });
});
