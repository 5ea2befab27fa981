import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationText, timeTag } from './time-markup.ts';

test('a time is ISO in its datetime and text; none is a dash', () => {
  assert.equal(timeTag(Date.UTC(2026, 11, 3, 10, 47, 55, 123)).text, '<time datetime="2026-12-03T10:47:55.123Z" data-ago>2026-12-03 10:47:55Z</time>');
  assert.equal(timeTag(null).text, '<span class="muted">—</span>');
  assert.equal(timeTag(null, 'never').text, '<span class="muted">never</span>');
});

test('durations read in the largest sensible units', () => {
  assert.deepEqual([0, 59_400, 60_000, 3_599_000, 3_600_000, 5_430_000, 47 * 3_600_000, 50 * 3_600_000, -5].map(durationText),
    ['0 s', '59 s', '1 min', '59 min', '1 h 0 min', '1 h 30 min', '47 h 0 min', '2 d 2 h', '0 s']);
});
