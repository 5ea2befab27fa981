import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { driftWarnings } from './drift.ts';
import { fixtureNames, fixtureRecords } from './fixtures.ts';

const without = (r: Record<string, unknown>, ...keys: string[]): Record<string, unknown> => {
  const copy = { ...r };
  for (const k of keys) delete copy[k];
  return copy;
};
const first = (fixture: string, i = 0): Record<string, unknown> => fixtureRecords(fixture)[i]!;

describe('driftWarnings', () => {
  for (const name of fixtureNames()) {
    it(`no warnings for the sample delivery ${name}`, () => {
      for (const r of fixtureRecords(name)) assert.deepEqual(driftWarnings(r), []);
    });
  }

  it('extra fields are fine', () => {
    assert.deepEqual(driftWarnings({ ...first('refund'), brand_new_field: 'x', DD_new: 'y' }), []);
  });

  it('warns when a known transaction field disappears', () => {
    assert.deepEqual(driftWarnings(without(first('refund'), 'email', 'associated_activity_IDs')), [
      'new_transaction: field "email" is missing',
      'new_transaction: field "associated_activity_IDs" is missing',
    ]);
  });

  it('warns when a published activity field disappears', () => {
    assert.deepEqual(driftWarnings(without(first('donation-with-opt-in'), 'AD_transaction_id')), [
      'new_activity: field "AD_transaction_id" is missing',
    ]);
  });

  it('warns when an activity carries no email field under any candidate name', () => {
    const warnings = driftWarnings(without(first('donation-with-opt-in'), 'PD_email'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^new_activity: no email field \(looked for .*PD_email/);
  });

  it('warns when update_contact loses updated_on', () => {
    assert.deepEqual(driftWarnings(without(first('update-contact-tags'), 'updated_on')), [
      'update_contact: field "updated_on" is missing',
    ]);
  });

  it('warns when a value is not a string', () => {
    assert.deepEqual(driftWarnings({ ...first('refund'), total_transaction_amount: 50 }), [
      'new_transaction: field "total_transaction_amount" is not a string',
    ]);
  });

  it('says nothing about unknown or merchant triggers', () => {
    assert.deepEqual(driftWarnings(first('unknown-trigger')), []);
    assert.deepEqual(driftWarnings({}), []);
  });

  it('compiles nothing per call', () => {
    const proto = Ajv2020.prototype as unknown as { compile: (...a: unknown[]) => unknown };
    const original = proto.compile;
    let compiles = 0;
    proto.compile = function (this: unknown, ...a: unknown[]) {
      compiles++;
      return original.apply(this, a);
    };
    try {
      for (const name of fixtureNames()) for (const r of fixtureRecords(name)) driftWarnings(r);
    } finally {
      proto.compile = original;
    }
    assert.equal(compiles, 0);
  });
});
