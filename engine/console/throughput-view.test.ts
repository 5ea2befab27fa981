import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throughputChart } from './throughput-view.ts';

const H = 3_600_000;

test('buckets become aligned columns, one series per outcome in a fixed order, zeros filled', () => {
  const now = 10 * H + 1234;
  const chart = throughputChart([
    { at: 8 * H, outcome: 'updated', count: 2 },
    { at: 10 * H, outcome: 'created', count: 3 },
    { at: 9 * H, outcome: 'created', count: 1 },
    { at: 2 * H, outcome: 'dead', count: 9 }, // before the chart's first bucket
  ], now, H, 3);
  assert.deepEqual(chart, {
    times: [8 * 3600, 9 * 3600, 10 * 3600],
    series: [{ outcome: 'created', counts: [0, 1, 3] }, { outcome: 'updated', counts: [2, 0, 0] }],
    total: 6,
  });
});

test('nothing finished is an empty chart with its time axis', () => {
  assert.deepEqual(throughputChart([], 5 * H, H, 2), { times: [4 * 3600, 5 * 3600], series: [], total: 0 });
});
