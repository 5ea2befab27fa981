import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';
import { isPiiKey, redact, REDACTED, redactError } from './redact.ts';
import { registerSource, sourceAdapter } from '../registry.ts';
import { MlErrors } from '../../adapters/mailerlite/index.ts';
// The adapters declare their payloads' PII keys (PD_…, z_i_p): registered as a server would.
import '../../adapters/index.ts';

function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

test('PII keys are redacted at any depth, other values kept', () => {
  const out = redact({
    flow: 'hope-shelter',
    contact: { email: 'jane@example.org', first_name: 'Jane', phone: { number: '5105550100' } },
    raw: { PD_first_name: 'Jane', address: '1 Main St', amount: '25.00' },
  }) as Record<string, any>;
  assert.equal(out.flow, 'hope-shelter');
  assert.equal(out.contact.email, REDACTED);
  assert.equal(out.contact.first_name, REDACTED);
  assert.equal(out.contact.phone, REDACTED);
  assert.equal(out.raw.PD_first_name, REDACTED);
  assert.equal(out.raw.address, REDACTED);
  assert.equal(out.raw.amount, '25.00');
});

test('emails inside free text are masked, also in error bodies echoed by MailerLite', () => {
  const out = redact({ body: { message: 'jane.doe+x@example.org is unsubscribed', errors: { email: ['bad JANE@EXAMPLE.ORG'] } } }) as any;
  assert.equal(out.body.message, `${REDACTED} is unsubscribed`);
  assert.deepEqual(out.body.errors.email, REDACTED);
});

test('the logger writes no email, name or phone in clear, in objects, messages or errors', async () => {
  const { lines, stream } = sink();
  const log = createLogger({ destination: stream });
  log.info({ contact: { email: 'jane@example.org', last_name: 'Doe' } }, 'processed jane@example.org');
  log.error({ err: new Error('422 for jane@example.org') }, 'failed');
  log.flush();
  await new Promise((r) => setImmediate(r));
  const text = lines.join('');
  assert.equal(lines.length, 2);
  assert.doesNotMatch(text, /jane@example\.org/i);
  assert.doesNotMatch(text, /"Doe"/);
  assert.match(text, /processed \[redacted\]/);
});

/** What the logger writes for these calls, parsed. */
async function logged(write: (log: ReturnType<typeof createLogger>) => void): Promise<Record<string, any>[]> {
  const { lines, stream } = sink();
  const log = createLogger({ destination: stream });
  write(log);
  log.flush();
  await new Promise((r) => setImmediate(r));
  return lines.map((l) => JSON.parse(l) as Record<string, any>);
}

test('err.name is left alone (an error class, not a person), while a name in data is still redacted', async () => {
  const engineError = MlErrors.ML_ERR_RATE_LIMITED({ status: 429, retryAfterMs: 1000 });
  const [a, b, c] = await logged((log) => {
    log.warn({ err: engineError, contact: { name: 'Jane Doe' } }, 'limited');
    log.error({ err: new TypeError('cannot read jane@example.org') }, 'bug');
    log.error(MlErrors.ML_ERR_TIMEOUT({ timeoutMs: 5 }));
  });
  assert.equal(a!.err.name, 'EngineError');
  assert.equal(a!.err.type, 'EngineError');
  assert.equal(a!.err.code, 'ML_ERR_RATE_LIMITED');
  assert.equal(a!.err.status, 429);
  assert.equal(a!.contact.name, REDACTED);
  assert.equal(b!.err.name, 'TypeError');
  assert.equal(b!.err.message, `cannot read ${REDACTED}`);
  assert.doesNotMatch(b!.err.stack, /jane@example\.org/);
  assert.equal(c!.err.name, 'EngineError', 'an error given as the first argument too');
});

test('an error\'s own PII fields are redacted; its stack only when asked', () => {
  const err = Object.assign(new Error('refused'), { email: 'jane@example.org', subscriber: { first_name: 'Jane' }, code: 'X' });
  const out = redactError(err);
  assert.equal(out.name, 'Error');
  assert.equal(out.email, REDACTED);
  assert.deepEqual(out.subscriber, { first_name: REDACTED });
  assert.equal(out.code, 'X');
  assert.match(String(out.stack), /^Error: refused\n\s+at /);
  assert.equal('stack' in redactError(err, { stack: false }), false);
  assert.equal(redact(out), out, 'redacting it again changes nothing');
});

test('an object nested deeper than a log field needs is dropped, never passed on with its text unscrubbed', () => {
  let deep: unknown = { note: 'write to donor@example.org' };
  for (let i = 0; i < 12; i++) deep = { level: deep };
  const text = JSON.stringify(redact(deep));
  assert.ok(!text.includes('donor@example.org'), text);
  assert.ok(text.includes('[too deep]'), text);
  // Within the depth limit the text is kept, scrubbed.
  assert.deepEqual(redact({ a: { note: 'write to donor@example.org' } }), { a: { note: `write to ${REDACTED}` } });
});

test('a key is judged once and remembered, until an adapter registers: its PII keys count at once', () => {
  for (let i = 0; i < 2; i++) {
    assert.equal(isPiiKey('PD_email'), true);
    assert.equal(isPiiKey('flow'), false);
  }
  // More distinct keys than are remembered: each is still judged right.
  for (let i = 0; i < 5000; i++) assert.equal(isPiiKey(`field_${i}`), false);
  assert.equal(isPiiKey('PD_first_name'), true);
  assert.equal(isPiiKey('zz_pet_name'), false);
  const flipcause = sourceAdapter('flipcause')!;
  registerSource({ ...flipcause, name: 'redact-test-source', piiKeys: ['zz_pet_name'] });
  assert.equal(isPiiKey('zz_pet_name'), true, 'the answer given before the adapter registered is not reused');
  assert.equal(isPiiKey('flow'), false);
});
