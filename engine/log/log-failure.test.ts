import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineError } from '../errors.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { MlErrors } from '../../adapters/mailerlite/index.ts';
import { logFailure } from './log-failure.ts';
import { createLogger } from './logger.ts';
import '../../adapters/index.ts';

async function lineFor(err: unknown): Promise<{ text: string; line: Record<string, any> }> {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  logFailure(log, err, { account: 'acct', code: (err as EngineError).code }, 'cannot load groups; will retry');
  log.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(lines.length, 1);
  return { text: lines[0]!, line: JSON.parse(lines[0]!) as Record<string, any> };
}

const expected: [string, EngineError][] = [
  ['429', MlErrors.ML_ERR_RATE_LIMITED({ status: 429, retryAfterMs: 60_000 })],
  ['408', MlErrors.ML_ERR_REQUEST_TIMEOUT({ status: 408 })],
  ['5xx', MlErrors.ML_ERR_SERVER({ status: 503 })],
  ['timeout', MlErrors.ML_ERR_TIMEOUT({ timeoutMs: 10_000 }, { cause: new DOMException('aborted', 'TimeoutError') })],
  ['reset', MlErrors.ML_ERR_NETWORK({ reason: 'ECONNRESET' }, { cause: new TypeError('fetch failed') })],
];

for (const [what, err] of expected) {
  test(`expected and retried (${what}): a warning with its code and name, no stack`, async () => {
    const { text, line } = await lineFor(err);
    assert.equal(line.level, 40);
    assert.equal(line.msg, 'cannot load groups; will retry');
    assert.equal(line.code, err.code);
    assert.equal(line.err.name, 'EngineError');
    assert.equal(line.err.code, err.code);
    assert.equal(line.err.message, err.message);
    assert.equal('stack' in line.err, false);
    assert.doesNotMatch(text, /\\n\s+at |errors\.ts:\d+/, 'no stack frame anywhere in the line');
  });
}

const unexpected: [string, unknown][] = [
  ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['an internal error', PipelineErrors.ENGINE_ERR_INTERNAL({ detail: 'database or disk is full' })],
  ['an unreadable answer', MlErrors.ML_ERR_BAD_RESPONSE({ reason: 'groups: no data array' })],
  ['a refused key', MlErrors.ML_ERR_UNAUTHENTICATED({ status: 401 })],
  ['a permanent refusal', MlErrors.ML_ERR_NOT_FOUND({ status: 404 })],
];

for (const [what, err] of unexpected) {
  test(`unexpected (${what}): an error with its stack`, async () => {
    const { line } = await lineFor(err);
    assert.equal(line.level, 50);
    assert.equal(line.err.name, (err as Error).name);
    assert.match(line.err.stack, /\n\s+at /);
  });
}

test('PII in a failure\'s message is masked at either level', async () => {
  const warn = await lineFor(Object.assign(MlErrors.ML_ERR_SERVER({ status: 502 }), { message: 'upstream said jane.doe@example.org is busy' }));
  const error = await lineFor(PipelineErrors.ENGINE_ERR_INTERNAL({ detail: 'no subscriber JANE.DOE@EXAMPLE.ORG' }));
  assert.equal(warn.line.level, 40);
  assert.equal(error.line.level, 50);
  for (const { text } of [warn, error]) assert.doesNotMatch(text, /jane\.doe@example\.org/i);
  assert.match(error.line.err.stack, /\[redacted\]/);
});
