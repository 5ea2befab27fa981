// The fake held to what MailerLite itself answers (its SDKs' recorded exchanges and its docs),
// over real loopback HTTP. Each test states one fact; the fixtures are the project's own.
// Asserts codes, keys and orders; never message wording.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMailerLite, type FakeMailerLite } from './index.ts';
import { pageWindow } from './render.ts';

const TOKEN = 'tok-conformance';
let fake: FakeMailerLite;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

const upsert = (body: Record<string, unknown>) => call('POST', 'api/subscribers', body);
const idOf = (email: string) => fake.account(TOKEN).subscriber(email)!.id;
const groupId = (name: string) => fake.account(TOKEN).groups().find((g) => g.name === name)!.id;
const names = (r: { body: any }) => r.body.data.map((x: any) => x.name);
const emails = (r: { body: any }) => r.body.data.map((x: any) => x.email);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

before(async () => {
  fake = await startFakeMailerLite({
    accounts: {
      [TOKEN]: {
        groups: ['Board', 'volunteers', '[archived] Gala 2025', 'alumni'],
        fields: [
          { name: 'Donor since', type: 'date' },
          { name: 'City', usedInAutomations: true },
        ],
        subscribers: [
          { email: 'opted.out@example.org', status: 'unsubscribed' },
          { email: 'bounced@example.org', status: 'bounced' },
          { email: 'junk@example.org', status: 'junk' },
          { email: 'pending@example.org', status: 'unconfirmed' },
          { email: 'member@example.org', groups: ['Board'] },
        ],
      },
    },
    options: { requestsPerMinute: 10_000 },
  });
});
after(() => fake.close());
beforeEach(() => fake.reset());

describe('re-adding a deleted subscriber', () => {
  test('answers 200 with the old id, created_at and subscribed_at, not 201 with a new id', async () => {
    const first = await upsert({ email: 'returning@example.org', fields: { name: 'Rae' } });
    assert.equal(first.status, 201);
    // Its created_at must lie in the past when it comes back, or the assertion could not fail.
    await sleep(1100);
    assert.equal((await call('DELETE', `api/subscribers/${first.body.data.id}`)).status, 204);
    assert.equal((await call('GET', `api/subscribers/${first.body.data.id}`)).status, 404);

    const again = await upsert({ email: 'Returning@Example.org', fields: { last_name: 'Ng' } });
    assert.equal(again.status, 200);
    assert.equal(again.body.data.id, first.body.data.id);
    assert.equal(again.body.data.created_at, first.body.data.created_at);
    assert.equal(again.body.data.subscribed_at, first.body.data.subscribed_at);
    assert.notEqual(again.body.data.updated_at, first.body.data.updated_at);
    assert.equal(again.body.data.status, 'active');
    assert.equal(again.body.data.fields.last_name, 'Ng');
    assert.equal((await call('GET', `api/subscribers/${first.body.data.id}`)).status, 200);
  });

  test('a deleted subscriber is out of lists and group counts until it is added again', async () => {
    const id = idOf('member@example.org');
    await call('DELETE', `api/subscribers/${id}`);
    assert.ok(!emails(await call('GET', 'api/subscribers?limit=100')).includes('member@example.org'));
    assert.equal(fake.account(TOKEN).groups().find((g) => g.name === 'Board')!.active_count, 0);
    const back = await upsert({ email: 'member@example.org' });
    assert.equal(back.status, 200);
    // Its groups were left when it was deleted; coming back does not rejoin them.
    assert.deepEqual(back.body.data.groups, []);
    assert.ok(emails(await call('GET', 'api/subscribers?limit=100')).includes('member@example.org'));
  });

  test('a forgotten subscriber is erased: adding the email again makes a new one (201)', async () => {
    const id = idOf('member@example.org');
    assert.equal((await call('POST', `api/subscribers/${id}/forget`)).status, 200);
    const again = await upsert({ email: 'member@example.org' });
    assert.equal(again.status, 201);
    assert.notEqual(again.body.data.id, id);
  });
});

