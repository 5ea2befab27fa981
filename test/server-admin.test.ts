/**
 * Operating a running server: Prometheus metrics, the admin API (auth, flows, records, replay),
 * flow reload, and the CLI equivalents `engine status` and `engine replay`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureBytes, fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, startHarness, TOKEN, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';
import '../adapters/index.ts';

const ADMIN = 'admin-token-for-tests';
const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });
const WORKER = { idleMs: 20, probeMs: 100, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } };
const BIN = new URL('../engine/cli/bin.js', import.meta.url).pathname;

async function withHarness(fn: (h: Harness) => Promise<void>, server: Record<string, unknown> = {}): Promise<void> {
  const h = await startHarness({ flows: { hope: FLOW }, server: { worker: WORKER, adminToken: ADMIN, ...server } });
  try {
    await fn(h);
    assertNoPii(h.logLines);
  } finally {
    await h.close();
  }
}

function admin(h: Harness, method: 'GET' | 'POST', path: string, token: string | null = ADMIN): Promise<Response> {
  return fetch(`${h.server.url}/admin${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!('ENGINE_ADMIN_TOKEN' in env)) delete childEnv.ENGINE_ADMIN_TOKEN;
    execFile(process.execPath, [BIN, ...args], { env: childEnv, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** One dead letter (MailerLite refuses the create) and one created contact (two records: activity and transaction). */
async function deadAndDone(h: Harness): Promise<void> {
  const refuse = h.fake.inject({
    scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, times: Infinity,
    body: { message: 'The given data was invalid.', errors: { email: ['The email must be a valid email address.'] } },
  });
  assert.equal((await h.send('hope', fixtureRecords('new-contact'))).status, 200);
  await h.settled();
  h.fake.removeFault(refuse);
  assert.equal((await h.send('hope', fixtureRecords('mailing-list-signup'))).status, 200);
  await h.settled();
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  assert.ok(line, `metric ${name}{${labels}} is exposed`);
  return Number(line.split(' ').at(-1));
}

test('the admin API needs the bearer token', () =>
  withHarness(async (h) => {
    for (const token of [null, 'wrong-token', '']) {
      const res = await admin(h, 'GET', '/flows', token);
      assert.equal(res.status, 401);
      assert.equal((await json<{ code: string }>(res)).code, 'ENGINE_ERR_ADMIN_AUTH');
    }
    assert.equal((await admin(h, 'POST', '/flows/hope/replay-dead', 'wrong-token')).status, 401);
    assert.equal((await admin(h, 'GET', '/flows')).status, 200);
  }));

test('the admin API is off without a token', async () => {
  const h = await startHarness({ flows: { hope: FLOW } });
  try {
    assert.equal((await admin(h, 'GET', '/flows')).status, 404);
  } finally {
    await h.close();
  }
});

