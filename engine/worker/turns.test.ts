import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inSlices } from './turns.ts';
import { countingTurns } from '../../test/support/count-turns.ts';

test('inSlices runs every item in order and gives the loop a turn between slices only', async () => {
  const seen = await countingTurns(async (turns) => {
    const out: [number, number][] = [];
    await inSlices([10, 11, 12, 13, 14, 15, 16], 3, async (item, i) => {
      assert.equal(item, 10 + i);
      await Promise.resolve(); // an async step (JSONata) that settles in microtasks
      out.push([item, turns()]);
    });
    return out;
  });
  assert.deepEqual(seen, [[10, 0], [11, 0], [12, 0], [13, 1], [14, 1], [15, 1], [16, 2]]);
});

test('inSlices with fewer items than a slice never yields; a step that throws stops the run', async () => {
  const seen = await countingTurns(async (turns) => {
    const out: number[] = [];
    await inSlices([1, 2], 16, (_item) => void out.push(turns()));
    return out;
  });
  assert.deepEqual(seen, [0, 0]);
  const ran: number[] = [];
  await assert.rejects(
    inSlices([1, 2, 3, 4], 2, (item) => {
      if (item === 3) throw new Error('record 3 broke');
      ran.push(item);
    }),
    /record 3 broke/,
  );
  assert.deepEqual(ran, [1, 2]);
});
