/**
 * /metrics of a running server against the MailerLite fake: what a Prometheus user expects to
 * find (process defaults, histograms) and 429s counted on every path the engine talks to
 * MailerLite, loading the account's groups and fields included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowYaml, startHarness, TOKEN, type Harness } from './support/harness.ts';
import { assertNoPii } from './support/pii.ts';
import '../adapters/index.ts';
import { until } from './support/until.ts';

const FLOW = flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] });
const contact = (n: number) => ({
  webhook_record_id: String(900 + n), webhook_trigger_type: 'new_contact', user_id: '638', contact_id: `CID638-${9000 + n}`,
  first_name: 'Metric', last_name: `Case${n}`, email: `metric.case.${n}@example.org`, created_on: '2026-11-08 15:40:11',
});

/** The sum of a metric's samples whose labels include all of `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return lines.reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

async function scrape(h: Harness): Promise<string> {
  const res = await fetch(`${h.server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

test('a 429 while loading groups and one on a round are both counted; durations per operation; intake latency per flow', async () => {
  const h = await startHarness({ flows: { hope: FLOW }, server: { worker: { idleMs: 20, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } } } });
  try {
    const groupsAnswers = () => h.fake.requests(TOKEN).filter((r) => r.path.startsWith('/api/groups')).map((r) => r.status);
    assert.equal((await h.send('hope', [contact(1)])).status, 200);
    await h.settled();
    // A reload makes the worker load the account's groups and fields again: MailerLite refuses once.
    h.fake.inject({ path: '/api/groups', status: 429, retryAfter: 1 });
    h.server.reload();
    await until('the refused load and its retry', () => groupsAnswers().join() === '200,429,200');

    h.fake.inject({ path: '/api/batch', status: 429, retryAfter: 1 });
    assert.equal((await h.send('hope', [contact(2)])).status, 200);
    await h.settled();

    const text = await scrape(h);
    const account = h.server.fleet.all()[0]!.accountKey;
    assert.equal(total(text, 'engine_mailerlite_responses_total', { account, status: '429' }), 2, 'the groups load and the batch envelope');
    assert.equal(total(text, 'engine_mailerlite_responses_total', { account, status: '201' }), 2, 'the two creates, batch items');
    assert.equal(total(text, 'engine_mailerlite_request_duration_seconds_count', { account, operation: 'list_groups' }), groupsAnswers().length, 'two loads, one retried');
    assert.ok(total(text, 'engine_mailerlite_request_duration_seconds_count', { account, operation: 'list_fields' }) >= 2);
    const batches = h.fake.requests(TOKEN).filter((r) => r.path === '/api/batch').length;
    assert.equal(total(text, 'engine_mailerlite_request_duration_seconds_count', { account, operation: 'batch' }), batches, 'every batch attempt, the refused one too');
    assert.equal(total(text, 'engine_mailerlite_request_duration_seconds_bucket', { account, operation: 'batch', le: '+Inf' }), batches);

    assert.equal(total(text, 'engine_intake_duration_seconds_count', { flow: 'hope' }), 2);
    assert.equal(total(text, 'engine_intake_duration_seconds_bucket', { flow: 'hope', le: '3' }), 2, 'both answered well within Flipcause\'s 3 s');
    assert.equal(total(text, 'engine_deliveries_total', { flow: 'hope', status: '200' }), 2);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.match(text, new RegExp(`^${name} \\d`, 'm'), `${name} is exported`);
    }
    assert.match(text, /^engine_last_delivery_timestamp_seconds\{flow="hope"\} \d{10}(\.\d+)?$/m);
    assert.doesNotMatch(text, /engine_seconds_since_last_delivery/);
    assert.doesNotMatch(text, /@/, 'no email, not even in a label');
    assertNoPii(h.logLines, ['metric.case.1@example.org', 'metric.case.2@example.org']);
  } finally {
    await h.close();
  }
});
