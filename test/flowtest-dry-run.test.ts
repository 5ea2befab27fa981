import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeMailerLite, type FakeMailerLite } from '../adapters/mailerlite/index.ts';
import { command } from '../engine/cli/commands/run.ts';

const TOKEN = 'ml-dry-run-token';

async function setup(): Promise<{ fake: FakeMailerLite; dir: string; flowDir: string; delivery: string }> {
  const fake = await startFakeMailerLite({
    accounts: {
      [TOKEN]: {
        groups: ['Newsletter', 'Donors'],
        fields: [{ name: 'Street address' }],
        subscribers: [{ email: 'john.roe@example.org', status: 'active', groups: ['Newsletter'] }],
      },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'engine-run-'));
  const flowDir = join(dir, 'hope');
  mkdirSync(flowDir);
  const flow = readFileSync('flows/hope-shelter/flow.yaml', 'utf8').replace(
    'api_key: ${env:HOPE_SHELTER_MAILERLITE_KEY}',
    `api_key: \${env:HOPE_SHELTER_MAILERLITE_KEY}\n    base_url: ${fake.url}`,
  );
  writeFileSync(join(flowDir, 'flow.yaml'), flow);
  const records = [
    ...JSON.parse(readFileSync('adapters/flipcause/fixtures/donation-with-opt-in.json', 'utf8')),
    ...JSON.parse(readFileSync('adapters/flipcause/fixtures/donation-without-opt-in.json', 'utf8')),
  ];
  const delivery = join(dir, 'delivery.json');
  writeFileSync(delivery, JSON.stringify(records));
  process.env.HOPE_SHELTER_MAILERLITE_KEY = TOKEN;
  process.env.HOPE_SHELTER_FLIPCAUSE_SECRET = 'whsec_dry_run_test_secret';
  return { fake, dir, flowDir, delivery };
}

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await command.run(argv);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

const writesIn = (fake: FakeMailerLite) =>
  fake.requests(TOKEN).flatMap((r) => r.items ?? [r]).filter((r) => r.method !== 'GET' && !r.path.endsWith('api/batch'));

test('a dry run prints the planned writes and sends none to MailerLite', async () => {
  const { fake, dir, flowDir, delivery } = await setup();
  try {
    const { code, out } = await capture([flowDir, delivery, '--dry-run']);
    assert.equal(code, 0);
    assert.match(out, /new_transaction:90544 \+ new_activity:40212 \+ new_activity:40211: create/);
    assert.match(out, /would send POST api\/subscribers .*"status":"unconfirmed"/);
    assert.match(out, /new_transaction:90561 \+ new_activity:40230: update \(.*MailerLite: active\)/);
    assert.match(out, /dry run: 2 write\(s\) not sent/);
    // Personal data stays out of the output.
    assert.doesNotMatch(out, /jane\.doe@example\.org|john\.roe@example\.org/i);
    assert.ok(fake.requests(TOKEN).length > 0, 'the dry run did read the account');
    assert.deepEqual(writesIn(fake), []);
    assert.equal(fake.account(TOKEN).subscribers().length, 1);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same delivery without --dry-run writes to MailerLite', async () => {
  const { fake, dir, flowDir, delivery } = await setup();
  try {
    const { code, out } = await capture([flowDir, delivery]);
    assert.equal(code, 0);
    assert.match(out, /new_transaction:90544: created/);
    assert.match(out, /new_transaction:90561: updated/);
    assert.ok(writesIn(fake).length >= 2);
    const jane = fake.account(TOKEN).subscriber('jane.doe@example.org');
    assert.equal(jane?.status, 'unconfirmed');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
