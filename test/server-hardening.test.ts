/**
 * Hostile clients and a failing store, over real HTTP (issue 12): each test is named for its
 * case. What one client does must not stall the server for everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
