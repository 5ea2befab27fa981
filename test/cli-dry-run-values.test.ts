/**
 * `engine run --dry-run` shows what the mapping produced, as a CLI child process against the
 * MailerLite fake: personal values by their shape unless --show-pii, groups by name.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { runEngine, type EngineRun } from './support/cli.ts';

const TOKEN = 'ml-dry-values-token';

const engine = (args: string[]): Promise<EngineRun> =>
  runEngine(args, { only: { HOPE_SHELTER_MAILERLITE_KEY: TOKEN, HOPE_SHELTER_FLIPCAUSE_SECRET: 'whsec_dry_values' } });

test('dry run: mapped values masked by shape, in clear only with --show-pii, groups by name', async () => {
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address' }] } } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-dry-values-'));
  try {
    mkdirSync(join(dir, 'hope'));
    writeFileSync(join(dir, 'hope', 'flow.yaml'), readFileSync('flows/hope-shelter/flow.yaml', 'utf8').replace(
      'api_key: ${env:HOPE_SHELTER_MAILERLITE_KEY}',
      `api_key: \${env:HOPE_SHELTER_MAILERLITE_KEY}\n    base_url: ${fake.url}`,
    ));
    const delivery = join(dir, 'delivery.json');
    writeFileSync(delivery, readFileSync('adapters/flipcause/fixtures/donation-with-opt-in.json'));
    const groupIds = (await (await fetch(`${fake.url}/api/groups`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { data: { id: string; name: string }[] };

    const masked = await engine(['run', join(dir, 'hope'), delivery, '--dry-run']);
    assert.equal(masked.code, 0, masked.stderr);
    const body = JSON.parse(/would send POST api\/subscribers (.*)$/m.exec(masked.stdout)![1]!) as { email: string; fields: Record<string, string>; groups: string[] };
    assert.equal(body.email, 'xxxx.xxx@example.org');
    assert.equal(body.fields.name, 'Xxxx', 'a title-cased first name');
    assert.equal(body.fields.phone, '+99999999999', 'the phone\'s shape');
    assert.equal(body.fields.street_address, '9999 Xxxxxx Xxx, Xxx 9', 'both address lines were joined');
    assert.deepEqual(body.groups, ['Newsletter'], 'groups by name');
    for (const g of groupIds.data) assert.ok(!masked.stdout.includes(g.id), `group id ${g.id} is not shown`);
    assert.doesNotMatch(masked.stdout, /jane|doe|Oakland|5105550123/i, 'nothing personal in clear');

    const clear = await engine(['run', join(dir, 'hope'), delivery, '--dry-run', '--show-pii']);
    assert.equal(clear.code, 0, clear.stderr);
    const shown = JSON.parse(/would send POST api\/subscribers (.*)$/m.exec(clear.stdout)![1]!) as { email: string; fields: Record<string, string> };
    assert.equal(shown.email, 'jane.doe@example.org');
    assert.equal(shown.fields.name, 'Jane');

    const misuse = await engine(['run', join(dir, 'hope'), delivery, '--show-pii']);
    assert.equal(misuse.code, 2);
    assert.match(misuse.stderr, /--show-pii goes with --dry-run/);
    // Reads may go in batches; what counts is that no item of any request writes.
    const writes = fake.requests(TOKEN).flatMap((r) => r.items ?? [r]).filter((r) => r.method !== 'GET' && !r.path.endsWith('api/batch'));
    assert.deepEqual(writes, [], 'nothing was written');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
