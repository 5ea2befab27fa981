/**
 * Arbitrary Unicode, lone surrogates included, in a sign-up's name and email, from intake through
 * the worker: intake refuses what is not well-formed text (FC_ERR_RECORD_NOT_UNICODE) and accepts
 * the rest; what it accepts, and what a store from before the check may hold, ends done, skipped
 * or dead with a code: never pending, never a stalled account. Seeded and bounded in runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDelivery } from '../adapters/flipcause/index.ts';
import { EngineError } from '../engine/errors.ts';
import { signupNo, workerRig } from './support/worker-rig.ts';

// Any UTF-16 code unit sequence: 'binary' code points and, as often as a fifth of the units, a
// lone surrogate half (two in a row may pair up, as they would in real text).
/** In Unicode mode a pair is one code point: only a lone half matches. */
const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

test('unicode: any text in a name or an email is refused at intake or ends done, skipped or dead; nothing stays pending', async () => {
  const r = await workerRig({ groups: ['Newsletter', 'Members', 'Flipcause'] });
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 24, unit: anyUnit }), fc.string({ maxLength: 12, unit: anyUnit }), async (name, local) => {
        n++;
        const email = `${local}${n}@example.org`;
        const records = signupNo(email, n).map((x) => ({ ...x, PD_first_name: name, first_name: name }));
        const ok = wellFormed(name) && wellFormed(local);
        try {
          parseDelivery(Buffer.from(JSON.stringify(records), 'utf8'), { orgId: '638' });
          assert.ok(ok, 'a lone surrogate was acknowledged');
        } catch (err) {
          assert.ok(err instanceof EngineError, String(err));
          // Other refusals (an email intake finds malformed) are not this property's business.
          if (!ok) assert.equal(err.code, 'FC_ERR_RECORD_NOT_UNICODE');
        }
        await r.ingest(records); // as intake stored it, or as a store from before the check may hold it
        await r.worker.drain();
        const mine = (await r.store.records({ flow: 'w', limit: 10_000 })).slice(-records.length);
        for (const x of mine) {
          assert.ok(x.status === 'done' || x.status === 'dead', `ended (${x.status})`);
          if (x.status === 'dead') assert.ok(x.errorCode, 'a dead letter names its code');
        }
      }),
      { seed: 20261203, numRuns: 40 },
    );
  } finally {
    await r.close();
  }
});
