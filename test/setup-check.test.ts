/**
 * `engine check` and `engine setup` as an integration engineer runs them: child processes
 * against the MailerLite fake over loopback HTTP, asserting on output, exit codes and on what
 * the fake's account holds and was asked afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite, type AccountSeed, type FakeMailerLite } from '../adapters/mailerlite/index.ts';

const TOKEN = 'ml-setup-token-1';

const MAPPING = `mapping: |
  {
    "email": contact.email,
    "fields": {
      "name": contact.first_name,
      "street_address": contact.address.line1,
      "city": contact.address.city,
      "last_gift": event.amount,
      "last_gift_date": event.date ? $substring(event.date, 0, 10) : null
    }
  }`;

function flowYaml(baseUrl: string, mapping = MAPPING): string {
  return `flow: setup-demo
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:SETUP_TEST_SECRET}
    since: 2026-01-01T00:00:00Z
${mapping}
policy:
  mode: all_contacts_by_list
  new_status: unconfirmed
  groups:
    mailing_list: [Newsletter]
    not_on_list: [Donors]
destination:
  mailerlite:
    api_key: \${env:SETUP_TEST_KEY}
    base_url: ${baseUrl}
`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function engine(args: string[], key = TOKEN): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['engine/cli/bin.js', ...args],
      { env: { ...process.env, SETUP_TEST_SECRET: 'whsec_loopback_only', SETUP_TEST_KEY: key } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function withAccount(seed: AccountSeed, body: (fake: FakeMailerLite, flowFile: string) => Promise<void>, mapping?: string): Promise<void> {
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: seed } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-setup-'));
  const file = join(dir, 'flow.yaml');
  writeFileSync(file, flowYaml(fake.url, mapping));
  try {
    await body(fake, file);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const writes = (fake: FakeMailerLite) => fake.requests(TOKEN).filter((r) => r.method !== 'GET');

test('check names a missing group and missing custom fields, with the setup command that fixes them', async () => {
  await withAccount({ groups: ['Newsletter'] }, async (fake, file) => {
    const r = await engine(['check', file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.ok(lines.some((l) => l.includes('group "Donors" (policy.groups.not_on_list) does not exist') && l.includes('engine setup setup-demo --create-groups --yes')), r.stdout);
    assert.ok(lines.some((l) => l.includes('run `engine setup setup-demo --yes` to create field street_address (text)')), r.stdout);
    assert.ok(lines.some((l) => l.includes('create field last_gift (number)')), r.stdout);
    assert.ok(lines.some((l) => l.includes('create field last_gift_date (date)')), r.stdout);
    // Default fields (name, city) and the existing group are not reported.
    assert.ok(!r.stdout.includes('Newsletter') && !r.stdout.includes('field city'), r.stdout);
    assert.deepEqual(writes(fake), [], 'check changes nothing');
  });
});

test('check refuses a wrong API key with a clear message', async () => {
  await withAccount({ groups: ['Newsletter', 'Donors'] }, async (_fake, file) => {
    const r = await engine(['check', file], 'not-a-key-the-fake-knows');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /MailerLite refused the API key \(ML_ERR_UNAUTHENTICATED: .*401.*\); fix: put a valid key for this account where \$\{env:SETUP_TEST_KEY\} points/);
    assert.ok(!r.stdout.includes('not-a-key-the-fake-knows'), 'the key itself is never printed');
  });
});

test('check reports a field whose type does not take what the mapping produces', async () => {
  const seed: AccountSeed = {
    groups: ['Newsletter', 'Donors'],
    fields: [
      { name: 'Street address', key: 'street_address', type: 'number' },
      { name: 'Last gift', key: 'last_gift', type: 'number' },
      { name: 'Last gift date', key: 'last_gift_date', type: 'date' },
    ],
  };
  await withAccount(seed, async (_fake, file) => {
    const r = await engine(['check', file]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trimEnd().split('\n').length, 1, r.stdout);
    assert.match(r.stdout, /field street_address \(key street_address\) is of type number but the mapping produces text values/);
  });
});

test('setup prints its plan and changes nothing without --yes; with --yes it creates the fields; a second run plans nothing', async () => {
  await withAccount({ groups: ['Newsletter'] }, async (fake, file) => {
    const dry = await engine(['setup', file]);
    assert.equal(dry.code, 1, 'the missing group is left without --create-groups');
    assert.match(dry.stdout, /plan: create field "Street address" \(text\) for the mapping's street_address/);
    assert.match(dry.stdout, /plan: create field "Last gift" \(number\)/);
    assert.match(dry.stdout, /nothing changed; run again with --yes/);
    assert.match(dry.stdout, /not fixed by setup: .*group "Donors"/);
    assert.deepEqual(writes(fake), []);

    const applied = await engine(['setup', file, '--yes']);
    assert.equal(applied.code, 1, applied.stdout);
    const fields = fake.account(TOKEN).fields().map((f) => `${String(f.key)}:${String(f.type)}`);
    assert.ok(fields.includes('street_address:text') && fields.includes('last_gift:number') && fields.includes('last_gift_date:date'), fields.join());
    assert.deepEqual(fake.account(TOKEN).groups().map((g) => g.name), ['Newsletter'], 'groups only with --create-groups');

    const withGroups = await engine(['setup', file, '--yes', '--create-groups']);
    assert.equal(withGroups.code, 0, withGroups.stdout);
    assert.match(withGroups.stdout, /done: create group "Donors"/);
    assert.ok(!withGroups.stdout.includes('create field'), 'fields already made are not planned again');
    assert.deepEqual(fake.account(TOKEN).groups().map((g) => g.name).sort(), ['Donors', 'Newsletter']);

    fake.clearRequests();
    const again = await engine(['setup', file, '--yes', '--create-groups']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /plan: nothing to create/);
    assert.deepEqual(writes(fake), [], 'the second run sends no writes');

    const check = await engine(['check', file]);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /ok \(API key works/);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const checkCases: Array<{ name: string; fields: string; expect: (file: string) => RegExp[]; setup?: RegExp }> = [
  {
    name: 'a misspelt field gets the nearest existing one, in check and in the setup plan',
    fields: '"cty": contact.address.city,\n      "city": contact.address.city',
    expect: () => [/^setup-demo: error: field cty is set by the mapping but does not exist in MailerLite \(did you mean city\?\); fix: change cty to city in the mapping, or, if cty is meant to be a new field, run `engine setup setup-demo --yes` to create it \(text\)$/],
    setup: /plan: create field "Cty" \(text\) for the mapping's cty \(did you mean the existing city\? then correct the mapping instead\)/,
  },
  {
    name: 'an expression failing on every sample is reported once, at file:line:col, without the value it failed on',
    fields: '"city": contact.address.city,\n      "name": $number(contact.first_name)',
    expect: (file) => [
      new RegExp(
        `^setup-demo: error: ${escape(file)}:12:15: the mapping fails on 18 of 18 sample events \\(D3030 Unable to cast value to a number: …; ` +
          'T0410 Argument 1 of function "number" does not match function signature\\); fix: correct the mapping there, then run `engine validate --strict` and `engine test`$',
      ),
    ],
  },
];

for (const c of checkCases) {
  test(`check: ${c.name}`, async () => {
    const mapping = `mapping: |\n  {\n    "email": contact.email,\n    "fields": {\n      ${c.fields}\n    }\n  }`;
    await withAccount(
      { groups: ['Newsletter', 'Donors'] },
      async (_fake, file) => {
        const r = await engine(['check', file]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const lines = r.stdout.trimEnd().split('\n');
        const expected = c.expect(file);
        assert.equal(lines.length, expected.length, r.stdout);
        expected.forEach((re, i) => assert.match(lines[i] ?? '', re));
        // The sample donors' names never appear (a value an expression failed on is donor data).
        assert.doesNotMatch(r.stdout, /\b(Jane|Ana|John|Kim|Lee|Pat|Robin|Sam)\b/);
        if (c.setup) assert.match((await engine(['setup', file])).stdout, c.setup);
      },
      mapping,
    );
  });
}
