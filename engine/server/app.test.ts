import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowIdOf } from './app.ts';

test('the flow of a webhook URL is the segment after /hooks/, before a token or a query', () => {
  assert.equal(flowIdOf('/hooks/hope-shelter'), 'hope-shelter');
  assert.equal(flowIdOf('/hooks/hope-shelter/s3cr3t-token'), 'hope-shelter');
  assert.equal(flowIdOf('/hooks/hope-shelter?x=1'), 'hope-shelter');
  assert.equal(flowIdOf('/hooks/hope-shelter/tok?x=1'), 'hope-shelter');
  assert.equal(flowIdOf('/hooks/'), '');
  assert.equal(flowIdOf('/hooks/?a=b'), '');
});
