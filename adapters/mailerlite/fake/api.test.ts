// Conformance of the fake to the MailerLite API (spec: "The fake"), over real loopback HTTP.
// Asserts codes, headers and shapes; never message wording.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMailerLite, type FakeMailerLite } from './index.ts';

const TOKEN = 'tok-main';
let fake: FakeMailerLite;

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${fake.url}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as any, text };
}

before(async () => {
  fake = await startFakeMailerLite({
    accounts: {
      [TOKEN]: {
        groups: ['Newsletter', 'Donors'],
        fields: [{ name: 'Street address', type: 'text' }],
        subscribers: [
          { email: 'gone@example.org', status: 'unsubscribed', groups: ['Newsletter'] },
          { email: 'bounced@example.org', status: 'bounced' },
          { email: 'kept@example.org', fields: { name: 'Kept', city: 'Oakland' }, groups: ['Donors'] },
        ],
      },
      'tok-other': {},
    },
    options: { requestsPerMinute: 10_000 },
  });
});
after(() => fake.close());
beforeEach(() => fake.reset());

const groupId = (name: string) => String(fake.account(TOKEN).groups().find((g) => g.name === name)!.id);

describe('auth', () => {
  test('unknown or missing token: 401 without rate-limit headers', async () => {
    for (const token of ['nope', null]) {
      const r = await call('GET', 'api/groups', undefined, token);
      assert.equal(r.status, 401);
      assert.equal(typeof r.body.message, 'string');
      assert.equal(r.headers.get('x-ratelimit-limit'), null);
      assert.equal(r.headers.get('x-ratelimit-remaining'), null);
    }
  });

  test('one account per token: another token sees its own, empty account', async () => {
    const r = await call('GET', 'api/groups', undefined, 'tok-other');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data, []);
  });
});

