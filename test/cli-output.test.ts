/**
 * The command line's shared conventions for tools and operators, run as child processes from the
 * build in dist/: `--format json` on status, check, setup, purge-test-contacts and explain;
 * `status` exits 1 when it lists problems; check/setup/run/backfill ask only for the secrets they use and
 * name every unset one at once; explain needs no secret and says what is not sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { runEngine, type EngineRun } from './support/cli.ts';

/** The engine with exactly these variables (PATH aside): nothing leaks in from the caller's shell. */
const engine = (args: string[], env: Record<string, string> = {}): Promise<EngineRun> => runEngine(args, { only: env });

const TOKEN = 'ml-output-token-1';

function flowYaml(baseUrl: string): string {
  return `flow: output-demo
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:OUTPUT_FC_SECRET}
    url_token: \${env:OUTPUT_FC_TOKEN}
    since: 2026-01-01T00:00:00Z
mapping: |
  { "email": contact.email, "fields": { "name": contact.first_name, "street_address": contact.address.line1 } }
policy:
  mode: all_contacts
  new_status: active
  groups:
    new: [Donors]
    unconfirmed: [Donors]
destination:
  mailerlite:
    api_key: \${env:OUTPUT_ML_KEY}
    base_url: ${baseUrl}
`;
}

async function withFlow(body: (file: string) => Promise<void>): Promise<void> {
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: [] } } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-output-'));
  const file = join(dir, 'flow.yaml');
  writeFileSync(file, flowYaml(fake.url));
  try {
    await body(file);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('check and setup need only the MailerLite key: the Flipcause secrets may be unset', () =>
  withFlow(async (file) => {
    const r = await engine(['check', file, '--format', 'json'], { OUTPUT_ML_KEY: TOKEN });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { flow: string; ok: boolean; findings: { kind: string; message: string; name?: string; group?: string }[]; mapped_fields: string[] };
    assert.equal(report.flow, 'output-demo');
    assert.equal(report.ok, false);
    assert.deepEqual(report.findings.map((f) => `${f.kind} ${f.name ?? f.group}`).sort(), ['missing_field street_address', 'missing_group Donors']);
    assert.ok(report.findings.every((f) => f.message.includes('fix:')), 'each finding carries its fix');
    assert.deepEqual(report.mapped_fields.sort(), ['name', 'street_address']);
    assert.equal(r.stderr, '', 'json mode writes the report only');

    const plan = await engine(['setup', file, '--format', 'json'], { OUTPUT_ML_KEY: TOKEN });
    assert.equal(plan.code, 1, 'the missing group is left without --create-groups');
    const setup = JSON.parse(plan.stdout) as { plan: { kind: string; name: string }[]; left: { kind: string }[]; applied: null };
    assert.deepEqual(setup.plan.map((a) => `${a.kind} ${a.name}`), ['create_field Street address']);
    assert.deepEqual(setup.left.map((f) => f.kind), ['missing_group']);
    assert.equal(setup.applied, null);

    const applied = await engine(['setup', file, '--format', 'json', '--yes', '--create-groups'], { OUTPUT_ML_KEY: TOKEN });
    assert.equal(applied.code, 0, applied.stdout);
    const done = JSON.parse(applied.stdout) as { applied: { kind: string; ok: boolean }[] };
    assert.deepEqual(done.applied.map((a) => `${a.kind} ${a.ok}`).sort(), ['create_field true', 'create_group true']);
  }));

test('check names the unset variable it needs, and only that one', () =>
  withFlow(async (file) => {
    const r = await engine(['check', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /destination\.mailerlite\.api_key: environment variable OUTPUT_ML_KEY \(from \$\{env:OUTPUT_ML_KEY\}\) is not set or empty/);
    assert.doesNotMatch(r.stderr, /OUTPUT_FC_/, 'the Flipcause secrets are not asked for');
    assert.equal(r.stdout, '');
  }));

test('run and backfill need only the MailerLite key, and name every unset variable at once', async () => {
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Donors'], fields: [{ name: 'Street address', key: 'street_address' }] } } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-output-'));
  const file = join(dir, 'flow.yaml');
  writeFileSync(file, flowYaml(fake.url));
  const csv = join(dir, 'contacts.csv');
  writeFileSync(csv, 'First Name,Last Name,Email\nMaria,Okafor,maria.okafor@example.org\n');
  const delivery = 'adapters/flipcause/fixtures/new-contact.json';
  try {
    for (const args of [['run', file, delivery], ['backfill', file, csv]]) {
      const unset = await engine(args);
      assert.equal(unset.code, 1, args[0]);
      assert.match(unset.stderr, /destination\.mailerlite\.api_key: environment variable OUTPUT_ML_KEY \(from \$\{env:OUTPUT_ML_KEY\}\) is not set or empty/, args[0]);
      assert.doesNotMatch(unset.stderr, /OUTPUT_FC_/, `${args[0]}: the Flipcause secrets are not asked for`);
      assert.equal(unset.stdout, '', args[0]);
    }

    // A key read from a file that is not there is named the same way, each problem line on its own.
    const twice = join(dir, 'twice.yaml');
    writeFileSync(twice, flowYaml(fake.url).replace('api_key: ${env:OUTPUT_ML_KEY}', 'api_key: ${file:missing-key.txt}'));
    const fileRef = await engine(['run', twice, delivery]);
    assert.equal(fileRef.code, 1);
    assert.match(fileRef.stderr, /^engine run: .*destination\.mailerlite\.api_key: .*missing-key\.txt/m);

    const run = await engine(['run', file, delivery], { OUTPUT_ML_KEY: TOKEN });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^\S+: created$/m);
    assert.equal(fake.account(TOKEN).subscribers().length, 1, 'the delivery reached MailerLite without the Flipcause secrets');

    const backfill = await engine(['backfill', file, csv, '--db', join(dir, 'backfill.sqlite')], { OUTPUT_ML_KEY: TOKEN });
    assert.equal(backfill.code, 0, backfill.stderr);
    assert.match(backfill.stdout, /created: 1/);
    assert.deepEqual(fake.account(TOKEN).subscribers().map((s) => s.email).sort(), ['chris.specimen@example.org', 'maria.okafor@example.org']);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explain needs no secret, lists what is not sent and which fields are, and speaks json', async () => {
  const text = await engine(['explain', 'hope-shelter']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Not sent to MailerLite:$/m);
  assert.match(text.stdout, /contacts without an email address/);
  assert.match(text.stdout, /records dated before 2026-11-01T00:00:00\.000Z \(source\.since\)/);
  assert.match(text.stdout, /records for which the filter is false: \$not\("RD" in event\.activity_codes\)/);
  assert.match(text.stdout, /^Sent to MailerLite for each contact: email, .*\bcity\b/m);

  const json = await engine(['explain', 'riverside-food-bank', '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { mode: string; table: { what_happens: string }[]; skipped: { reason: string }[]; fields: string[] };
  assert.equal(report.mode, 'mailing_list');
  assert.equal(report.table.length, 3);
  assert.ok(report.table.some((r) => r.what_happens === 'not added to MailerLite'));
  assert.deepEqual(report.skipped.map((s) => s.reason), ['trigger_not_enabled', 'no_contact', 'no_email', 'invalid_email', 'before_since', 'filtered_by_when']);
  assert.ok(report.fields.length > 0);

  const markdown = await engine(['explain', 'eastside-youth-soccer', '--format', 'markdown']);
  assert.doesNotMatch(markdown.stdout, /filter is false/, 'a flow without `when` has no such line');
  assert.match(markdown.stdout, /^- contacts without an email address$/m);
});

test('an output format a command does not print is a usage error naming the ones it does', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['status', '--token', 't'], /--format must be text or json, not 'xml'/],
    [['check', 'hope-shelter'], /--format must be text or json, not 'xml'/],
    [['setup', 'hope-shelter'], /--format must be text or json, not 'xml'/],
    [['purge-test-contacts', 'hope-shelter', '--since', '1h'], /--format must be text or json, not 'xml'/],
    [['explain', 'hope-shelter'], /--format must be text, markdown or json, not 'xml'/],
  ];
  for (const [args, message] of cases) {
    const r = await engine([...args, '--format', 'xml']);
    assert.equal(r.code, 2, args[0]);
    assert.match(r.stderr, message, args[0]);
  }
});

