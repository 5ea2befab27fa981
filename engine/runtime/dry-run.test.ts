import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Destination } from '../ports/destination.ts';
import type { Subscriber } from '../ports/directory.ts';
import type { Intent, WriteIntent } from '../ports/intents.ts';
import { dryRunDestination } from './dry-run.ts';

const john: Subscriber = { id: 's1', email: 'john@example.org', status: 'active', fields: {}, groups: [] };

/** A destination that records every round it is handed and answers look-ups from one subscriber. */
function recordingDestination(): { real: Destination; rounds: Intent[][] } {
  const rounds: Intent[][] = [];
  const real: Destination = {
    accountKey: 'acct',
    listGroups: async () => [{ id: 'g1', name: 'Newsletter' }],
    listFields: async () => [],
    createGroup: async () => assert.fail('a dry run created a group'),
    createField: async () => assert.fail('a dry run created a field'),
    findSubscriber: async (email) => (email === john.email ? john : null),
    deleteSubscriber: async () => assert.fail('a dry run deleted a subscriber'),
    roundCapacity: () => 7,
    cost: () => 3,
    async apply(intents) {
      rounds.push([...intents]);
      return intents.map((i) => ({ ok: true as const, subscriberId: null, created: false, found: i.kind === 'look_up' && i.email === john.email ? john : null }));
    },
    describe: (intent) => [{ request: `${intent.kind} ${intent.email}` }],
  };
  return { real, rounds };
}

test('a dry-run destination sends only the look-ups of a round and answers each write locally', async () => {
  const { real, rounds } = recordingDestination();
  const seen: [string, WriteIntent][] = [];
  const dry = dryRunDestination(real, (id, intent) => seen.push([id, intent]));
  const create: WriteIntent = { kind: 'create', email: 'jane@example.org', fields: {}, groups: ['g1'] };
  const update: WriteIntent = { kind: 'update', email: john.email, subscriber: john, fields: { city: 'Memphis' }, groups: [] };
  const results = await dry.apply([create, { kind: 'look_up', email: john.email }, update, { kind: 'look_up', email: 'nobody@example.org' }], { limit: 50 });

  assert.deepEqual(rounds, [[{ kind: 'look_up', email: john.email }, { kind: 'look_up', email: 'nobody@example.org' }]], 'only the look-ups reached the account');
  assert.deepEqual(results, [
    { ok: true, subscriberId: 'dry-run-1', created: true, found: null },
    { ok: true, subscriberId: null, created: false, found: john },
    { ok: true, subscriberId: 'dry-run-2', created: false, found: null },
    { ok: true, subscriberId: null, created: false, found: null },
  ]);
  assert.deepEqual(seen, [['dry-run-1', create], ['dry-run-2', update]], 'each answered write is reported with its own placeholder id');
});

test('a dry-run destination reads the account for real and refuses every other change', async () => {
  const { real, rounds } = recordingDestination();
  const dry = dryRunDestination(real);
  assert.equal(dry.accountKey, 'acct');
  assert.deepEqual(await dry.listGroups(), [{ id: 'g1', name: 'Newsletter' }]);
  assert.equal(await dry.findSubscriber(john.email), john);
  assert.equal(dry.roundCapacity(), 7);
  assert.deepEqual(dry.describe({ kind: 'create', email: 'a@b.org', fields: {}, groups: [] }), [{ request: 'create a@b.org' }]);
  assert.throws(() => dry.createGroup('Donors'), /a dry run sends no writes/);
  assert.throws(() => dry.createField('Street', 'text'), /a dry run sends no writes/);
  assert.throws(() => dry.deleteSubscriber('s1'), /a dry run sends no writes/);
  // A round of writes only reaches nothing.
  await dry.apply([{ kind: 'create', email: 'a@b.org', fields: {}, groups: [] }], { limit: 50 });
  assert.deepEqual(rounds, []);
});
