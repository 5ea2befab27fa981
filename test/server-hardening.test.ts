/**
 * Hostile clients and a failing store, over real HTTP (issue 12): each test is named for its
 * case. What one client does must not stall the server for everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_VIEW_CHARS } from '../engine/operator/record-view.ts';
import { signBody } from '../adapters/flipcause/index.ts';
import { flowYaml, SECRET, startHarness, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';
import { until } from './support/until.ts';

const ADMIN = 'admin-token-for-tests';
const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });

async function withHarness(fn: (h: Harness) => Promise<void>, server: Record<string, unknown> = {}): Promise<void> {
  const h = await startHarness({ flows: { hope: FLOW }, server: { adminToken: ADMIN, ...server } });
  try {
    await fn(h);
    assertNoPii(h.logLines);
  } finally {
    await h.close();
  }
}

function admin(h: Harness, path: string): Promise<Response> {
  return fetch(`${h.server.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
}

async function answer(res: Response | Promise<Response>): Promise<{ status: number; body: Record<string, any> }> {
  const r = await res;
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

function contact(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    webhook_record_id: String(id), webhook_trigger_type: 'new_contact', user_id: '638', contact_id: `CID638-${4000 + id}`,
    first_name: 'Hard', last_name: `Case${id}`, email: `hard.case.${id}@example.org`, created_on: '2026-11-08 15:40:11', ...extra,
  };
}

test('issue 12, case 2: a 1 MB field is redacted whole in the admin views while deliveries get 200 and /healthz answers', () =>
  withHarness(async (h) => {
    // The old email pattern backtracked over the run of "a"s: minutes for this one field.
    const note = `note from jane.adversary@example.org: ${'a'.repeat(1_000_000)}`;
    assert.equal((await h.send('hope', [contact(1, { CF_note: note })])).status, 200);
    const [stored] = await h.server.store.records({ flow: 'hope' });

    const [one, list, delivery, health] = await Promise.all([
      answer(admin(h, `/records/${stored!.id}`)),
      answer(admin(h, '/records?flow=hope')),
      h.send('hope', [contact(2)]),
      fetch(`${h.server.url}/healthz`),
    ]);
    assert.equal(delivery.status, 200);
    assert.equal(health.status, 200);
    assert.equal(one.status, 200);
    assert.equal(list.status, 200);
    for (const raw of [one.body.record.raw, list.body.records[0].raw]) {
      assert.equal(raw.email, '[redacted]');
      assert.ok(raw.CF_note.startsWith(`note from [redacted]: ${'a'.repeat(100)}`), 'the address inside the field is masked');
      const redactedLength = note.length - 'jane.adversary@example.org'.length + '[redacted]'.length;
      assert.ok(raw.CF_note.endsWith(`… [${redactedLength} characters in all]`), 'the view says how long the field is');
      assert.ok(raw.CF_note.length < MAX_VIEW_CHARS + 50, 'the view carries the start of the field only');
    }
    // Asked for, the payload comes back exactly as stored.
    const full = await answer(fetch(`${h.server.url}/admin/records/${stored!.id}?pii=true`, { headers: { authorization: `Bearer ${ADMIN}` } }));
    assert.equal(full.body.record.raw.CF_note, note);
    await h.settled();
  }));

test('issue 12, case 7: admin parameters are checked by the route schemas: a 400 naming the parameter, never a 500 or a lifted cap', () =>
  withHarness(async (h) => {
    assert.equal((await h.send('hope', [contact(1), contact(2), contact(3)])).status, 200);
    await h.settled();
    const cases: [string, string, RegExp][] = [
      ['/records?limit=abc', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit must be a whole number from 1 to 1000/],
      ['/records?limit=2.5', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?limit=-1', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?limit=0', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?limit=1001', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?limit=', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?limit=1&limit=2', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter limit /],
      ['/records?flow=hope&flow=other', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter flow must be one flow id, given once$/],
      ['/records?after=x', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter after /],
      ['/records?status=finished', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter status must be one of pending, done, dead/],
      ['/records?outcome=sent', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter outcome must be one of created, updated, skipped, failed, dead/],
      ['/records?stauts=dead', 'ENGINE_ERR_ADMIN_PARAM_UNKNOWN', /^unknown query parameter stauts; this route takes flow, status, outcome, after, limit$/],
      ['/records/abc', 'ENGINE_ERR_ADMIN_PARAM', /^path parameter id must be a record id/],
      ['/records/1?pii=yes', 'ENGINE_ERR_ADMIN_PARAM', /^query parameter pii must be true or false$/],
      ['/flows?verbose=1', 'ENGINE_ERR_ADMIN_PARAM_UNKNOWN', /^unknown query parameter verbose; this route takes none$/],
    ];
    for (const [path, code, message] of cases) {
      const a = await answer(admin(h, path));
      assert.equal(a.status, 400, path);
      assert.equal(a.body.code, code, path);
      assert.match(a.body.message, message, path);
    }
    // Good parameters still work, and the ones a list names are applied.
    const page = await answer(admin(h, '/records?flow=hope&status=done&limit=2&after=0'));
    assert.equal(page.status, 200);
    assert.equal(page.body.records.length, 2);
    const rest = await answer(admin(h, `/records?flow=hope&after=${page.body.records[1].id}`));
    assert.equal(rest.body.records.length, 1);
    assert.equal((await answer(admin(h, `/records?limit=1000`))).body.records.length, 3);
    assert.equal((await admin(h, '/records/999999')).status, 404);
    assert.equal((await answer(admin(h, `/records/${page.body.records[0].id}?pii=false`))).body.record.raw.email, '[redacted]');
    assert.equal((await answer(admin(h, '/records?status=dead'))).body.records.length, 0);
  }));

test('issue 12, case 11: /readyz says not ready while the store refuses intake writes, and ready again once a write succeeds', () =>
  withHarness(async (h) => {
    const ready = async (): Promise<{ status: number; body: Record<string, any> }> => answer(fetch(`${h.server.url}/readyz`));
    assert.deepEqual((await ready()).body.store, { writable: true });
    // Another connection makes every write refused, as a full disk or an I/O error would.
    const db = new Database(join(h.dir, 'engine.sqlite'));
    try {
      db.exec(`CREATE TRIGGER refuse_records BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
               CREATE TRIGGER refuse_meta_insert BEFORE INSERT ON meta BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
               CREATE TRIGGER refuse_meta_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
      assert.equal((await h.send('hope', [contact(1)])).status, 503);
      for (let i = 0; i < 2; i++) {
        const r = await ready();
        assert.equal(r.status, 503, 'not ready while writes fail (the check\'s own write fails too)');
        assert.equal(r.body.ready, false);
        assert.equal(r.body.store.writable, false);
        assert.equal(r.body.store.reason, 'SQLITE_CONSTRAINT_TRIGGER', 'the store error\'s code');
        assert.match(r.body.store.since, /^\d{4}-\d\d-\d\dT/);
      }
      // An intake write that succeeds makes it ready again.
      db.exec('DROP TRIGGER refuse_records');
      assert.equal((await h.send('hope', [contact(2)])).status, 200);
      assert.equal((await ready()).status, 200);

      // Failing again, then no delivery comes (a load balancer stopped sending them): the check's
      // own write finds out that the store works again.
      db.exec(`CREATE TRIGGER refuse_records BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;`);
      assert.equal((await h.send('hope', [contact(3)])).status, 503);
      assert.equal((await ready()).status, 503);
      db.exec('DROP TRIGGER refuse_records; DROP TRIGGER refuse_meta_insert; DROP TRIGGER refuse_meta_update');
      const back = await ready();
      assert.equal(back.status, 200);
      assert.deepEqual(back.body.store, { writable: true });
      assert.equal((await h.send('hope', [contact(3)])).status, 200);
      await h.settled();
      assert.equal(h.logLines.filter((l) => l.includes('the store refuses writes')).length, 2, 'one error line per failing spell, not per delivery');
    } finally {
      db.close();
    }
  }));

/** A raw HTTP/1.1 client over loopback that sends what it is told, as slowly as it is told. */
interface RawClient {
  socket: Socket;
  /** Everything the server wrote, once it closed the connection. */
  closed: Promise<string>;
}

