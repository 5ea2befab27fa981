import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../adapters/flipcause/fixtures.ts';
import { flowYaml, startHarness, TOKEN } from './support/harness.ts';

test('a donation with opt-in, delivered as three records, gives one create in the list group', async () => {
  const h = await startHarness({
    flows: { hope: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }) },
  });
  try {
    const records = fixtureRecords('donation-with-opt-in');
    assert.equal(records.length, 3);
    const res = await h.send('hope', records);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { accepted: 3, duplicates: 0 });
    await h.settled();
    const subs = h.fake.account(TOKEN).subscribers() as { status: string; groups: { name: string }[] }[];
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.status, 'unconfirmed');
    assert.deepEqual(subs[0]!.groups.map((g) => g.name), ['Newsletter']);
    const creates = h.fake.requests(TOKEN).flatMap((r) => r.items ?? [r]).filter((r) => r.method === 'POST' && r.path.replace(/^\//, '') === 'api/subscribers');
    assert.equal(creates.length, 1);
    const outcomes = h.server.store.records({ flow: 'hope' }).map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, ['created', 'skipped', 'skipped']);
  } finally {
    await h.close();
  }
});
