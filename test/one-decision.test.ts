/**
 * DESIGN §5, one transaction, one decision: a donation with the newsletter box ticked arrives as
 * a Donation activity, a Mailing List activity and a transaction, in any order, as separate
 * deliveries. In every mode and every order it must give exactly one create, in the list's
 * group, and never a stray not_on_list membership.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, SECRET, startHarness, TOKEN } from './support/harness.ts';
import '../adapters/index.ts';

type Raw = Record<string, unknown>;

const ORDERS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

// Two customers may not share a signing secret, so each flow reads its own variable.
const ownSecret = (yaml: string, n: number): string => yaml.replace('${env:TEST_FLIPCAUSE_SECRET}', `\${env:TEST_FLIPCAUSE_SECRET_${n}}`);

const FLOWS = {
  'by-list': { yaml: ownSecret(flowYaml('by-list', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }), 1), groups: ['Newsletter'] },
  'list-only': { yaml: ownSecret(flowYaml('list-only', 'mailing_list', { new: ['Newsletter'], existing: ['Members'] }), 2), groups: ['Newsletter'] },
  everyone: { yaml: ownSecret(flowYaml('everyone', 'all_contacts', { new: ['Newsletter'], unconfirmed: ['Members'] }), 3), groups: ['Newsletter'] },
};
const env = { TEST_FLIPCAUSE_SECRET_1: SECRET, TEST_FLIPCAUSE_SECRET_2: SECRET, TEST_FLIPCAUSE_SECRET_3: SECRET, TEST_MAILERLITE_KEY: TOKEN };

/** The fixture's three records, made a distinct transaction by a distinct donor. */
function donation(n: number, email: string): Raw[] {
  const txn = `T${7000000 + n}`;
  return fixtureRecords('donation-with-opt-in').map((r) => {
    const out: Raw = { ...r };
    if ('webhook_record_id' in r) out.webhook_record_id = String(Number(r.webhook_record_id) * 100 + n);
    if ('id' in r) out.id = String(Number(r.id) * 100 + n);
    if ('AD_transaction_id' in r) out.AD_transaction_id = txn;
    out.transaction_id = 'AD_transaction_id' in r ? String(7000000 + n) : txn;
    if ('PD_email' in r) out.PD_email = email;
    if ('email' in r) out.email = email;
    return out;
  });
}

test('a three-record donation with opt-in, in every order and every mode, is one create in the list group', async () => {
  const h = await startHarness({
    flows: Object.fromEntries(Object.entries(FLOWS).map(([id, f]) => [id, f.yaml.replace('settle_seconds: 0', 'settle_seconds: 1')])),
    account: { groups: ['Newsletter', 'Donors', 'Members'] },
    server: { env },
  });
  try {
    const expected = new Map<string, string[]>();
    let n = 0;
    for (const [flow, f] of Object.entries(FLOWS)) {
      for (const order of ORDERS) {
        const email = `donor${++n}@example.org`;
        expected.set(email, f.groups);
        const records = donation(n, email);
        for (const i of order) {
          const res = await h.send(flow, [records[i]]);
          assert.equal(res.status, 200);
        }
      }
    }
    await h.settled(20_000);
    const subscribers = h.fake.account(TOKEN).subscribers() as { email: string; status: string; groups: { name: string }[] }[];
    assert.equal(subscribers.length, expected.size);
    for (const s of subscribers) {
      assert.deepEqual(s.groups.map((g) => g.name), expected.get(s.email), s.email);
      assert.equal(s.status, 'unconfirmed', s.email);
    }
    const upserts = h.fake
      .requests(TOKEN)
      .flatMap((r) => r.items ?? [])
      .filter((i) => i.method === 'POST' && i.path.replace(/^\//, '') === 'api/subscribers')
      .map((i) => (i.body as { email: string }).email);
    assert.equal(upserts.length, expected.size, 'exactly one write per donor');
    assert.equal(new Set(upserts).size, expected.size);
    const created = (await h.server.store.records({ limit: 1000 })).filter((r) => r.outcome === 'created');
    assert.equal(created.length, expected.size, 'one created outcome per transaction; the other records are coalesced into it');
  } finally {
    await h.close();
  }
});

test('membership is sticky: a later donation without opt-in keeps a list member in the list group', async () => {
  const h = await startHarness({ flows: { 'by-list': FLOWS['by-list'].yaml }, account: { groups: ['Newsletter', 'Donors'] }, server: { env } });
  try {
    const email = 'loyal@example.org';
    await h.send('by-list', donation(1, email));
    await h.settled();
    const later = fixtureRecords('donation-without-opt-in').map((r) => ({ ...r, ...('PD_email' in r ? { PD_email: email } : { email }) }));
    assert.equal((await h.send('by-list', later)).status, 200);
    await h.settled();
    const s = h.fake.account(TOKEN).subscriber(email) as { groups: { name: string }[] };
    assert.deepEqual(s.groups.map((g) => g.name), ['Newsletter'], 'no stray Donors membership for someone on the list');
  } finally {
    await h.close();
  }
});