function rawClient(h: Harness, head: string): Promise<RawClient> {
  const { port } = new URL(h.server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head);
      resolve({ socket, closed });
    });
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', () => {});
    socket.once('error', reject);
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
  });
}

function postHead(contentLength: number, path = '/hooks/hope'): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application-json\r\nX-Flipcause-Hmac-SHA256: AAAA\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

async function heldBytes(h: Harness): Promise<{ bodies: number; bytes: number }> {
  const text = await (await fetch(`${h.server.url}/metrics`)).text();
  const value = (name: string): number => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
  return { bodies: value('engine_http_bodies_in_flight'), bytes: value('engine_http_body_bytes_held') };
}

const SHORT = { requestTimeoutMs: 1000, headersTimeoutMs: 1000 };

test('issue 12, case 6: slow-drip bodies and slow headers are cut off (408, connection closed) while deliveries get 200', () =>
  withHarness(async (h) => {
    const body = JSON.stringify([contact(1)]);
    const drips: RawClient[] = [];
    for (let i = 0; i < 100; i++) drips.push(await rawClient(h, postHead(body.length)));
    const slowHeaders = await rawClient(h, 'POST /hooks/hope HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    let sent = 0;
    // One byte of each body every 50 ms: the whole body would take minutes.
    const drip = setInterval(() => {
      for (const c of drips) if (!c.socket.destroyed) c.socket.write(body[sent]!);
      if (!slowHeaders.socket.destroyed) slowHeaders.socket.write('X');
      sent++;
    }, 50);
    try {
      assert.equal((await h.send('hope', [contact(2)])).status, 200, 'a delivery meanwhile');
      assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200);
      const answers = await Promise.all([...drips, slowHeaders].map((c) => c.closed));
      assert.ok(sent < body.length, `cut off after ${sent} of ${body.length} bytes`);
      for (const a of answers) assert.match(a, /^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
    await until('bodies released', async () => (await heldBytes(h)).bodies === 0);
    assert.deepEqual(await heldBytes(h), { bodies: 0, bytes: 0 });
    assert.deepEqual((await h.server.store.records({})).map((r) => r.dedupeKey), ['new_contact:2']);
    await h.settled();
  }, { limits: SHORT }));

test('issue 12, case 6: stalled big bodies hold at most the byte budget, a body over it gets 503 unread, and all is released when they are cut off', () =>
  withHarness(async (h) => {
    const MiB = 1024 * 1024;
    const stalled: RawClient[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await rawClient(h, postHead(3 * MiB));
      c.socket.write(Buffer.alloc(3 * MiB - 1024, 0x20));
      stalled.push(c);
    }
    // Each reserves its Content-Length when admitted.
    await until('the stalled bodies to be admitted', async () => (await heldBytes(h)).bodies === 2);
    assert.equal((await heldBytes(h)).bytes, 2 * 3 * MiB);

    // A third stalled body would go over the 8 MiB budget: refused unread, its connection closed.
    const third = await rawClient(h, postHead(4 * MiB - 1024));
    third.socket.write(Buffer.alloc(MiB, 0x20));
    const refused = await third.closed;
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /ENGINE_ERR_BUSY/);
    assert.match(refused, /connection: close/i);
    assert.deepEqual(await heldBytes(h), { bodies: 2, bytes: 2 * 3 * MiB });

    // A body declared over what is left is refused before it is read; one that fits is taken.
    const big = await answer(h.send('hope', JSON.stringify([contact(1, { CF_note: 'x'.repeat(2.5 * MiB) })])));
    assert.equal(big.status, 503);
    assert.equal(big.body.code, 'ENGINE_ERR_BUSY');
    // Sent without Content-Length (chunked), it is cut off once it goes over.
    const chunked = await answer(fetch(`${h.server.url}/hooks/hope`, {
      method: 'POST', body: new Blob([JSON.stringify([contact(1, { CF_note: 'x'.repeat(2.5 * MiB) })])]).stream(), duplex: 'half',
      headers: { 'x-flipcause-hmac-sha256': 'AAAA' },
    } as RequestInit));
    assert.equal(chunked.status, 503);
    assert.equal(chunked.body.code, 'ENGINE_ERR_BUSY');
    assert.equal((await h.send('hope', [contact(2)])).status, 200, 'a delivery of the usual size');

    const answers = await Promise.all(stalled.map((c) => c.closed));
    for (const a of answers) assert.match(a, /^HTTP\/1\.1 408 /);
    await until('bodies released', async () => (await heldBytes(h)).bodies === 0);
    assert.deepEqual(await heldBytes(h), { bodies: 0, bytes: 0 });
    assert.equal((await h.send('hope', [contact(3, { CF_note: 'x'.repeat(900 * 1024) })])).status, 200, 'the budget is free again');
    assert.deepEqual((await h.server.store.records({})).map((r) => r.dedupeKey), ['new_contact:2', 'new_contact:3']);
    await h.settled();
  }, { limits: { ...SHORT, requestTimeoutMs: 3000, maxBodyBytes: 8 * 1024 * 1024 } }));

test('issue 12, case 6: more bodies in flight than allowed: the next one gets 503 at once, and is taken again once they are gone', () =>
  withHarness(async (h) => {
    const stalled = [await rawClient(h, postHead(500)), await rawClient(h, postHead(500))];
    for (const c of stalled) c.socket.write('[{"webhook_record_id"');
    await until('both bodies admitted', async () => (await heldBytes(h)).bodies === 2);
    const busy = await answer(h.send('hope', [contact(1)]));
    assert.equal(busy.status, 503);
    assert.equal(busy.body.code, 'ENGINE_ERR_BUSY');
    assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200, 'requests without a body are not counted');
    for (const a of await Promise.all(stalled.map((c) => c.closed))) assert.match(a, /^HTTP\/1\.1 408 /);
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    assert.equal((await h.server.store.records({})).length, 1);
    await h.settled();
  }, { limits: { ...SHORT, maxBodies: 2 } }));

