/**
 * Account leases: one owner per account at a time, a dead owner's accounts taken within the
 * lease time, a stopped owner's at once, and a wake-up from intake on one instance reaching the
 * owner on another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresForTests } from '../../test/support/postgres.ts';
import { silentLogger } from '../log/logger.ts';
import type { OwnershipEvents } from './ownership.ts';
import { openPostgresStore } from './postgres.ts';
import { PostgresLeases, servesMore } from './postgres-leases.ts';
import { until } from '../../test/support/until.ts';

const postgres = postgresForTests();

interface Probe {
  leases: PostgresLeases;
  acquired: string[];
  lost: string[];
  woken: string[];
  events: OwnershipEvents;
}

function probe(pool: pg.Pool, url: string, id: string, leaseMs: number): Probe {
  const p: Probe = {
    leases: new PostgresLeases(pool, url, silentLogger, { leaseMs, instanceId: id }),
    acquired: [], lost: [], woken: [],
    events: {
      changed: (a, l) => void (p.acquired.push(...a), p.lost.push(...l)),
      wake: (account) => void p.woken.push(account),
    },
  };
  return p;
}

test('each account has one owner; a stopped owner hands over at once, a vanished one when its lease ends', async () => {
  const url = await postgres.freshDatabase();
  const store = await openPostgresStore({ url });
  const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
  const [a, b, c] = pools.map((pool, i) => probe(pool, url, `i${i}`, 600));
  const accounts = new Map([['acct-1', ['f1']], ['acct-2', ['f2']]]);
  try {
    for (const p of [a!, b!]) p.leases.serve(accounts);
    await a!.leases.start(a!.events);
    await b!.leases.start(b!.events);
    assert.deepEqual(a!.acquired.sort(), ['acct-1', 'acct-2'], 'the first instance takes the free accounts');
    assert.deepEqual(b!.acquired, [], 'the second finds them owned');
    assert.ok(a!.leases.owns('acct-1') && !b!.leases.owns('acct-1'));

    // A record the owner leased is given back when another instance takes the account over.
    await store.ingest([[{ flow: 'f1', dedupeKey: 'k:1', trigger: 'new_contact', raw: {}, subject: null, txn: null, availableAt: 0 }]], 0);
    assert.equal((await store.claim(['f1'], Date.now(), 10, 3_600_000)).length, 1);

    // Stopped: the leases are deleted, the other instance takes them on its next beat.
    await a!.leases.stop();
    await until('b takes both accounts', () => b!.leases.owns('acct-1') && b!.leases.owns('acct-2'));
    assert.equal((await store.claim(['f1'], Date.now(), 10, 60_000)).length, 1, 'the record leased by the old owner is claimable at once');

    // Vanished (no stop, no more beats): c takes over once the lease expired.
    c!.leases.serve(accounts);
    await c!.leases.start(c!.events);
    assert.deepEqual(c!.acquired, []);
    (b!.leases as unknown as { stopped: boolean }).stopped = true; // beats no more, deletes nothing: a SIGKILL
    await until('c takes over after the lease', () => c!.leases.owns('acct-1') && c!.leases.owns('acct-2'));
    await until('b stops counting itself owner', () => !b!.leases.owns('acct-1'));
    const fleet = await PostgresLeases.fleet(pools[0]!, 600);
    assert.deepEqual(fleet.leases.map((l) => [l.account, l.owner]), [['acct-1', 'i2'], ['acct-2', 'i2']]);
  } finally {
    await c!.leases.stop();
    await Promise.all(pools.map((p) => p.end()));
    await store.close();
  }
});

test('intake on an instance that does not own the account wakes the owner through NOTIFY', async () => {
  const url = await postgres.freshDatabase();
  await (await openPostgresStore({ url })).close();
  const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
  const [owner, other] = pools.map((pool, i) => probe(pool, url, `n${i}`, 5_000));
  try {
    owner!.leases.serve(new Map([['acct-1', ['f1']]]));
    other!.leases.serve(new Map([['acct-1', ['f1']]]));
    await owner!.leases.start(owner!.events);
    await other!.leases.start(other!.events);
    assert.ok(owner!.leases.owns('acct-1') && !other!.leases.owns('acct-1'));
    other!.leases.committed('acct-1');
    await until('the owner is woken', () => owner!.woken.includes('acct-1'));
    assert.deepEqual(other!.woken, [], 'an instance that does not own the account is not woken');
  } finally {
    await owner!.leases.stop();
    await other!.leases.stop();
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('an account is left to an instance serving every one of its flows served here, and more', () => {
  assert.equal(servesMore(['a', 'b'], ['a']), true);
  assert.equal(servesMore(['a'], ['a']), false, 'the same set: both compete');
  assert.equal(servesMore(['a', 'c'], ['a', 'b']), false, 'each lacks a flow of the other: both compete');
  assert.equal(servesMore(['b', 'c'], ['a']), false, 'more flows, but not the one served here');
  assert.equal(servesMore(undefined, ['a']), false, 'an instance not serving the account');
});
