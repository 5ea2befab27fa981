// A client we did not write — MailerLite's official Node SDK — against the fake. The SDK takes
// its host from the `base_path` constructor option (default https://connect.mailerlite.com) and
// appends /api/... itself, so the fake's base URL goes there unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sdk from '@mailerlite/mailerlite-nodejs';
import { startFakeMailerLite, type FakeMailerLite } from './fake/index.ts';

// The package ships CommonJS with `exports.default`: depending on the loader's interop the
// default import is the class itself or the exports object holding it.
const MailerLite = ((sdk as unknown as { default?: unknown }).default ?? sdk) as typeof sdk.default;

const TOKEN = 'tok-sdk';
let fake: FakeMailerLite;
let ml: InstanceType<typeof MailerLite>;

before(async () => {
  fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter'] } } });
  ml = new MailerLite({ api_key: TOKEN, base_path: fake.url });
});
after(() => fake.close());

test('SDK: create, find, update a subscriber', async () => {
  const created = await ml.subscribers.createOrUpdate({ email: 'SDK@Example.org', fields: { name: 'Ada' } });
  assert.equal(created.status, 201);
  const id = created.data.data.id;
  assert.equal(typeof id, 'string');
  assert.equal(created.data.data.email, 'sdk@example.org');
  const again = await ml.subscribers.createOrUpdate({ email: 'sdk@example.org', fields: { last_name: 'L' } });
  assert.equal(again.status, 200);
  assert.equal(again.data.data.fields.name, 'Ada');

  const found = await ml.subscribers.find('sdk@example.org');
  assert.equal(found.data.data.id, id);
  const byId = await ml.subscribers.find(id);
  assert.equal(byId.data.data.email, 'sdk@example.org');

  const updated = await ml.subscribers.update(id, { fields: { city: 'Oakland' } });
  assert.equal(updated.status, 200);
  assert.equal(updated.data.data.fields.city, 'Oakland');
  assert.equal(updated.data.data.fields.name, 'Ada');

  await assert.rejects(ml.subscribers.find('nobody@example.org'), (err: any) => err.response?.status === 404);
  const count = await ml.subscribers.getCount();
  assert.equal((count.data as any).total, 1);
});

test('SDK: groups — create, list, assign (a body-less POST with a JSON content type)', async () => {
  const g = await ml.groups.create({ name: 'Donors' });
  assert.equal(g.status, 201);
  const list = await ml.groups.get({ limit: 10, page: 1, sort: '-name' });
  assert.deepEqual(list.data.data.map((x: { name: string }) => x.name), ['Newsletter', 'Donors']);
  assert.equal(list.data.meta.total, 2);
  const sub = await ml.subscribers.createOrUpdate({ email: 'member@example.org' });
  const assigned = await ml.groups.assignSubscriber(sub.data.data.id, g.data.data.id);
  assert.equal(assigned.status, 200);
  assert.equal(assigned.data.data.id, g.data.data.id);
  const after = await ml.subscribers.find(sub.data.data.id);
  assert.deepEqual(after.data.data.groups!.map((x: any) => x.name), ['Donors']);
  const del = await ml.groups.unAssignSubscriber(sub.data.data.id, g.data.data.id);
  assert.equal(del.status, 204);
});

test('SDK: fields — create and list', async () => {
  const f = await ml.fields.create({ name: 'Street address', type: 'text' });
  assert.equal(f.status, 201);
  assert.equal(f.data.data.key, 'street_address');
  const list = await ml.fields.get({ limit: 100, page: 1 } as any);
  assert.ok(list.data.data.some((x: { key: string }) => x.key === 'street_address'));
  assert.ok(list.data.data.some((x: { key: string }) => x.key === 'z_i_p'));
  await assert.rejects(ml.fields.create({ name: 'Street address', type: 'text' }), (err: any) => err.response?.status === 422);
  assert.ok(fake.requests(TOKEN).every((r) => r.token === TOKEN));
});