test('issue 12, case 6: an idle keep-alive connection is closed by the server', () =>
  withHarness(async (h) => {
    const c = await rawClient(h, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const text = await c.closed;
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /keep-alive: timeout=1/i);
  }, { limits: { keepAliveTimeoutMs: 1000 } }));

/** A signed delivery whose signature header is sent as several header lines, as given. */
function sendWithSignatures(h: Harness, body: string, signatures: string[]): Promise<{ status: number; body: Record<string, any> }> {
  const { port } = new URL(h.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/hooks/hope', headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': signatures } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('issue 12, case 9: a repeated signature header passes when every copy is valid, and is 401 when any copy is not', () =>
  withHarness(async (h) => {
    const first = JSON.stringify([contact(1)]);
    const good = signBody(first, SECRET);
    assert.deepEqual(await sendWithSignatures(h, first, [good, good]), { status: 200, body: { accepted: 1, duplicates: 0 } });
    const second = JSON.stringify([contact(2)]);
    for (const copies of [[signBody(second, SECRET), 'AAAA'], ['AAAA', signBody(second, SECRET)], [signBody(second, SECRET), signBody(first, SECRET)]]) {
      const a = await sendWithSignatures(h, second, copies);
      assert.equal(a.status, 401);
      assert.equal(a.body.code, 'FC_ERR_SIGNATURE_INVALID');
    }
    assert.deepEqual((await h.server.store.records({})).map((r) => r.dedupeKey), ['new_contact:1']);
    await h.settled();
  }));

test('issue 12, case 8: a record naming another account through an array or object user_id is refused whole over HTTP', () =>
  withHarness(async (h) => {
    for (const userId of [['999'], { id: '999' }, ['638']]) {
      const a = await answer(h.send('hope', [contact(1), contact(2, { user_id: userId })]));
      assert.equal(a.status, 400);
      assert.equal(a.body.code, 'FC_ERR_RECORD_FIELD_INVALID');
      assert.match(a.body.message, /^record 1: user_id must be a Flipcause account number/);
    }
    assert.equal((await h.server.store.records({})).length, 0);
    assert.equal(h.fake.requests().filter((r) => r.method !== 'GET').length, 0);
  }));

test('issue 12, case 1 at intake: a lone surrogate in a record is a 400 naming record and field, and nothing of the delivery is stored', () =>
  withHarness(async (h) => {
    const a = await answer(h.send('hope', [contact(1), contact(2, { email: '\ud800@example.org' })]));
    assert.equal(a.status, 400);
    assert.equal(a.body.code, 'FC_ERR_RECORD_NOT_UNICODE');
    assert.match(a.body.message, /^record 1: email is not well-formed Unicode/);
    assert.equal((await h.server.store.records({})).length, 0);
    // The same delivery with the character whole is taken.
    assert.equal((await h.send('hope', [contact(1), contact(2, { first_name: 'Ana \ud83d\ude00' })])).status, 200);
    await h.settled();
    assert.deepEqual((await h.server.store.records({})).map((r) => r.status), ['done', 'done']);
  }));
