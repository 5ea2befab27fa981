import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { command as run } from '../engine/cli/commands/run.ts';
import { secretContext } from '../engine/flow/secrets.ts';
import { loadFlowFile } from '../engine/flow/load-file.ts';
import { dryRun } from '../engine/runtime/dry-run.ts';
import { compileFlow } from '../engine/runtime/compile-flow.ts';
import { flowYaml, SECRET, startHarness, TOKEN } from './support/harness.ts';
import '../adapters/index.ts';

type Raw = Record<string, unknown>;

const MODES = {
  ml: flowYaml('ml', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }),
  ac: flowYaml('ac', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }),
  bl: flowYaml('bl', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }),
};

const CASES = ['one POST, later first', 'one POST, earlier first', 'two POSTs, later first', 'two POSTs, earlier first'] as const;

/** The published update_contact batch for one contact: the earlier edit says Nashville, the later (8 s on) Memphis. */
function batch(email: string, n: number): { earlier: Raw; later: Raw } {
  const [a, b] = fixtureRecords('update-contact-tags');
  const contact = { email, contact_id: `CID638-20${n}`, state: 'TN' };
  return {
    earlier: { ...a, ...contact, webhook_record_id: `${n}1`, city: 'Nashville', updated_on: '2026-11-08 09:15:00' },
    later: { ...b, ...contact, webhook_record_id: `${n}2`, city: 'Memphis', updated_on: '2026-11-08 09:15:08' },
  };
}

const emailOf = (flow: string, i: number): string => `donor.${flow}.${i}@example.org`;

test('a contact edited twice within the settle window lands in MailerLite as the later edit, in every mode and arrival order', async () => {
  // One flow per mode; each its own signing secret (the fleet refuses a shared one).
  const flows = Object.fromEntries(Object.entries(MODES).map(([id, yaml]) => [
    id, yaml.replace('settle_seconds: 0', 'settle_seconds: 1').replace('TEST_FLIPCAUSE_SECRET', `SECRET_${id.toUpperCase()}`),
  ]));
  const secret = (flow: string): string => `${SECRET}_${flow}`;
  const env = Object.fromEntries(Object.keys(MODES).map((id) => [`SECRET_${id.toUpperCase()}`, secret(id)]));
  // mailing_list mode only touches people already in MailerLite (an edit is not a sign-up).
  const existing = CASES.map((_, i) => ({ email: emailOf('ml', i), status: 'active' as const, fields: { city: 'Oakland' }, groups: [] }));
  const h = await startHarness({
    flows,
    account: { groups: ['Newsletter', 'Donors'], subscribers: existing },
    server: { env: { ...env, TEST_MAILERLITE_KEY: TOKEN } },
  });
  try {
    for (const flow of Object.keys(MODES)) {
      for (const [i, how] of CASES.entries()) {
        const { earlier, later } = batch(emailOf(flow, i), i);
        const ordered = how.includes('later first') ? [later, earlier] : [earlier, later];
        if (how.startsWith('one POST')) {
          assert.equal((await h.send(flow, ordered, { secret: secret(flow) })).status, 200);
        } else {
          for (const r of ordered) assert.equal((await h.send(flow, [r], { secret: secret(flow) })).status, 200);
        }
      }
    }
    await h.settled();
    const account = h.fake.account(TOKEN);
    for (const flow of Object.keys(MODES)) {
      for (const [i, how] of CASES.entries()) {
        const sub = account.subscriber(emailOf(flow, i)) as { fields: Record<string, unknown> } | undefined;
        assert.ok(sub, `${flow} · ${how}: subscriber exists`);
        assert.equal(sub.fields.city, 'Memphis', `${flow} · ${how}`);
        assert.equal(sub.fields.state, 'TN');
      }
      const outcomes = (await h.server.store.records({ flow })).map((r) => [r.dedupeKey.replace(/^\D+/, ''), r.outcome, r.reason ?? null]);
      for (const [i, how] of CASES.entries()) {
        const later = outcomes.find(([key]) => key === `${i}2`);
        const earlier = outcomes.find(([key]) => key === `${i}1`);
        assert.equal(later?.[1], flow === 'ml' ? 'updated' : 'created', `${flow} · ${how}: the later edit is the one decided`);
        assert.deepEqual(earlier?.slice(1), ['skipped', 'coalesced'], `${flow} · ${how}`);
      }
    }
  } finally {
    await h.close();
  }
});

/** hope-shelter's own flow against a fake account, for `engine run` and its dry run. */
async function hopeShelter(): Promise<{ file: string; dir: string; token: string; close(): Promise<void>; fake: Awaited<ReturnType<typeof startFakeMailerLite>> }> {
  const token = 'ml-newest-edit';
  const fake = await startFakeMailerLite({ accounts: { [token]: { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address' }] } } });
  const dir = mkdtempSync(join(tmpdir(), 'engine-newest-'));
  const file = join(dir, 'flow.yaml');
  writeFileSync(file, readFileSync('flows/hope-shelter/flow.yaml', 'utf8').replace(
    'api_key: ${env:HOPE_SHELTER_MAILERLITE_KEY}',
    `api_key: \${env:HOPE_SHELTER_MAILERLITE_KEY}\n    base_url: ${fake.url}`,
  ));
  process.env.HOPE_SHELTER_MAILERLITE_KEY = token;
  process.env.HOPE_SHELTER_FLIPCAUSE_SECRET = 'whsec_newest_edit_test';
  return { file, dir, token, fake, close: async () => { await fake.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('engine run and its dry run also take the later edit, in either order within one delivery', async () => {
  const env = await hopeShelter();
  const quiet = process.stdout.write.bind(process.stdout);
  try {
    const loaded = loadFlowFile(env.file);
    assert.ok(loaded.flow, JSON.stringify(loaded.diagnostics));
    const flow = compileFlow(loaded.flow, env.file, secretContext(env.file));
    for (const [i, order] of (['later first', 'earlier first'] as const).entries()) {
      const { earlier, later } = batch(emailOf('run', i), i);
      const records = order === 'later first' ? [later, earlier] : [earlier, later];
      const planned = await dryRun(flow, flow.source.parse(Buffer.from(JSON.stringify(records))));
      assert.equal(planned.length, 1, order);
      const body = planned[0]!.requests[0]?.body as { fields?: Record<string, unknown> } | undefined;
      assert.equal(body?.fields?.city, 'Memphis', `dry run, ${order}`);

      const delivery = join(env.dir, `delivery-${i}.json`);
      writeFileSync(delivery, JSON.stringify(records));
      process.stdout.write = (() => true) as typeof process.stdout.write;
      let code: number;
      try {
        code = await run.run([env.file, delivery]);
      } finally {
        process.stdout.write = quiet;
      }
      assert.equal(code, 0);
      const sub = env.fake.account(env.token).subscriber(emailOf('run', i)) as { fields: Record<string, unknown> } | undefined;
      assert.equal(sub?.fields.city, 'Memphis', `engine run, ${order}`);
    }
  } finally {
    process.stdout.write = quiet;
    await env.close();
  }
});
