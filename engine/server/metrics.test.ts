import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fleet } from '../runtime/fleet.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { FlowStats, Store } from '../store/types.ts';
import { Metrics } from './metrics.ts';

const fleet = (...ids: string[]) => () => ({ all: () => ids.map((id) => ({ id })), accounts: () => [] }) as unknown as Fleet;

/** A store whose stats() answers later, as an asynchronous (PostgreSQL) store does, counting its reads. */
function slowStore(stats: FlowStats[]): { store: Store; reads: () => number } {
  let reads = 0;
  const store = {
    stats: async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return stats;
    },
  } as unknown as Store;
  return { store, reads: () => reads };
}

async function sample(m: Metrics, name: string, labels: Record<string, string | number> = {}): Promise<number | undefined> {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const metric = m.registry.getSingleMetric(base);
  assert.ok(metric, `${base} is registered`);
  const values = (await metric.get()).values as { metricName?: string; labels: Record<string, string | number | undefined>; value: number }[];
  const want = Object.entries(labels).map(([k, v]) => [k, String(v)] as const);
  const hit = values.find((v) => (v.metricName ?? base) === name && want.every(([k, x]) => String(v.labels[k]) === x));
  return hit?.value;
}

test('process and Node.js defaults are exported, by every server of the process', async () => {
  const a = new Metrics(slowStore([]).store, fleet());
  const b = new Metrics(slowStore([]).store, fleet());
  for (const m of [a, b]) {
    const text = await m.registry.metrics();
    for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_version_info']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  }
});

test('queue gauges: one store read per scrape, filled even when the store answers asynchronously', async () => {
  const now = Date.now();
  const { store, reads } = slowStore([
    { flow: 'hope', pending: 4, done: 10, dead: 2, byOutcome: {}, oldestPendingAt: now - 90_000, lastDeliveryAt: 1_767_225_600_123 },
    { flow: 'idle', pending: 0, done: 3, dead: 0, byOutcome: {}, oldestPendingAt: null, lastDeliveryAt: null },
  ]);
  const m = new Metrics(store, fleet('hope', 'idle', 'fresh'));
  const text = await m.registry.metrics();
  assert.equal(reads(), 1, 'the four gauges share one read');
  const line = (name: string, flow: string) => text.split('\n').find((l) => l.startsWith(`${name}{flow="${flow}"} `));
  assert.equal(line('engine_queue_pending', 'hope'), 'engine_queue_pending{flow="hope"} 4');
  assert.equal(line('engine_queue_pending', 'fresh'), 'engine_queue_pending{flow="fresh"} 0', 'a served flow with nothing stored');
  assert.equal(line('engine_dead_letters', 'hope'), 'engine_dead_letters{flow="hope"} 2');
  const oldest = Number(line('engine_queue_oldest_pending_seconds', 'hope')?.split(' ')[1]);
  assert.ok(oldest >= 90 && oldest < 120, `oldest pending ${oldest} s`);
  assert.equal(line('engine_queue_oldest_pending_seconds', 'idle'), 'engine_queue_oldest_pending_seconds{flow="idle"} 0');
  assert.equal(line('engine_last_delivery_timestamp_seconds', 'hope'), 'engine_last_delivery_timestamp_seconds{flow="hope"} 1767225600.123');
  assert.equal(line('engine_last_delivery_timestamp_seconds', 'idle'), undefined, 'no delivery yet: no timestamp, not 0');
  assert.doesNotMatch(text, /seconds_since/, 'a timestamp, not an age that changes at every scrape');
  await m.registry.metrics();
  assert.equal(reads(), 2, 'the next scrape reads again');
});

test('last delivery timestamp: when the store last committed a delivery of the flow, in Unix seconds', async () => {
  const store = openSqliteStore({ file: ':memory:' });
  try {
    const at = 1_767_225_600_000;
    await store.ingest([[{ flow: 'hope', dedupeKey: 'd1', trigger: 'new_contact', raw: {}, subject: null, txn: null, availableAt: at }]], at);
    await store.ingest([[{ flow: 'hope', dedupeKey: 'd2', trigger: 'new_contact', raw: {}, subject: null, txn: null, availableAt: at + 61_500 }]], at + 61_500);
    const m = new Metrics(store, fleet('hope'));
    assert.equal(await sample(m, 'engine_last_delivery_timestamp_seconds', { flow: 'hope' }), 1_767_225_661.5);
  } finally {
    await store.close();
  }
});

test('intake latency: a histogram per flow with an edge at Flipcause\'s 3 s timeout', async () => {
  const m = new Metrics(slowStore([]).store, fleet('hope'));
  m.delivered('hope', 200, 0.02);
  m.delivered('hope', 200, 2.5);
  m.delivered('hope', 503, 3.5);
  m.delivered('unknown', 404, 0.001);
  assert.equal(await sample(m, 'engine_intake_duration_seconds_bucket', { flow: 'hope', le: 0.025 }), 1);
  assert.equal(await sample(m, 'engine_intake_duration_seconds_bucket', { flow: 'hope', le: 2 }), 1);
  assert.equal(await sample(m, 'engine_intake_duration_seconds_bucket', { flow: 'hope', le: 3 }), 2, 'answered before Flipcause gave up');
  assert.equal(await sample(m, 'engine_intake_duration_seconds_bucket', { flow: 'hope', le: '+Inf' }), 3);
  assert.equal(await sample(m, 'engine_intake_duration_seconds_count', { flow: 'hope' }), 3);
  assert.ok(Math.abs((await sample(m, 'engine_intake_duration_seconds_sum', { flow: 'hope' }))! - 6.02) < 1e-9);
  assert.equal(await sample(m, 'engine_deliveries_total', { flow: 'hope', status: 503 }), 1);
  assert.equal(await sample(m, 'engine_intake_duration_seconds_count', { flow: 'unknown' }), 1);
});

test('MailerLite exchanges: duration per account and operation, every answer by status, batch items one by one, no answer counted apart', async () => {
  const m = new Metrics(slowStore([]).store, fleet());
  const { exchange } = m.hooks();
  exchange!('acct-1', { operation: 'list_groups', status: 429, seconds: 0.04 });
  exchange!('acct-1', { operation: 'list_groups', status: 200, seconds: 0.3 });
  exchange!('acct-1', { operation: 'batch', status: 200, seconds: 1.2, items: [200, 201, 429, 200] });
  exchange!('acct-1', { operation: 'batch', status: 429, seconds: 0.01 });
  exchange!('acct-2', { operation: 'batch', status: null, seconds: 10.001 });
  assert.equal(await sample(m, 'engine_mailerlite_responses_total', { account: 'acct-1', status: 429 }), 3, 'loading groups, a batch item, a batch envelope');
  assert.equal(await sample(m, 'engine_mailerlite_responses_total', { account: 'acct-1', status: 200 }), 3, 'the list answer and two batch items, not the batch envelope');
  assert.equal(await sample(m, 'engine_mailerlite_responses_total', { account: 'acct-1', status: 201 }), 1);
  assert.equal(await sample(m, 'engine_mailerlite_request_duration_seconds_count', { account: 'acct-1', operation: 'list_groups' }), 2);
  assert.equal(await sample(m, 'engine_mailerlite_request_duration_seconds_count', { account: 'acct-1', operation: 'batch' }), 2);
  assert.equal(await sample(m, 'engine_mailerlite_request_duration_seconds_bucket', { account: 'acct-1', operation: 'batch', le: 1 }), 1);
  assert.equal(await sample(m, 'engine_mailerlite_request_duration_seconds_bucket', { account: 'acct-2', operation: 'batch', le: 10 }), 0);
  assert.equal(await sample(m, 'engine_mailerlite_request_duration_seconds_bucket', { account: 'acct-2', operation: 'batch', le: 30 }), 1);
  assert.equal(await sample(m, 'engine_mailerlite_unanswered_total', { account: 'acct-2', operation: 'batch' }), 1);
  assert.equal(await sample(m, 'engine_mailerlite_responses_total', { account: 'acct-2' }), undefined, 'no answer is no status');
});

test('engine_account_owned: 1 for each account this instance drains, 0 for one it serves that another drains', async () => {
  const owned = new Set(['ml#drained-here']);
  const served = ['ml#drained-here', 'ml#drained-elsewhere'];
  const fleetOf = () => ({
    all: () => [],
    accounts: () => served.map((accountKey) => ({ accountKey })),
    ownership: { owns: (key: string) => owned.has(key) },
  }) as unknown as Fleet;
  const m = new Metrics(slowStore([]).store, fleetOf);
  assert.equal(await sample(m, 'engine_account_owned', { account: 'ml#drained-here' }), 1);
  assert.equal(await sample(m, 'engine_account_owned', { account: 'ml#drained-elsewhere' }), 0);
  // A lease moves, an account stops being served: each scrape reads them afresh.
  owned.clear();
  owned.add('ml#drained-elsewhere');
  served.shift();
  assert.equal(await sample(m, 'engine_account_owned', { account: 'ml#drained-elsewhere' }), 1);
  assert.equal(await sample(m, 'engine_account_owned', { account: 'ml#drained-here' }), undefined, 'an account no longer served is gone');
});