describe('forget', () => {
  test('answers the subscriber with deleted_at and forget_at 30 days later', async () => {
    const id = idOf('member@example.org');
    const r = await call('POST', `api/subscribers/${id}/forget`);
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.message, 'string');
    const d = r.body.data;
    assert.equal(d.id, id);
    assert.equal(d.email, 'member@example.org');
    assert.match(d.deleted_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const days = (Date.parse(d.forget_at.replace(' ', 'T') + 'Z') - Date.parse(d.deleted_at.replace(' ', 'T') + 'Z')) / 86_400_000;
    assert.equal(days, 30);
    assert.ok('fields' in d && 'groups' in d);
    assert.equal((await call('GET', `api/subscribers/${id}`)).status, 404);
  });
});

describe('subscriber lists', () => {
  test('come newest first, for the account and for a group', async () => {
    for (const e of ['first@example.org', 'second@example.org', 'third@example.org']) {
      await upsert({ email: e, groups: [groupId('alumni')] });
    }
    const all = await call('GET', 'api/subscribers?limit=4');
    assert.deepEqual(emails(all), ['third@example.org', 'second@example.org', 'first@example.org', 'member@example.org']);
    const members = await call('GET', `api/groups/${groupId('alumni')}/subscribers`);
    assert.deepEqual(emails(members), ['third@example.org', 'second@example.org', 'first@example.org']);
  });

  test('items carry no groups unless include=groups; a single subscriber always does', async () => {
    const plain = await call('GET', 'api/subscribers?filter[status]=active');
    assert.deepEqual(emails(plain), ['member@example.org']);
    assert.equal('groups' in plain.body.data[0], false);
    assert.ok('fields' in plain.body.data[0]);
    const included = await call('GET', 'api/subscribers?filter[status]=active&include=groups');
    assert.deepEqual(included.body.data[0].groups.map((g: any) => g.name), ['Board']);
    const single = await call('GET', `api/subscribers/${idOf('member@example.org')}`);
    assert.deepEqual(single.body.data.groups.map((g: any) => g.name), ['Board']);
  });

  test('the cursor is Laravel\'s: base64url JSON naming the last id exactly, and pointing onwards', async () => {
    const r = await call('GET', 'api/subscribers?limit=2');
    const cursor = r.body.meta.next_cursor as string;
    assert.equal(r.body.meta.prev_cursor, null);
    assert.equal(r.body.links.next, `${fake.url}/api/subscribers?cursor=${cursor}`);
    assert.equal(r.body.links.first, null);
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    // The id is a bare JSON number above 2^53: only its digits, not a JS number, keep it intact.
    assert.equal(decoded, `{"id":${r.body.data[1].id},"_pointsToNextItems":true}`);
  });

  test('pages follow on by id: a subscriber deleted meanwhile shifts nothing', async () => {
    const p1 = await call('GET', 'api/subscribers?limit=2');
    assert.deepEqual(emails(p1), ['member@example.org', 'pending@example.org']);
    // The page's last item goes; the next page still starts right after it.
    await call('DELETE', `api/subscribers/${idOf('pending@example.org')}`);
    const p2 = await call('GET', `api/subscribers?limit=2&cursor=${p1.body.meta.next_cursor}`);
    assert.equal(p2.status, 200);
    assert.deepEqual(emails(p2), ['junk@example.org', 'bounced@example.org']);
    const back = await call('GET', `api/subscribers?limit=2&cursor=${p2.body.meta.prev_cursor}`);
    assert.deepEqual(emails(back), ['member@example.org']);
    assert.equal(back.body.meta.prev_cursor, null);
    const p3 = await call('GET', `api/subscribers?limit=2&cursor=${p2.body.meta.next_cursor}`);
    assert.deepEqual(emails(p3), ['opted.out@example.org']);
    assert.equal(p3.body.meta.next_cursor, null);
    assert.equal(p3.body.links.next, null);
  });

  test('a stale or unreadable cursor answers 200 with an empty page, never 422', async () => {
    const p1 = await call('GET', 'api/subscribers?limit=5');
    assert.equal(p1.body.meta.next_cursor, null);
    const lastId = p1.body.data.at(-1).id;
    const pastTheEnd = Buffer.from(`{"id":${lastId},"_pointsToNextItems":true}`).toString('base64url');
    for (const cursor of [pastTheEnd, '1', 'not-a-cursor', Buffer.from('{"o":3}').toString('base64url')]) {
      const r = await call('GET', `api/subscribers?limit=5&cursor=${cursor}`);
      assert.equal(r.status, 200, cursor);
      assert.deepEqual(r.body.data, [], cursor);
      assert.equal(r.body.meta.next_cursor, null, cursor);
      assert.equal(r.body.meta.prev_cursor, null, cursor);
    }
  });
});

