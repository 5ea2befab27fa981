import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, startHarness, TOKEN } from './support/harness.ts';
import '../adapters/index.ts';

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
    const outcomes = (await h.server.store.records({ flow: 'hope' })).map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, ['created', 'skipped', 'skipped']);
  } finally {
    await h.close();
  }
});

test('unknown trigger types are kept and skipped with their own reason, reported once; MailerLite answers are counted', async () => {
  const h = await startHarness({
    flows: { hope: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }) },
  });
  try {
    const unknown = fixtureRecords('unknown-trigger');
    const again = unknown.map((r) => ({ ...r, webhook_record_id: '13' }));
    assert.equal((await h.send('hope', unknown)).status, 200);
    assert.equal((await h.send('hope', again)).status, 200);
    assert.equal((await h.send('hope', fixtureRecords('donation-without-opt-in'))).status, 200);
    await h.settled();
    const skipped = (await h.server.store.records({ flow: 'hope' })).filter((r) => r.trigger === 'new_pledge');
    assert.deepEqual(skipped.map((r) => [r.outcome, r.reason]), [['skipped', 'unknown_trigger'], ['skipped', 'unknown_trigger']]);
    assert.ok(skipped.every((r) => r.raw !== null), 'kept as received');
    const reports = h.logLines.filter((l) => l.includes('unknown trigger type new_pledge'));
    assert.equal(reports.length, 1, 'reported once, not once per record');
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    assert.match(metrics, /engine_mailerlite_responses_total\{account="[^"]+",status="(200|201|404)"\} [1-9]/);
  } finally {
    await h.close();
  }
});

test('a mapping that fails on a record dead-letters it; its error (which quotes the value) stays out of the logs', async () => {
  const mapping = 'mapping: |\n  { "email": contact.email, "fields": { "name": $number(contact.first_name) } }\n';
  const h = await startHarness({
    flows: { hope: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }, mapping) },
  });
  try {
    assert.equal((await h.send('hope', fixtureRecords('donation-without-opt-in'))).status, 200);
    await h.settled();
    const dead = await h.server.store.records({ flow: 'hope', status: 'dead' });
    assert.equal(dead.length, 2);
    assert.ok(dead.every((r) => r.errorCode === 'ENGINE_ERR_EXPRESSION'));
    assert.match(dead[0]!.reason ?? '', /D3030/, 'the store keeps the reason for the admin API');
    const log = h.logLines.join('');
    assert.match(log, /ENGINE_ERR_EXPRESSION/);
    assert.doesNotMatch(log, /John/, 'the first name quoted by JSONata is not logged');
    assert.equal(h.fake.account(TOKEN).subscribers().length, 0);
  } finally {
    await h.close();
  }
});
