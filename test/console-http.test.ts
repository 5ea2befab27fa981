/**
 * The console over real HTTP: login and sessions, CSRF on every state-changing request, the
 * security headers, PII masked until an audited reveal, replays, the audit log in the console
 * and the admin API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, startHarness, type Harness } from './support/harness.ts';
import { hiddenField, logIn, submitLogin } from './support/console-client.ts';
import { assertNoPii, fixturePii } from './support/pii.ts';
import '../adapters/index.ts';

const ADMIN = 'console-admin-token-for-tests';
const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });
const WORKER = { idleMs: 20, probeMs: 100, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } };

async function withHarness(fn: (h: Harness) => Promise<void>, server: Record<string, unknown> = {}): Promise<void> {
  const h = await startHarness({ flows: { hope: FLOW }, server: { worker: WORKER, adminToken: ADMIN, ...server } });
  try {
    await fn(h);
    assertNoPii(h.logLines);
  } finally {
    await h.close();
  }
}

/** One dead letter: MailerLite refuses the create. Returns its record id. */
async function deadLetter(h: Harness): Promise<number> {
  const refuse = h.fake.inject({
    scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, times: Infinity,
    body: { message: 'The given data was invalid.', errors: { email: ['The email must be a valid email address.'] } },
  });
  assert.equal((await h.send('hope', fixtureRecords('new-contact'))).status, 200);
  await h.settled();
  h.fake.removeFault(refuse);
  const [dead] = await h.server.store.records({ flow: 'hope', status: 'dead' });
  assert.ok(dead, 'a dead letter');
  return dead.id;
}

test('GET / leads to the console, which sends a visitor without a session to the login form', async () => {
  await withHarness(async (h) => {
    const root = await fetch(`${h.server.url}/`, { redirect: 'manual' });
    assert.deepEqual([root.status, root.headers.get('location')], [302, '/ui']);
    const ui = await fetch(`${h.server.url}/ui/flows/hope`, { redirect: 'manual' });
    assert.deepEqual([ui.status, ui.headers.get('location')], [303, '/ui/login?next=%2Fui%2Fflows%2Fhope']);
    const poll = await fetch(`${h.server.url}/ui/fleet/live`, { headers: { 'hx-request': 'true' } });
    assert.deepEqual([poll.status, poll.headers.get('hx-redirect')], [401, '/ui/login']);
  });
});

test('a wrong token is refused and audited without any trace of what was typed; the right one gets a strict session cookie', async () => {
  await withHarness(async (h) => {
    const wrong = await submitLogin(h.server.url, 'not-the-token');
    assert.equal(wrong.res.status, 401);
    assert.match(await wrong.res.text(), /That is not the admin token/);
    assert.ok(!wrong.cookies.some((c) => c.startsWith('engine_session=')), 'no session for a wrong token');

    const right = await submitLogin(h.server.url, ADMIN);
    assert.deepEqual([right.res.status, right.res.headers.get('location')], [303, '/ui']);
    const set = right.res.headers.getSetCookie().find((c) => c.startsWith('engine_session='))!;
    assert.match(set, /; Path=\/ui; Max-Age=43200; HttpOnly; SameSite=Strict$/, 'HttpOnly, SameSite=Strict, not Secure over plain HTTP');

    const log = await h.server.store.auditLog({ action: 'login' });
    assert.deepEqual(log.map((e) => [e.ok, e.actor]), [[true, log[0]!.actor], [false, 'unknown']]);
    assert.match(log[0]!.actor, /^tok_[0-9a-f]{10}$/);
    assert.ok(!JSON.stringify(log).includes('not-the-token') && !JSON.stringify(log).includes(ADMIN));
  });
});