describe('groups', () => {
  test('are listed by name when no sort is asked: case and punctuation do not count', async () => {
    const r = await call('GET', 'api/groups');
    assert.deepEqual(names(r), ['alumni', '[archived] Gala 2025', 'Board', 'volunteers']);
    assert.equal(r.body.meta.per_page, 250);
  });

  test('sort=-name reverses, sort=created_at gives creation order, sort=-total the largest first', async () => {
    assert.deepEqual(names(await call('GET', 'api/groups?sort=-name')), ['volunteers', 'Board', '[archived] Gala 2025', 'alumni']);
    assert.deepEqual(names(await call('GET', 'api/groups?sort=created_at')), ['Board', 'volunteers', '[archived] Gala 2025', 'alumni']);
    assert.equal(names(await call('GET', 'api/groups?sort=-total'))[0], 'Board');
  });
});

describe('fields', () => {
  test('are listed by name, each with used_in_automations; a page holds 100 unless asked', async () => {
    const r = await call('GET', 'api/fields');
    assert.deepEqual(names(r), ['City', 'Company', 'Country', 'Donor since', 'Last name', 'Name', 'Phone', 'State', 'Zip']);
    assert.equal(r.body.meta.per_page, 100);
    for (const f of r.body.data) assert.equal(typeof f.used_in_automations, 'boolean', f.name);
    assert.equal(r.body.data.find((f: any) => f.key === 'city').used_in_automations, true);
    assert.equal(r.body.data.find((f: any) => f.key === 'name').used_in_automations, false);
    assert.deepEqual(names(await call('GET', 'api/fields?sort=-name&limit=2')), ['Zip', 'State']);
  });

  test('creating or renaming a field answers without used_in_automations', async () => {
    const created = await call('POST', 'api/fields', { name: 'Pledge', type: 'number' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body.data).sort(), ['id', 'is_default', 'key', 'name', 'type']);
    const renamed = await call('PUT', `api/fields/${created.body.data.id}`, { name: 'Pledge amount' });
    assert.deepEqual(Object.keys(renamed.body.data).sort(), ['id', 'is_default', 'key', 'name', 'type']);
  });
});

