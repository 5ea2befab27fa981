/**
 * Hostile clients and a failing store, over real HTTP (issue 12): each test is named for its
 * case. What one client does must not stall the server for everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_VIEW_CHARS } from '../engine/server/record-view.ts';
import { flowYaml, startHarness, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';

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
    const [stored] = h.server.store.records({ flow: 'hope' });

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
