/**
 * Intake over generated deliveries: whatever the bytes or the JSON, a delivery is split into its
 * records or refused with a 4xx EngineError naming what is wrong, never anything else; records
 * keep their order and their dedupe keys (trigger and record id), a single object is a delivery
 * of one, and text that is not well-formed Unicode (a lone surrogate anywhere) is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EngineError } from '../../engine/errors.ts';
import type { IntakeRecord } from '../../engine/ports/source.ts';
import { fixtureRecords } from './fixtures.ts';
import { parseDelivery } from './intake.ts';

// Any UTF-16 code unit sequence: 'binary' code points and, as often as a fifth of the units, a
// lone surrogate half (two in a row may pair up, as they would in real text).
/** In Unicode mode a pair is one code point: only a lone half matches. */
const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);

const SEED = 20261203;
const ORG = '638';
const body = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

function refusedWith4xx(run: () => unknown): EngineError | null {
  try {
    run();
    return null;
  } catch (err) {
    assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
    assert.ok(err.status >= 400 && err.status < 500, `${err.code} answers ${err.status}`);
    return err;
  }
}

test('intake: arbitrary bytes and arbitrary JSON are split into records or refused with a 4xx naming why', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void refusedWith4xx(() => parseDelivery(Buffer.from(bytes), { orgId: ORG }))), { seed: SEED, numRuns: 500 });
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => void refusedWith4xx(() => parseDelivery(body(v), { orgId: ORG }))), { seed: SEED, numRuns: 500 });
});

const base = fixtureRecords('new-contact')[0]!;
const contacts = fc.array(
  fc.record({ id: fc.integer({ min: 1, max: 40 }), first: fc.string({ maxLength: 20, unit: anyUnit }), trigger: fc.constantFrom('new_contact', 'update_contact') }),
  { minLength: 1, maxLength: 30 },
).map((xs) => xs.map((x) => ({ ...base, webhook_record_id: String(x.id), webhook_trigger_type: x.trigger, first_name: x.first })));

test('intake: records are split in order with their dedupe keys; repeats share a key; one object is a delivery of one; lone surrogates are refused', () => {
  fc.assert(
    fc.property(contacts, (records) => {
      const allWellFormed = records.every((r) => wellFormed(r.first_name));
      let parsed: IntakeRecord[] = [];
      const refused = refusedWith4xx(() => (parsed = parseDelivery(body(records), { orgId: ORG })));
      if (!allWellFormed) {
        assert.equal(refused?.code, 'FC_ERR_RECORD_NOT_UNICODE');
        return;
      }
      assert.equal(refused, null);
      assert.deepEqual(parsed.map((r) => r.dedupeKey), records.map((r) => `${r.webhook_trigger_type}:${r.webhook_record_id}`));
      assert.deepEqual(parsed.map((r) => r.raw), records);
      const keys = new Set(parsed.map((r) => r.dedupeKey));
      const distinct = new Set(records.map((r) => `${r.webhook_trigger_type}\0${r.webhook_record_id}`));
      assert.equal(keys.size, distinct.size, 'the same record twice has one key, different records never share one');
      assert.deepEqual(parseDelivery(body(records[0]), { orgId: ORG }), parseDelivery(body([records[0]]), { orgId: ORG }));
    }),
    { seed: SEED, numRuns: 300 },
  );
});