describe('meta.links of page lists', () => {
  test('Previous and Next around the pages, with null urls at the ends and the current page active', async () => {
    const r = await call('GET', 'api/groups?limit=2&page=1');
    assert.deepEqual(r.body.meta.links, [
      { url: null, label: '&laquo; Previous', active: false },
      { url: `${fake.url}/api/groups?page=1`, label: '1', active: true },
      { url: `${fake.url}/api/groups?page=2`, label: '2', active: false },
      { url: `${fake.url}/api/groups?page=2`, label: 'Next &raquo;', active: false },
    ]);
    const last = await call('GET', 'api/groups?limit=2&page=2');
    assert.deepEqual(last.body.meta.links.map((l: any) => [l.url === null, l.active]), [
      [false, false],
      [false, false],
      [false, true],
      [true, false],
    ]);
    const empty = await call('GET', 'api/fields?filter[keyword]=nothing-like-this');
    assert.deepEqual(empty.body.meta.links.map((l: any) => l.label), ['&laquo; Previous', '1', 'Next &raquo;']);
    assert.equal(empty.body.meta.from, null);
  });

  test('many pages: the ends and the neighbourhood of the current one, gaps as "..."', async () => {
    fake.seed(TOKEN, { groups: Array.from({ length: 20 }, (_, i) => `g${String(i).padStart(2, '0')}`) });
    const labels = async (page: number) =>
      (await call('GET', `api/groups?limit=1&page=${page}`)).body.meta.links.map((l: any) => l.label).slice(1, -1);
    assert.deepEqual(await labels(1), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '...', '19', '20']);
    assert.deepEqual(await labels(10), ['1', '2', '...', '7', '8', '9', '10', '11', '12', '13', '...', '19', '20']);
    assert.deepEqual(await labels(20), ['1', '2', '...', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20']);
    const gap = (await call('GET', 'api/groups?limit=1&page=10')).body.meta.links[3];
    assert.deepEqual(gap, { url: null, label: '...', active: false });
  });

  test('pageWindow lists every page below 14', () => {
    assert.deepEqual(pageWindow(5, 13), Array.from({ length: 13 }, (_, i) => i + 1));
    assert.deepEqual(pageWindow(8, 14), [1, 2, '...', 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});

describe('PUT cannot reactivate', () => {
  test('an unsubscribed, bounced or junk subscriber: 422 errors.status for active or unconfirmed, nothing changes', async () => {
    for (const email of ['opted.out@example.org', 'bounced@example.org', 'junk@example.org']) {
      const before = fake.account(TOKEN).subscriber(email)!;
      for (const status of ['active', 'unconfirmed']) {
        const r = await call('PUT', `api/subscribers/${before.id}`, { status, fields: { name: 'X' } });
        assert.equal(r.status, 422, `${email} → ${status}`);
        assert.ok(r.body.errors.status, `${email} → ${status}`);
      }
      assert.deepEqual(fake.account(TOKEN).subscriber(email), before);
      const fieldsOnly = await call('PUT', `api/subscribers/${before.id}`, { fields: { name: 'Kept' } });
      assert.equal(fieldsOnly.status, 200);
      assert.equal(fieldsOnly.body.data.status, before.status);
    }
  });

  test('but an unconfirmed subscriber can be made active, and an active one unsubscribed', async () => {
    const pending = await call('PUT', `api/subscribers/${idOf('pending@example.org')}`, { status: 'active' });
    assert.equal(pending.body.data.status, 'active');
    const leaving = await call('PUT', `api/subscribers/${idOf('member@example.org')}`, { status: 'unsubscribed' });
    assert.equal(leaving.body.data.status, 'unsubscribed');
    assert.match(leaving.body.data.unsubscribed_at, /^\d{4}-/);
  });
});

describe('resubscribe', () => {
  test('true on an upsert makes an unsubscribed or bounced subscriber active again (200, same id)', async () => {
    for (const email of ['opted.out@example.org', 'bounced@example.org']) {
      const id = idOf(email);
      const r = await upsert({ email, resubscribe: true, status: 'unconfirmed', fields: { name: 'Back' } });
      assert.equal(r.status, 200, email);
      assert.equal(r.body.data.id, id);
      assert.equal(r.body.data.status, 'active', email);
      assert.equal(r.body.data.fields.name, 'Back');
    }
  });

  test('does not lift junk, and without it (or false) the unsubscribed rule holds', async () => {
    const junk = await upsert({ email: 'junk@example.org', resubscribe: true });
    assert.equal(junk.status, 422);
    assert.ok(junk.body.errors.email);
    for (const resubscribe of [false, 0, '0', undefined]) {
      const r = await upsert({ email: 'opted.out@example.org', resubscribe });
      assert.equal(r.status, 422, String(resubscribe));
    }
    assert.equal(fake.account(TOKEN).subscriber('opted.out@example.org')!.status, 'unsubscribed');
  });

  test('on a new email it changes nothing: the status sent (or the default) applies', async () => {
    const r = await upsert({ email: 'fresh@example.org', resubscribe: '1', status: 'unconfirmed' });
    assert.equal(r.status, 201);
    assert.equal(r.body.data.status, 'unconfirmed');
  });

  test('a value that is not a boolean is refused with errors.resubscribe', async () => {
    const r = await upsert({ email: 'opted.out@example.org', resubscribe: 'yes' });
    assert.equal(r.status, 422);
    assert.ok(r.body.errors.resubscribe);
    assert.equal(fake.account(TOKEN).subscriber('opted.out@example.org')!.status, 'unsubscribed');
  });
});

describe('switch refusalNamesSubscriber (unknown: does the refusal always name the subscriber?)', () => {
  test("'always' (default): the 422 carries `subscriber` with the id", async () => {
    const r = await upsert({ email: 'opted.out@example.org' });
    assert.equal(r.status, 422);
    assert.equal(r.body.subscriber, idOf('opted.out@example.org'));
  });

  test("'never': the same 422 on errors.email, without `subscriber`, also inside a batch", async () => {
    fake.setOptions({ refusalNamesSubscriber: 'never' });
    try {
      const r = await upsert({ email: 'opted.out@example.org' });
      assert.equal(r.status, 422);
      assert.ok(r.body.errors.email);
      assert.equal('subscriber' in r.body, false);
      const b = await call('POST', 'api/batch', { requests: [{ method: 'POST', path: 'api/subscribers', body: { email: 'bounced@example.org' } }] });
      assert.equal(b.body.responses[0].code, 422);
      assert.equal('subscriber' in b.body.responses[0].body, false);
    } finally {
      fake.setOptions({ refusalNamesSubscriber: 'always' });
    }
  });
});

describe('switch groupJoinWhenUnsubscribed (unknown: can a group be added to an unsubscribed subscriber?)', () => {
  test("'allowed' (default): assigning answers 200 and the group counts it as unsubscribed", async () => {
    const r = await call('POST', `api/subscribers/${idOf('opted.out@example.org')}/groups/${groupId('alumni')}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.data.unsubscribed_count, 1);
  });

  test("'refused': assigning, or a PUT adding a group, answers 422 and nothing changes", async () => {
    fake.setOptions({ groupJoinWhenUnsubscribed: 'refused' });
    try {
      const id = idOf('opted.out@example.org');
      const assign = await call('POST', `api/subscribers/${id}/groups/${groupId('alumni')}`);
      assert.equal(assign.status, 422);
      assert.ok(assign.body.errors);
      const put = await call('PUT', `api/subscribers/${id}`, { groups: [groupId('alumni')], fields: { name: 'X' } });
      assert.equal(put.status, 422);
      const after = fake.account(TOKEN).subscriber(id)!;
      assert.deepEqual(after.groups, []);
      assert.equal(after.fields.name, null);
      // Bounced is blocked too under the default bouncedJunk rule; an active subscriber is not.
      assert.equal((await call('POST', `api/subscribers/${idOf('bounced@example.org')}/groups/${groupId('alumni')}`)).status, 422);
      assert.equal((await call('POST', `api/subscribers/${idOf('member@example.org')}/groups/${groupId('alumni')}`)).status, 200);
      fake.setOptions({ bouncedJunk: 'importable' });
      assert.equal((await call('POST', `api/subscribers/${idOf('bounced@example.org')}/groups/${groupId('alumni')}`)).status, 200);
    } finally {
      fake.setOptions({ groupJoinWhenUnsubscribed: 'allowed', bouncedJunk: 'like-unsubscribed' });
    }
  });
});