/** A stand-in for a running server's admin API: `engine status` is a client of GET /admin/flows. */
async function adminApi(answer: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const ok = req.url === '/admin/flows' && req.headers.authorization === 'Bearer admin-t';
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? answer : {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('status exits 1 when it lists problems; --format json (and its alias --json) prints the answer', async () => {
  const flows = [{ flow: 'hope', pending: 0, done: 2, dead: 1, paused: null, not_ready: null }];
  const notConfigured = [{ flow: 'hope-shelter', file: 'flows/hope-shelter/flow.yaml', missing: ['${env:HOPE_SHELTER_MAILERLITE_KEY}'] }];
  const healthy = await adminApi({ flows, problems: [], not_configured: notConfigured });
  const broken = await adminApi({ flows, problems: [{ file: 'flows/acme/flow.yaml', problems: ['flows/acme/flow.yaml:3:1 error FLOW_ERR_SCHEMA …'] }] });
  try {
    const ok = await engine(['status', '--url', healthy.url, '--token', 'admin-t']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^hope-shelter: example, not configured \(set \$\{env:HOPE_SHELTER_MAILERLITE_KEY\}\)$/m, 'an unconfigured example is listed, not a problem');
    const bad = await engine(['status', '--url', broken.url, '--token', 'admin-t']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^hope\s+0\s+2\s+1\s+ok$/m);
    assert.match(bad.stdout, /problem in flows\/acme\/flow\.yaml:\n {2}flows\/acme\/flow\.yaml:3:1 error/);
    for (const flag of [['--format', 'json'], ['--json']]) {
      const json = await engine(['status', '--url', broken.url, '--token', 'admin-t', ...flag]);
      assert.equal(json.code, 1, flag.join(' '));
      assert.deepEqual((JSON.parse(json.stdout) as { problems: unknown[] }).problems.length, 1);
    }
    const healthyJson = await engine(['status', '--url', healthy.url, '--token', 'admin-t', '--format', 'json']);
    assert.equal(healthyJson.code, 0);
    assert.deepEqual(JSON.parse(healthyJson.stdout), { flows, problems: [], not_configured: notConfigured });
  } finally {
    healthy.server.close();
    broken.server.close();
  }
});