test('admin: flows with counts, a record with its history (raw redacted unless ?pii=true), replay one and all dead letters', () =>
  withHarness(async (h) => {
    await deadAndDone(h);
    const { flows } = await json<{ flows: { flow: string; pending: number; done: number; dead: number; paused: unknown; not_ready: unknown }[] }>(admin(h, 'GET', '/flows'));
    assert.deepEqual(flows.map((f) => [f.flow, f.pending, f.done, f.dead, f.paused, f.not_ready]), [['hope', 0, 2, 1, null, null]]);

    const [dead] = await h.server.store.records({ flow: 'hope', status: 'dead' });
    const shown = await json<{ record: { raw: Record<string, string>; status: string; errorCode: string }; history: { outcome: string }[] }>(
      admin(h, 'GET', `/records/${dead!.id}`),
    );
    assert.equal(shown.record.status, 'dead');
    assert.equal(shown.record.errorCode, 'ML_ERR_INVALID_EMAIL');
    assert.equal(shown.record.raw.email, '[redacted]');
    assert.equal(shown.record.raw.last_name, '[redacted]');
    assert.equal(shown.record.raw.webhook_trigger_type, 'new_contact');
    assert.deepEqual(shown.history.map((e) => e.outcome), ['dead']);
    const withPii = await json<{ record: { raw: Record<string, string> } }>(admin(h, 'GET', `/records/${dead!.id}?pii=true`));
    assert.equal(withPii.record.raw.email, 'chris.specimen@example.org');
    assert.equal((await admin(h, 'GET', '/records/999999')).status, 404);
    const listed = await json<{ records: { raw: Record<string, string> }[] }>(admin(h, 'GET', '/records?flow=hope'));
    assert.equal(listed.records.length, 3);
    assert.ok(listed.records.every((r) => !JSON.stringify(r).includes('@example.org')), 'record lists never carry PII');

    // Replay all dead letters: MailerLite accepts the create now.
    assert.deepEqual(await json(admin(h, 'POST', '/flows/hope/replay-dead')), { replayed: 1 });
    await h.settled();
    const replayed = (await h.server.store.record(dead!.id))!;
    assert.equal(replayed.status, 'done');
    assert.equal(replayed.outcome, 'created');
    assert.deepEqual((await h.server.store.history(dead!.id)).map((e) => e.outcome), ['dead', 'created']);
    assert.deepEqual(await json(admin(h, 'POST', '/flows/hope/replay-dead')), { replayed: 0 });

    // Replay one finished record: decided again, no second subscriber.
    assert.deepEqual(await json(admin(h, 'POST', `/records/${dead!.id}/replay`)), { replayed: 1 });
    await h.settled();
    assert.deepEqual((await h.server.store.history(dead!.id)).map((e) => e.outcome), ['dead', 'created', 'updated']);
    assert.equal(h.fake.account(TOKEN).subscribers().length, 2);
  }));

test('/metrics: deliveries, record outcomes, queue depth, oldest pending age, last delivery time', () =>
  withHarness(async (h) => {
    await deadAndDone(h);
    assert.equal((await h.send('hope', 'not json')).status, 400);
    assert.equal((await h.send('nope', '[]')).status, 404);
    // Paused account: the next delivery stays pending and ages.
    h.fake.inject({ token: TOKEN, status: 401, times: Infinity });
    const sent = Date.now();
    assert.equal((await h.send('hope', fixtureRecords('donation-without-opt-in'))).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const text = await (await fetch(`${h.server.url}/metrics`)).text();
    assert.equal(metric(text, 'engine_deliveries_total', 'flow="hope",status="200"'), 3);
    assert.equal(metric(text, 'engine_deliveries_total', 'flow="hope",status="400"'), 1);
    assert.equal(metric(text, 'engine_deliveries_total', 'flow="unknown",status="404"'), 1);
    assert.equal(metric(text, 'engine_record_outcomes_total', 'flow="hope",outcome="dead"'), 1);
    assert.equal(metric(text, 'engine_record_outcomes_total', 'flow="hope",outcome="created"'), 1);
    const pending = (await h.server.store.stats())[0]!.pending;
    assert.ok(pending > 0);
    assert.equal(metric(text, 'engine_queue_pending', 'flow="hope"'), pending);
    assert.equal(metric(text, 'engine_dead_letters', 'flow="hope"'), 1);
    assert.ok(metric(text, 'engine_queue_oldest_pending_seconds', 'flow="hope"') >= 0.2);
    const last = metric(text, 'engine_last_delivery_timestamp_seconds', 'flow="hope"');
    assert.ok(last >= sent / 1000 && last <= Date.now() / 1000, `last delivery at ${last}, sent at ${sent / 1000}`);
    assert.ok(Date.now() / 1000 - last >= 0.2, 'the time of the delivery, not of the scrape');
    assert.equal(metric(text, 'engine_account_paused', `account="${h.server.fleet.all()[0]!.accountKey}"`), 1);
  }));

test('reload: a changed flow file is picked up without dropping deliveries; an invalid one keeps its last good version and /readyz says why', () =>
  withHarness(async (h) => {
    const file = join(h.dir, 'flows', 'hope', 'flow.yaml');
    const body = fixtureBytes('mailing-list-signup').toString('utf8');
    // Deliveries keep arriving while the file changes and reloads happen.
    let n = 0;
    const statuses: number[] = [];
    let sending = true;
    const sender = (async () => {
      while (sending) {
        const res = await h.send('hope', body.replace('"webhook_record_id": "', `"webhook_record_id": "9${n++}`));
        statuses.push(res.status);
      }
    })();
    try {
      writeFileSync(file, flowYaml('hope', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }));
      h.server.reload();
      const deadline = Date.now() + 5000;
      while (h.server.fleet.flow('hope')?.policy.mode !== 'mailing_list' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(h.server.fleet.flow('hope')?.policy.mode, 'mailing_list', 'the watched file change was picked up');

      writeFileSync(file, flowYaml('hope', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }).replace('settle_seconds: 0', 'settle_seconds: [not a number]'));
      h.server.reload();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      sending = false;
      await sender;
    }
    assert.ok(statuses.length > 0);
    assert.deepEqual([...new Set(statuses)], [200], 'no delivery failed during reloads');
    assert.equal(h.server.fleet.flow('hope')?.policy.mode, 'mailing_list', 'the last good version keeps running');
    const ready = await fetch(`${h.server.url}/readyz`);
    assert.equal(ready.status, 200);
    const report = await json<{ problems: { file: string; problems: string[] }[] }>(ready);
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]!.file, file);
    assert.match(report.problems[0]!.problems.join('\n'), /settle_seconds/);
    assert.equal((await h.send('hope', fixtureRecords('new-contact'))).status, 200);
    await h.settled();
  }, { watch: true }));