test('a login form posted without its own CSRF cookie is refused', async () => {
  await withHarness(async (h) => {
    const form = await (await fetch(`${h.server.url}/ui/login`)).text();
    const res = await fetch(`${h.server.url}/ui/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: hiddenField(form, '_csrf'), token: ADMIN }).toString(),
    });
    assert.equal(res.status, 403);
    assert.equal((await h.server.store.auditLog({})).length, 0, 'not a login attempt at all');
  });
});

test('console pages carry a strict CSP and security headers; the webhook routes are left alone', async () => {
  await withHarness(async (h) => {
    const c = await logIn(h.server.url, ADMIN);
    for (const path of ['/ui', '/ui/login', '/ui/flows/hope', '/ui/audit', '/ui/records/1']) {
      // The login form is seen logged out (logged in, it sends you on to the fleet).
      const res = path === '/ui/login' ? await fetch(`${h.server.url}${path}`) : await c.get(path);
      assert.equal(res.status, path === '/ui/records/1' ? 404 : 200, path);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"]) {
        assert.ok(csp.includes(d), `${path}: CSP has ${d}: ${csp}`);
      }
      assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const page = await res.text();
      assert.ok(!/<script(?![^>]*\ssrc=)/.test(page), `${path}: no inline script`);
      assert.ok(!/\sstyle="/.test(page), `${path}: no inline style`);
    }
    assert.equal((await c.get('/ui')).headers.get('cache-control'), 'no-store');
    const health = await fetch(`${h.server.url}/healthz`);
    assert.equal(health.headers.get('content-security-policy'), null);
  });
});

test('assets come from the npm packages under hashed URLs with a year-long cache', async () => {
  await withHarness(async (h) => {
    const c = await logIn(h.server.url, ADMIN);
    const page = await (await c.get('/ui')).text();
    const urls = [...page.matchAll(/(?:src|href)="(\/ui\/assets\/[0-9a-f]{12}\/[^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(urls.map((u) => u.split('/').pop()).sort(), ['console.css', 'console.js', 'htmx.min.js', 'uPlot.iife.min.js', 'uPlot.min.css']);
    for (const url of urls) {
      const res = await fetch(`${h.server.url}${url}`);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(res.headers.get('content-type') ?? '', url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
    assert.match(await (await fetch(`${h.server.url}${urls.find((u) => u.endsWith('htmx.min.js'))}`)).text(), /htmx/);
    assert.equal((await fetch(`${h.server.url}/ui/assets/000000000000/htmx.min.js`)).status, 404);
  });
});

test('a POST without the session CSRF token is refused 403 and changes nothing; with it, the replay is done and audited', async () => {
  await withHarness(async (h) => {
    const id = await deadLetter(h);
    const c = await logIn(h.server.url, ADMIN);
    for (const [path, fields, csrf] of [
      [`/ui/records/${id}/replay`, {}, false],
      [`/ui/records/${id}/replay`, { _csrf: 'forged' }, false],
      ['/ui/flows/hope/replay-dead', {}, false],
      ['/ui/logout', {}, false],
    ] as const) {
      const res = await c.post(path, fields, { csrf });
      assert.equal(res.status, 403, path);
      assert.match(await res.text(), /missing its security token/);
    }
    assert.equal((await h.server.store.record(id))?.status, 'dead', 'still dead');
    assert.equal((await h.server.store.auditLog({ action: 'replay' })).length, 0);
    assert.equal((await c.get('/ui')).status, 200, 'still logged in');

    const res = await c.post(`/ui/records/${id}/replay`, { back: 'flow' });
    assert.deepEqual([res.status, res.headers.get('location')], [303, '/ui/flows/hope?replayed=1']);
    await h.settled();
    assert.equal((await h.server.store.record(id))?.outcome, 'created');
    const [entry] = await h.server.store.auditLog({ action: 'replay' });
    assert.deepEqual([entry?.target, entry?.ok, entry?.actor], [`record ${id}`, true, (await h.server.store.auditLog({ action: 'login' }))[0]?.actor]);
  });
});

test('the record page masks PII; only the audited POST reveal shows it, and never to a GET', async () => {
  await withHarness(async (h) => {
    assert.equal((await h.send('hope', fixtureRecords('new-contact'))).status, 200);
    await h.settled();
    const [record] = await h.server.store.records({ flow: 'hope' });
    const c = await logIn(h.server.url, ADMIN);
    const masked = await (await c.get(`/ui/records/${record!.id}`)).text();
    assert.match(masked, /Created \(attempt 1\)/);
    assert.match(masked, /decided by policy row <code>all_contacts_by_list\./);
    assert.match(masked, /sent to MailerLite: <code>POST/);
    assertNoPii([masked]);
    assert.equal((await c.get(`/ui/records/${record!.id}/reveal`)).status, 404, 'no GET reveal');
    assert.equal((await c.post(`/ui/records/${record!.id}/reveal`, {}, { csrf: false })).status, 403);
    assert.equal((await h.server.store.auditLog({ action: 'reveal' })).length, 0);

    const revealed = await c.post(`/ui/records/${record!.id}/reveal`, {});
    assert.equal(revealed.status, 200);
    assert.equal(revealed.headers.get('cache-control'), 'no-store');
    const text = await revealed.text();
    const email = String(fixtureRecords('new-contact')[0]!['email'] ?? fixturePii().find((v) => v.includes('@')));
    assert.ok(text.includes(email), 'the email in clear');
    const [entry] = await h.server.store.auditLog({ action: 'reveal' });
    assert.equal(entry?.target, `record ${record!.id}`);
  });
});

test('fleet and flow pages show the queue; bad filters are a readable 400; unknown pages are readable 404s', async () => {
  await withHarness(async (h) => {
    await deadLetter(h);
    const c = await logIn(h.server.url, ADMIN);
    const fleet = await (await c.get('/ui')).text();
    assert.match(fleet, /<tr data-flow="hope">/);
    assert.match(fleet, /hx-get="\/ui\/fleet\/live" hx-trigger="every 3s"/);
    const live = await (await c.get('/ui/fleet/live', { 'hx-request': 'true' })).text();
    assert.match(live, /^<div id="fleet-live"/);
    assert.match(live, /<td class="num" data-pending>0<\/td>/);
    const flow = await (await c.get('/ui/flows/hope?status=dead&outcome=')).text();
    assert.match(flow, /Replay all 1 dead letters/);
    assert.match(flow, /ML_ERR_/);
    assert.match(flow, /<h2>Decision table<\/h2>/);
    assert.match(flow, /of 120 requests used/);
    const bad = await c.get('/ui/flows/hope?status=lost');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /query parameter status must be one of pending, done, dead/);
    const none = await c.get('/ui/flows/nowhere');
    assert.equal(none.status, 404);
    assert.match(await none.text(), /No flow named nowhere/);
    assert.equal((await c.get('/ui/records/999999')).status, 404);
    const chart = await (await c.get('/ui/throughput.json?flow=hope')).json() as { times: number[]; series: { outcome: string }[]; total: number };
    assert.equal(chart.times.length, 25);
    assert.deepEqual(chart.series.map((s) => s.outcome), ['dead']);
  });
});

test('replay all from the flow page, logout, and the audit log in the console and the admin API', async () => {
  await withHarness(async (h) => {
    await deadLetter(h);
    const c = await logIn(h.server.url, ADMIN);
    const res = await c.post('/ui/flows/hope/replay-dead', {});
    assert.deepEqual([res.status, res.headers.get('location')], [303, '/ui/flows/hope?replayed=1']);
    await h.settled();
    h.server.reload();
    const audit = await (await c.get('/ui/audit')).text();
    for (const action of ['login', 'replay', 'reload']) assert.match(audit, new RegExp(`<tr data-audit="${action}">`));
    const out = await c.post('/ui/logout', {});
    assert.deepEqual([out.status, out.headers.get('location')], [303, '/ui/login']);
    assert.equal((await c.get('/ui')).status, 303, 'the session is gone');

    const api = await fetch(`${h.server.url}/admin/audit?limit=10`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const { entries } = await api.json() as { entries: { action: string; target: string | null; detail?: Record<string, unknown> }[] };
    assert.deepEqual(entries.map((e) => e.action), ['logout', 'reload', 'replay', 'login']);
    assert.deepEqual(entries[1]?.detail, { flows: 1, files_not_loaded: [] });
    assert.deepEqual(entries[2]?.detail, { replayed: 1, dead_letters: 'all' });
    assert.equal((await fetch(`${h.server.url}/admin/audit?action=nope`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 400);
    assert.equal((await fetch(`${h.server.url}/admin/audit`)).status, 401);
  });
});

test('a session ends after its idle time', async () => {
  await withHarness(async (h) => {
    const c = await logIn(h.server.url, ADMIN);
    assert.equal((await c.get('/ui')).status, 200);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await c.get('/ui')).status, 303);
  }, { sessions: { idleMs: 300 } });
});

test('without an admin token the console says how to turn it on', async () => {
  const h = await startHarness({ flows: { hope: FLOW }, server: { worker: WORKER } });
  try {
    const res = await fetch(`${h.server.url}/ui`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /The console is off.*ENGINE_ADMIN_TOKEN/s);
  } finally {
    await h.close();
  }
});
