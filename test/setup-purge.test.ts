/**
 * `engine purge-test-contacts`: a flow processes test records into the fake over loopback HTTP
 * (the real worker writing the real store), then the CLI lists and deletes only what that flow
 * created — never a subscriber that existed before, even one the flow updated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { silentLogger } from '../engine/log/logger.ts';
import { toNewRecords } from '../engine/runtime/intake.ts';
import { loadFlow } from '../engine/runtime/load-flow.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import { AccountWorker } from '../engine/worker/account-worker.ts';
import '../adapters/index.ts';
import { runEngine, type EngineRun } from './support/cli.ts';

const TOKEN = 'ml-purge-token-1';
const ENV = { PURGE_TEST_SECRET: 'whsec_loopback_only', PURGE_TEST_KEY: TOKEN };

function flowYaml(baseUrl: string): string {
  return `flow: purge-demo
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:PURGE_TEST_SECRET}
    since: 2026-01-01T00:00:00Z
policy:
  mode: all_contacts
  new_status: active
  groups:
    new: [Donors]
    unconfirmed: [Donors]
destination:
  mailerlite:
    api_key: \${env:PURGE_TEST_KEY}
    base_url: ${baseUrl}
settle_seconds: 0
`;
}

function contact(id: number, email: string): Record<string, unknown> {
  return { webhook_record_id: String(id), webhook_trigger_type: 'new_contact', user_id: '638', first_name: 'Test', email, created_on: '2026-11-08 15:40:11' };
}

const engine = (args: string[]): Promise<EngineRun> => runEngine(args, { add: ENV });

test('purge lists only what the flow created, masked, deletes only with --yes, narrows by --match, and leaves pre-existing subscribers alone', async () => {
  const fake = await startFakeMailerLite({
    accounts: {
      [TOKEN]: {
        groups: ['Donors'],
        subscribers: [
          { email: 'existing.donor@example.org', status: 'active', groups: ['Donors'] },
          { email: 'unrelated.reader@example.org', status: 'active' },
        ],
      },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'engine-purge-'));
  const file = join(dir, 'flow.yaml');
  const db = join(dir, 'engine.sqlite');
  writeFileSync(file, flowYaml(fake.url));
  try {
    const loaded = loadFlow(file, { env: ENV });
    assert.ok(loaded.ok);
    const flow = loaded.flow;
    const store = openSqliteStore({ file: db });
    const before = Date.now();
    const raws = [
      contact(1, 'first.tester+test@example.org'),
      contact(2, 'second.tester+test@example.org'),
      contact(3, 'staff.member@example.org'),
      contact(4, 'existing.donor@example.org'), // exists already: updated, never created
    ];
    await store.ingest([toNewRecords(flow, raws.map((raw) => ({ trigger: 'new_contact', recordId: String(raw.webhook_record_id), dedupeKey: `new_contact:${String(raw.webhook_record_id)}`, raw })), 0)], Date.now());
    await new AccountWorker(flow.accountKey, [flow], store, silentLogger).drain();
    assert.deepEqual((await store.records({ flow: flow.id })).map((r) => r.outcome), ['created', 'created', 'created', 'updated']);
    await store.close();
    assert.equal(fake.account(TOKEN).subscribers().length, 5);

    const list = await engine(['purge-test-contacts', file, '--since', new Date(before - 1000).toISOString(), '--db', db]);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 3, list.stdout);
    assert.deepEqual(rows.map((r) => r.split('\t')[0]).sort(), ['f***@example.org', 's***@example.org', 's***@example.org']);
    for (const r of rows) assert.match(r.split('\t')[1]!, /^\d{10,}$/, 'subscriber ids are listed');
    assert.ok(!/tester|staff|existing/.test(list.stdout + list.stderr), 'emails are never printed in clear');
    assert.equal(fake.requests(TOKEN).filter((r) => r.method === 'DELETE').length, 0, 'nothing deleted without --yes');

    const outside = await engine(['purge-test-contacts', file, '--since', '2020-01-01', '--until', new Date(before - 1000).toISOString(), '--db', db]);
    assert.equal(outside.stdout, '', 'a window before the test run holds nothing');

    const listed = await engine(['purge-test-contacts', file, '--since', '1h', '--match', '*+test@example.org', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trimEnd().split('\n').map((r) => r.split('\t')[3]).sort(), ['f***+test@example.org', 's***+test@example.org'], 'the part the glob spelled is shown');
    assert.match(listed.stderr, /2 subscribers created by this flow in the window match \*\+test@example\.org; 1 created in the window did not match/);
    const asJson = await engine(['purge-test-contacts', file, '--since', '1h', '--match', '*+test@example.org', '--db', db, '--format', 'json']);
    const report = JSON.parse(asJson.stdout) as { candidates: { email: string; matched: string; subscriber_id: string }[]; unmatched: number; deleted: null };
    assert.equal(report.unmatched, 1);
    assert.equal(report.deleted, null);
    assert.deepEqual(report.candidates.map((c) => c.matched).sort(), ['f***+test@example.org', 's***+test@example.org']);
    assert.ok(!/tester|staff/.test(asJson.stdout), 'json output is masked too');

    const narrowed = await engine(['purge-test-contacts', file, '--since', '1h', '--match', '*+test@example.org', '--yes', '--db', db]);
    assert.equal(narrowed.code, 0, narrowed.stderr);
    assert.match(narrowed.stderr, /deleted 2, failed 0/);
    const left = () => fake.account(TOKEN).subscribers().map((s) => String(s.email)).sort();
    assert.deepEqual(left(), ['existing.donor@example.org', 'staff.member@example.org', 'unrelated.reader@example.org']);

    const regex = await engine(['purge-test-contacts', file, '--since', '1h', '--match', '/^staff\\./', '--db', db]);
    assert.equal(regex.stdout.trimEnd().split('\n').length, 1, 'purged effect rows are gone; the regex picks the one left');
    assert.equal(regex.stdout.split('\t')[3], 'staff.***@example.org\n', 'a regex match it spells itself is shown');
    const loose = await engine(['purge-test-contacts', file, '--since', '1h', '--match', '/^s.+r@/', '--db', db]);
    assert.equal(loose.stdout.split('\t')[3], 's***@example.org\n', 'a match the regex does not spell stays masked');

    const all = await engine(['purge-test-contacts', file, '--since', '1h', '--yes', '--db', db]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /deleted 1, failed 0/);
    assert.deepEqual(left(), ['existing.donor@example.org', 'unrelated.reader@example.org'], 'pre-existing subscribers stay, updated or not');
    const deletes = fake.requests(TOKEN).filter((r) => r.method === 'DELETE');
    assert.equal(deletes.length, 3);

    const again = await engine(['purge-test-contacts', file, '--since', '1h', '--yes', '--db', db]);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /0 subscribers created by this flow/);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
