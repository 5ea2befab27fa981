/**
 * The PII sweep: every fixture delivered through a server that meets every kind of trouble
 * (refused and echoed emails, server errors, a refused key, bad deliveries, suppressed
 * subscribers, admin inspection and replays), and no log line holds a fixture email, name, phone
 * or street address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureBytes, fixtureNames, fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, SECRET, startHarness, TOKEN } from './support/harness.ts';
import { assertNoPii, fixturePii } from './support/pii.ts';
import '../adapters/index.ts';

const ADMIN = 'pii-admin-token';
// Flows must not share a signing secret.
const SECRETS: Record<string, string> = { hope: SECRET, list: 'whsec_list_flow_secret_for_tests', broken: 'whsec_broken_flow_secret_for_tests' };
const withSecret = (yaml: string, env: string): string => yaml.replace('${env:TEST_FLIPCAUSE_SECRET}', `\${env:${env}}`);

test('the fixture PII list holds emails, names, phones and addresses', () => {
  const pii = fixturePii();
  for (const expected of ['jane.doe@example.org', 'Doe', '5105550123', '1200 Harbor Way', 'chris.specimen@example.org', 'Specimen']) {
    assert.ok(pii.some((v) => v.toLowerCase() === expected.toLowerCase()), expected);
  }
});

test('no log line of a troubled server holds donor PII', async () => {
  const h = await startHarness({
    flows: {
      hope: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }),
      list: withSecret(flowYaml('list', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }), 'LIST_SECRET'),
      broken: withSecret(flowYaml('broken', 'all_contacts', { new: ['No Such Group'], unconfirmed: ['No Such Group'] }), 'BROKEN_SECRET'),
    },
    account: {
      groups: ['Newsletter', 'Donors'],
      fields: [{ name: 'Street address', key: 'street_address' }],
      subscribers: [{ email: 'john.roe@example.org', status: 'unsubscribed', fields: { name: 'John', last_name: 'Roe' } }],
    },
    server: {
      adminToken: ADMIN,
      env: { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, LIST_SECRET: SECRETS.list!, BROKEN_SECRET: SECRETS.broken! }, worker: { idleMs: 20, probeMs: 100, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 3 } } },
  });
  // The 'broken' flow is not ready (its group is missing): its records wait, the others drain.
  const servedFlowsSettled = async (): Promise<void> => {
    const end = Date.now() + 15_000;
    while ((await h.server.store.stats()).some((s) => s.flow !== 'broken' && s.pending > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    // MailerLite echoing the email back in its errors, failing, and refusing the key.
    h.fake.inject({
      scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, nth: 1,
      body: { message: 'jane.doe@example.org is not valid', errors: { email: ['The email Jane.Doe@Example.org must be a valid email address.'] } },
    });
    // The first batch fails more often than the client retries on its own, so the worker retries it.
    h.fake.inject({ path: '/api/batch', status: 500, nth: 1, times: 6, body: { message: 'Server Error for chris.specimen@example.org' } });
    for (const name of fixtureNames()) {
      for (const flow of ['hope', 'list', 'broken']) {
        const res = await h.send(flow, fixtureBytes(name).toString('utf8'), { secret: SECRETS[flow]! });
        assert.ok([200, 400, 403].includes(res.status), `${name} → ${flow}: ${res.status}`);
      }
    }
    // Bad deliveries carrying PII: wrong signature, a bad record after good ones.
    const jane = fixtureRecords('donation-with-opt-in');
    assert.equal((await h.send('hope', jane, { secret: 'whsec_wrong' })).status, 401);
    assert.equal((await h.send('hope', JSON.stringify([...jane, 'Jane Doe, 1200 Harbor Way']))).status, 400);
    assert.equal((await h.send('hope', '{"PD_email": "jane.doe@example.org", "PD_first_name": "Jane"')).status, 400);
    await servedFlowsSettled();
    const refuse = h.fake.inject({ token: TOKEN, status: 401, times: Infinity });
    await h.server.fleet.drain().catch(() => undefined);
    h.fake.removeFault(refuse);
    const outcomes = new Set((await h.server.store.records({ limit: 1000 })).map((r) => r.outcome));
    // Inspection and replays.
    const auth = { authorization: `Bearer ${ADMIN}` };
    for (const r of await h.server.store.records({ limit: 1000 })) {
      await (await fetch(`${h.server.url}/admin/records/${r.id}?pii=true`, { headers: auth })).arrayBuffer();
    }
    for (const flow of ['hope', 'list']) await fetch(`${h.server.url}/admin/flows/${flow}/replay-dead`, { method: 'POST', headers: auth });
    await servedFlowsSettled();
    await (await fetch(`${h.server.url}/metrics`)).text();
    await (await fetch(`${h.server.url}/readyz`)).text();
    h.server.reload();

    assert.deepEqual(h.server.fleet.all().map((f) => f.id).sort(), ['broken', 'hope', 'list']);
    for (const o of ['created', 'updated', 'skipped', 'dead']) assert.ok(outcomes.has(o as never), `some record ended ${o}`);
    assert.ok(h.logLines.some((l) => l.includes('"msg":"record"')), 'record outcomes were logged');
    assert.ok(h.logLines.some((l) => l.includes('will be retried')), 'retries were logged');
    assertNoPii(h.logLines);
  } finally {
    await h.close();
  }
});
