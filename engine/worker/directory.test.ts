import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../log/logger.ts';
import type { Destination } from '../ports/destination.ts';
import type { Field, Group } from '../ports/directory.ts';
import { DirectoryCache } from './directory.ts';

const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** A destination whose group lists are answered only when the test says so. */
function heldDestination(): { client: Destination; loads: number; answer(groups: string[]): void } {
  const pending: ((g: Group[]) => void)[] = [];
  const state = {
    loads: 0,
    answer: (names: string[]) => pending.shift()!(names.map((name, i) => ({ id: String(i + 1), name }) as Group)),
    client: {
      accountKey: 'acct',
      listGroups: () => {
        state.loads++;
        return new Promise<Group[]>((resolve) => pending.push(resolve));
      },
      listFields: async () => [] as Field[],
    } as unknown as Destination,
  };
  return state;
}

test('a directory load that an invalidation overtook is used once but not kept as fresh: the next round loads again', async () => {
  const cache = new DirectoryCache(60_000, log);
  const d = heldDestination();
  const loading = cache.ensure(d.client, [], 1_000);
  cache.invalidate(); // e.g. the flows were reloaded while the groups were being listed
  d.answer(['Newsletter']);
  assert.equal(await loading, null);
  assert.ok(cache.current, 'the round has a directory to work with');
  assert.equal(cache.fresh(1_001), false, 'but it may predate the change');

  const again = cache.ensure(d.client, [], 1_002);
  d.answer(['Newsletter', 'Donors']);
  await again;
  assert.equal(d.loads, 2);
  assert.equal(cache.fresh(1_003), true);
  assert.deepEqual(cache.current?.groupIds(['Donors'], 'mailing_list'), ['2']);
});

test('a load nothing overtook stays fresh for its time to live', async () => {
  const cache = new DirectoryCache(60_000, log);
  const d = heldDestination();
  const loading = cache.ensure(d.client, [], 1_000);
  d.answer(['Newsletter']);
  await loading;
  assert.equal(cache.fresh(60_999), true);
  assert.equal(cache.fresh(61_000), false);
  assert.equal(await cache.ensure(d.client, [], 30_000), null);
  assert.equal(d.loads, 1, 'a fresh directory is not loaded again');
});