test('a flow file changed on disk is reloaded by the watcher', () =>
  withHarness(async (h) => {
    writeFileSync(join(h.dir, 'flows', 'hope', 'flow.yaml'), flowYaml('hope', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }));
    const deadline = Date.now() + 5000;
    while (h.server.fleet.flow('hope')?.policy.mode !== 'mailing_list' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.server.fleet.flow('hope')?.policy.mode, 'mailing_list');
  }, { watch: true }));

test('engine status prints each flow with pending/done/dead and its paused state', () =>
  withHarness(async (h) => {
    await deadAndDone(h);
    const ok = await cli(['status', '--url', h.server.url, '--token', ADMIN]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^FLOW\s+PENDING\s+DONE\s+DEAD\s+STATE$/m);
    assert.match(ok.stdout, /^hope\s+0\s+2\s+1\s+ok$/m);

    h.fake.inject({ token: TOKEN, status: 401, times: Infinity });
    assert.equal((await h.send('hope', fixtureRecords('donation-without-opt-in'))).status, 200);
    const deadline = Date.now() + 5000;
    while (h.server.fleet.accounts()[0]?.status().paused === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const paused = await cli(['status', '--url', h.server.url], { ENGINE_ADMIN_TOKEN: ADMIN });
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, /^hope\s+[1-9]\d*\s+2\s+1\s+paused \(ML_ERR_UNAUTHENTICATED\)$/m);

    const wrong = await cli(['status', '--url', h.server.url, '--token', 'nope']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /401 ENGINE_ERR_ADMIN_AUTH/);
    const none = await cli(['status', '--url', h.server.url]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /ENGINE_ADMIN_TOKEN/);
  }));

test('engine replay --flow F --dead and --record ID replay through the admin API', () =>
  withHarness(async (h) => {
    await deadAndDone(h);
    const [dead] = await h.server.store.records({ flow: 'hope', status: 'dead' });
    const all = await cli(['replay', '--flow', 'hope', '--dead', '--url', h.server.url, '--token', ADMIN]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'replayed 1 record\n');
    await h.settled();
    assert.equal((await h.server.store.record(dead!.id))!.outcome, 'created');

    const one = await cli(['replay', '--record', String(dead!.id), '--url', h.server.url], { ENGINE_ADMIN_TOKEN: ADMIN });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, 'replayed 1 record\n');
    await h.settled();
    assert.equal((await h.server.store.history(dead!.id)).length, 3);

    const missing = await cli(['replay', '--record', '999999', '--url', h.server.url, '--token', ADMIN]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404 ENGINE_ERR_NO_RECORD/);
    const usage = await cli(['replay', '--flow', 'hope', '--token', ADMIN]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give --flow F --dead, or --record ID/);
  }));