describe('subscribers', () => {
  test('create answers 201, update of the same email 200; emails lower-cased; ids big strings', async () => {
    const created = await call('POST', 'api/subscribers', { email: 'New.Person@Example.ORG' });
    assert.equal(created.status, 201);
    assert.equal(created.body.data.email, 'new.person@example.org');
    assert.equal(typeof created.body.data.id, 'string');
    assert.ok(BigInt(created.body.data.id) > 2n ** 53n);
    // As a JS number the id is corrupted: clients must keep it a string.
    assert.notEqual(String(Number(created.body.data.id)), created.body.data.id);
    assert.match(created.text, /"id":"\d+"/);
    const again = await call('POST', 'api/subscribers', { email: 'new.person@example.org' });
    assert.equal(again.status, 200);
    assert.equal(again.body.data.id, created.body.data.id);
  });

  test('new subscribers without status are active; status as sent when creating; timestamps YYYY-MM-DD HH:mm:ss', async () => {
    const a = await call('POST', 'api/subscribers', { email: 'a@example.org' });
    assert.equal(a.body.data.status, 'active');
    assert.match(a.body.data.created_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const u = await call('POST', 'api/subscribers', { email: 'u@example.org', status: 'unconfirmed' });
    assert.equal(u.body.data.status, 'unconfirmed');
  });

  test('switch defaultStatus: new subscribers without status come out as configured', async () => {
    fake.setOptions({ defaultStatus: 'unconfirmed' });
    try {
      const a = await call('POST', 'api/subscribers', { email: 'a@example.org' });
      assert.equal(a.body.data.status, 'unconfirmed');
    } finally {
      fake.setOptions({ defaultStatus: 'active' });
    }
  });

  test('upsert merges fields (sent keys overwrite, others kept) and adds groups, never removes', async () => {
    const r = await call('POST', 'api/subscribers', {
      email: 'kept@example.org',
      fields: { city: 'Berkeley', phone: '555' },
      groups: [groupId('Newsletter')],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.fields.name, 'Kept');
    assert.equal(r.body.data.fields.city, 'Berkeley');
    assert.equal(r.body.data.fields.phone, '555');
    assert.deepEqual(r.body.data.groups.map((g: any) => g.name).sort(), ['Donors', 'Newsletter']);
  });

  test('unsubscribed subscriber: 422 with errors.email and the subscriber id; nothing changes', async () => {
    const before = fake.account(TOKEN).subscriber('gone@example.org')!;
    const r = await call('POST', 'api/subscribers', { email: 'gone@example.org', fields: { name: 'X' }, groups: [groupId('Donors')] });
    assert.equal(r.status, 422);
    assert.ok(Array.isArray(r.body.errors.email));
    assert.equal(r.body.subscriber, before.id);
    assert.deepEqual(fake.account(TOKEN).subscriber('gone@example.org'), before);
  });

  test('switch bouncedJunk: refused like unsubscribed, or importable', async () => {
    const refused = await call('POST', 'api/subscribers', { email: 'bounced@example.org' });
    assert.equal(refused.status, 422);
    assert.equal(typeof refused.body.subscriber, 'string');
    fake.setOptions({ bouncedJunk: 'importable' });
    try {
      const ok = await call('POST', 'api/subscribers', { email: 'bounced@example.org', fields: { name: 'B' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.data.status, 'bounced');
    } finally {
      fake.setOptions({ bouncedJunk: 'like-unsubscribed' });
    }
  });

  test('a person unsubscribing (setStatus) makes later upserts fail', async () => {
    fake.setStatus(TOKEN, 'KEPT@example.org', 'unsubscribed');
    const r = await call('POST', 'api/subscribers', { email: 'kept@example.org' });
    assert.equal(r.status, 422);
    assert.ok(r.body.errors.email);
  });

  test('unknown group id: 422 with errors["groups.N"], and the whole request fails', async () => {
    const r = await call('POST', 'api/subscribers', { email: 'new@example.org', groups: [groupId('Donors'), '123'] });
    assert.equal(r.status, 422);
    assert.ok(r.body.errors['groups.1']);
    assert.equal(r.body.errors['groups.0'], undefined);
    assert.equal(fake.account(TOKEN).subscriber('new@example.org'), undefined);
  });

  test('invalid email: 422 with errors.email and no subscriber', async () => {
    const r = await call('POST', 'api/subscribers', { email: 'not-an-email' });
    assert.equal(r.status, 422);
    assert.ok(r.body.errors.email);
    assert.equal(r.body.subscriber, undefined);
  });

  test('switch unknownFieldKeys: ignored, or 422 with errors["fields.KEY"]', async () => {
    const ignored = await call('POST', 'api/subscribers', { email: 'f@example.org', fields: { nope: 'x', name: 'F' } });
    assert.equal(ignored.status, 201);
    assert.equal(ignored.body.data.fields.nope, undefined);
    assert.equal(ignored.body.data.fields.name, 'F');
    fake.setOptions({ unknownFieldKeys: 'reject' });
    try {
      const rejected = await call('POST', 'api/subscribers', { email: 'g@example.org', fields: { nope: 'x' } });
      assert.equal(rejected.status, 422);
      assert.ok(rejected.body.errors['fields.nope']);
    } finally {
      fake.setOptions({ unknownFieldKeys: 'ignore' });
    }
  });

  test('GET by id or URL-encoded email renders every field (null when unset) and full group objects', async () => {
    const byEmail = await call('GET', `api/subscribers/${encodeURIComponent('Kept@Example.org')}`);
    assert.equal(byEmail.status, 200);
    const s = byEmail.body.data;
    assert.deepEqual(Object.keys(s.fields).sort(), ['city', 'company', 'country', 'last_name', 'name', 'phone', 'state', 'street_address', 'z_i_p']);
    assert.equal(s.fields.company, null);
    assert.equal(s.groups.length, 1);
    for (const k of ['id', 'name', 'active_count', 'unsubscribed_count', 'unconfirmed_count', 'bounced_count', 'junk_count', 'created_at']) {
      assert.ok(k in s.groups[0], k);
    }
    const byId = await call('GET', `api/subscribers/${s.id}`);
    assert.deepEqual(byId.body.data, s);
    const plus = await call('POST', 'api/subscribers', { email: 'a+b@example.org' });
    assert.equal((await call('GET', `api/subscribers/${encodeURIComponent('a+b@example.org')}`)).body.data.id, plus.body.data.id);
  });

  test('a fetched subscriber cannot be posted back unchanged (groups are objects, not ids)', async () => {
    const s = (await call('GET', `api/subscribers/${encodeURIComponent('kept@example.org')}`)).body.data;
    const r = await call('POST', 'api/subscribers', { email: s.email, fields: s.fields, groups: s.groups });
    assert.equal(r.status, 422);
    assert.ok(r.body.errors['groups.0']);
  });

  test('404 shapes: unknown subscriber, id, route', async () => {
    for (const path of ['api/subscribers/nobody%40example.org', 'api/subscribers/123', 'api/nothing-here']) {
      const r = await call('GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(typeof r.body.message, 'string');
    }
    assert.equal((await call('DELETE', 'api/subscribers/123')).status, 404);
  });

  test('PUT merges fields, replaces groups when sent, keeps them when not, and keeps status', async () => {
    const id = fake.account(TOKEN).subscriber('kept@example.org')!.id as string;
    const fieldsOnly = await call('PUT', `api/subscribers/${id}`, { fields: { phone: '1' } });
    assert.equal(fieldsOnly.status, 200);
    assert.equal(fieldsOnly.body.data.fields.name, 'Kept');
    assert.equal(fieldsOnly.body.data.fields.phone, '1');
    assert.deepEqual(fieldsOnly.body.data.groups.map((g: any) => g.name), ['Donors']);
    assert.equal(fieldsOnly.body.data.status, 'active');
    const replaced = await call('PUT', `api/subscribers/${id}`, { groups: [groupId('Newsletter')] });
    assert.deepEqual(replaced.body.data.groups.map((g: any) => g.name), ['Newsletter']);
  });

  test('PUT updates the fields of an unsubscribed subscriber but cannot reactivate it', async () => {
    const id = fake.account(TOKEN).subscriber('gone@example.org')!.id as string;
    const ok = await call('PUT', `api/subscribers/${id}`, { fields: { name: 'Gone' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.status, 'unsubscribed');
    const react = await call('PUT', `api/subscribers/${id}`, { status: 'active' });
    assert.equal(react.status, 422);
    assert.ok(react.body.errors.status);
  });

  test('DELETE 204 then 404; forget 200 with the subscriber, then gone', async () => {
    const a = fake.account(TOKEN).subscriber('kept@example.org')!.id as string;
    const del = await call('DELETE', `api/subscribers/${a}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await call('DELETE', `api/subscribers/${a}`)).status, 404);
    const b = (await call('POST', 'api/subscribers', { email: 'b@example.org' })).body.data.id;
    const forget = await call('POST', `api/subscribers/${b}/forget`);
    assert.equal(forget.status, 200);
    assert.equal(forget.body.data.id, b);
    assert.equal((await call('GET', `api/subscribers/${b}`)).status, 404);
  });

  test('list: cursor pagination with meta.next_cursor (null at the end), filter[status], limit=0 → total', async () => {
    for (let i = 0; i < 5; i++) await call('POST', 'api/subscribers', { email: `p${i}@example.org` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `api/subscribers?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await call('GET', q);
      assert.equal(r.status, 200);
      assert.ok(r.body.data.length <= 3);
      seen.push(...r.body.data.map((s: any) => s.email));
      cursor = r.body.meta.next_cursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 8);
    const unsub = await call('GET', 'api/subscribers?filter[status]=unsubscribed');
    assert.deepEqual(unsub.body.data.map((s: any) => s.email), ['gone@example.org']);
    assert.deepEqual((await call('GET', 'api/subscribers?limit=0')).body, { total: 8 });
  });

  test('assign to group: 200 with the group object, idempotent; unassign 204, then 404', async () => {
    const sid = fake.account(TOKEN).subscriber('kept@example.org')!.id as string;
    const gid = groupId('Newsletter');
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', `api/subscribers/${sid}/groups/${gid}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.data.id, gid);
      assert.equal(r.body.data.active_count, 1);
    }
    assert.equal((await call('DELETE', `api/subscribers/${sid}/groups/${gid}`)).status, 204);
    assert.equal((await call('DELETE', `api/subscribers/${sid}/groups/${gid}`)).status, 404);
    assert.equal((await call('POST', `api/subscribers/${sid}/groups/123`)).status, 404);
  });
});

describe('groups', () => {
  test('create 201 with a big string id; page pagination with Laravel meta; filter[name]', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', 'api/groups', { name: `Extra ${i}` });
      assert.equal(r.status, 201);
      assert.ok(BigInt(r.body.data.id) > 2n ** 53n);
    }
    const p1 = await call('GET', 'api/groups?limit=3&page=1');
    assert.equal(p1.body.meta.current_page, 1);
    assert.equal(p1.body.meta.last_page, 3);
    assert.equal(p1.body.meta.total, 7);
    assert.equal(p1.body.data.length, 3);
    assert.equal(typeof p1.body.links.next, 'string');
    const p3 = await call('GET', 'api/groups?limit=3&page=3');
    assert.equal(p3.body.data.length, 1);
    assert.equal(p3.body.links.next, null);
    const filtered = await call('GET', 'api/groups?filter[name]=news');
    assert.deepEqual(filtered.body.data.map((g: any) => g.name), ['Newsletter']);
  });

  test('missing name: 422 errors.name; delete 204 then 404, memberships gone', async () => {
    assert.ok((await call('POST', 'api/groups', {})).body.errors.name);
    const gid = groupId('Donors');
    assert.equal((await call('DELETE', `api/groups/${gid}`)).status, 204);
    assert.equal((await call('DELETE', `api/groups/${gid}`)).status, 404);
    assert.deepEqual(fake.account(TOKEN).subscriber('kept@example.org')!.groups, []);
  });

  test('group cap: creating past maxGroups is refused with 422', async () => {
    fake.setOptions({ maxGroups: 3 });
    try {
      assert.equal((await call('POST', 'api/groups', { name: 'Third' })).status, 201);
      assert.equal((await call('POST', 'api/groups', { name: 'Fourth' })).status, 422);
    } finally {
      fake.setOptions({ maxGroups: 250 });
    }
  });
});

describe('fields', () => {
  test('defaults: ids 1–8, type text, with their keys; email is not a field', async () => {
    const r = await call('GET', 'api/fields?limit=100');
    const defaults = r.body.data.filter((f: any) => f.is_default).sort((a: any, b: any) => Number(a.id) - Number(b.id));
    assert.deepEqual(defaults.map((f: any) => f.id), ['1', '2', '3', '4', '5', '6', '7', '8']);
    assert.deepEqual(defaults.map((f: any) => f.key), ['name', 'last_name', 'company', 'country', 'city', 'phone', 'state', 'z_i_p']);
    assert.ok(defaults.every((f: any) => f.type === 'text'));
    assert.ok(!r.body.data.some((f: any) => f.key === 'email'));
  });

  test('create 201 with a generated key (lower case, spaces to _); duplicate name 422 errors.name', async () => {
    const r = await call('POST', 'api/fields', { name: 'Donor Since', type: 'date' });
    assert.equal(r.status, 201);
    assert.equal(r.body.data.key, 'donor_since');
    assert.equal(r.body.data.type, 'date');
    const dup = await call('POST', 'api/fields', { name: 'donor since', type: 'text' });
    assert.equal(dup.status, 422);
    assert.ok(dup.body.errors.name);
    const bad = await call('POST', 'api/fields', { name: 'Other', type: 'boolean' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.type);
  });

  test('renaming a field keeps its key', async () => {
    const f = fake.account(TOKEN).fields().find((x) => x.key === 'street_address')!;
    const r = await call('PUT', `api/fields/${f.id}`, { name: 'Address line 1' });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.key, 'street_address');
    assert.equal(r.body.data.name, 'Address line 1');
  });

  test('page pagination of fields', async () => {
    const p = await call('GET', 'api/fields?limit=4&page=3');
    assert.equal(p.body.meta.total, 9);
    assert.equal(p.body.meta.last_page, 3);
    assert.equal(p.body.data.length, 1);
  });
});

describe('batch', () => {
  test('200 envelope with per-item codes in request order; failures only inside', async () => {
    const r = await call('POST', 'api/batch', {
      requests: [
        { method: 'POST', path: 'api/subscribers', body: { email: 'b1@example.org' } },
        { method: 'GET', path: 'api/subscribers/nobody%40example.org' },
        { method: 'POST', path: 'api/subscribers', body: { email: 'gone@example.org' } },
        { method: 'POST', path: 'api/subscribers', body: { email: 'kept@example.org' } },
        { method: 'GET', path: 'api/groups?limit=1' },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.responses.map((x: any) => x.code), [201, 404, 422, 200, 200]);
    assert.equal(r.body.total, 5);
    assert.equal(r.body.successful, 3);
    assert.equal(r.body.failed, 2);
    assert.equal(typeof r.body.responses[2].body.subscriber, 'string');
    assert.equal(r.body.responses[4].body.data.length, 1);
    const logged = fake.requests(TOKEN).at(-1)!;
    assert.deepEqual(logged.items!.map((i) => i.status), [201, 404, 422, 200, 200]);
  });

  test('over 50 requests or malformed: top-level 422', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ method: 'GET', path: `api/subscribers/${i}` }));
    const over = await call('POST', 'api/batch', { requests: many });
    assert.equal(over.status, 422);
    assert.ok(over.body.errors.requests);
    const bad = await call('POST', 'api/batch', { requests: [{ method: 'FETCH', path: 'api/groups' }] });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors['requests.0.method']);
    assert.equal((await call('POST', 'api/batch', {})).status, 422);
  });
});

describe('request log and helpers', () => {
  test('log holds method, path, body, status, token and headers, per token', async () => {
    await call('POST', 'api/subscribers', { email: 'log@example.org' });
    await call('GET', 'api/groups', undefined, 'tok-other');
    const mine = fake.requests(TOKEN);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.method, 'POST');
    assert.equal(mine[0]!.path, '/api/subscribers');
    assert.deepEqual(mine[0]!.body, { email: 'log@example.org' });
    assert.equal(mine[0]!.status, 201);
    assert.equal(mine[0]!.headers.accept, 'application/json');
    assert.ok(mine[0]!.respondedAt >= mine[0]!.at);
    assert.equal(fake.requests().length, 2);
  });

  test('seed replaces an account and makes a new token valid; reset restores the first seeds', async () => {
    fake.seed('tok-new', { groups: ['Only'], subscribers: [{ email: 'x@example.org', status: 'junk', groups: ['Only'] }] });
    const r = await call('GET', 'api/subscribers/x%40example.org', undefined, 'tok-new');
    assert.equal(r.body.data.status, 'junk');
    assert.equal(r.body.data.groups[0].junk_count, 1);
    await call('POST', 'api/subscribers', { email: 'temp@example.org' });
    fake.reset();
    assert.equal(fake.account(TOKEN).subscriber('temp@example.org'), undefined);
    assert.equal(fake.requests().length, 0);
  });

  test('/_fake/ helpers over HTTP: seed, status, requests', async () => {
    const put = await fetch(`${fake.url}/_fake/accounts/tok-http`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscribers: [{ email: 'h@example.org' }] }),
    });
    assert.equal(put.status, 204);
    const st = await fetch(`${fake.url}/_fake/accounts/tok-http/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'h@example.org', status: 'unsubscribed' }),
    });
    assert.equal(st.status, 204);
    const r = await call('POST', 'api/subscribers', { email: 'h@example.org' }, 'tok-http');
    assert.equal(r.status, 422);
    const log = (await (await fetch(`${fake.url}/_fake/requests?token=tok-http`)).json()) as any;
    assert.deepEqual(log.data.map((e: any) => e.status), [422]);
  });
});
