import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanMapped } from './mapped.ts';
import { PipelineErrors } from './errors.ts';

test('empty mapped values are dropped, never sent; the email is lower-cased', () => {
  const out = cleanMapped({ email: ' Jane@Example.ORG ', fields: { name: 'Jane', city: '', state: null, zip: '  ', amount: 25, vip: true, gone: undefined } });
  assert.deepEqual(out, { email: 'jane@example.org', fields: { name: 'Jane', amount: 25, vip: 'yes' } });
  assert.deepEqual(cleanMapped({ fields: {} }), { email: null, fields: {} });
});

test('a mapping of the wrong shape is a permanent error naming what it produced', () => {
  for (const bad of [null, [], 'x', { email: 5 }, { fields: [] }, { fields: { address: { line1: 'x' } } }]) {
    assert.throws(() => cleanMapped(bad), (err: unknown) => PipelineErrors.ENGINE_ERR_MAPPING_OUTPUT.is(err) && err.kind === 'permanent', JSON.stringify(bad));
  }
});
