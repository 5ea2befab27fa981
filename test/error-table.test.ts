/**
 * The error table is whole: every code the source uses is defined in a table, every defined code
 * is used somewhere besides its definition, no code is defined twice, and `engine errors` lists
 * every table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCodes as fastifyErrorCodes } from 'fastify';
import { command, errorEntries, renderErrorTable } from '../engine/cli/commands/errors.ts';
import { checkErrorCodes, codeOccurrences, describe, type SourceText } from './support/error-codes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(): SourceText[] {
  return ['engine', 'adapters'].flatMap((dir) =>
    (readdirSync(join(root, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort()
      .map((f) => ({ file: join(dir, f), text: readFileSync(join(root, dir, f), 'utf8') })),
  );
}

// Codes of a library the source recognises: fastify's own errors (FST_ERR_…).
const FOREIGN = new Set(Object.keys(fastifyErrorCodes));

test('every error code used in engine/ and adapters/ is defined, and every defined code is used', () => {
  const report = checkErrorCodes(sources(), FOREIGN);
  assert.deepEqual(report.undefinedUses.map(describe), [], 'codes used but defined in no table');
  assert.deepEqual(report.unused.map(describe), [], 'codes defined but never used');
  assert.deepEqual(report.duplicates.map(describe), [], 'codes defined twice');
});

test('the checker fails on a planted undefined code, an unused definition and a duplicate', () => {
  const table = {
    file: 'planted/errors.ts',
    text: `import { defineErrors } from '../errors.ts';
export const PlantedErrors = defineErrors({
  PLANT_ERR_USED: { kind: 'permanent', message: 'used' },
  PLANT_ERR_UNUSED: { kind: 'permanent', message: 'never raised' },
  'PLANT_ERR_QUOTED': { kind: 'input', message: 'raised by its string' },
});`,
  };
  const user = {
    file: 'planted/user.ts',
    text: `import { PlantedErrors } from './errors.ts';
// PLANT_ERR_UNUSED is only mentioned in this comment, which does not count as a use.
/* nor PLANT_ERR_IN_BLOCK_COMMENT here */
export const a = PlantedErrors.PLANT_ERR_USED();
export const url = 'http://example.org/PLANT_ERR_QUOTED'; // a // in a string is not a comment
export const b = { code: 'PLANT_ERR_TYPO', at: \`\${url} PLANT_ERR_IN_TEMPLATE\` };
export const again = defineErrors({ PLANT_ERR_USED: { kind: 'permanent', message: 'twice' } });`,
  };
  const report = checkErrorCodes([table, user], FOREIGN);
  assert.deepEqual(report.undefinedUses.map(describe), ['PLANT_ERR_TYPO at planted/user.ts:6', 'PLANT_ERR_IN_TEMPLATE at planted/user.ts:6']);
  assert.deepEqual(report.unused.map(describe), ['PLANT_ERR_UNUSED at planted/errors.ts:4']);
  assert.deepEqual(report.duplicates.map(describe), ['PLANT_ERR_USED at planted/user.ts:7']);
  // The same files without the planted faults pass.
  const clean = checkErrorCodes([{ ...table, text: table.text.replace(/ {2}PLANT_ERR_UNUSED.*\n/, '') }, { file: user.file, text: 'PlantedErrors.PLANT_ERR_USED(); f("PLANT_ERR_QUOTED");' }]);
  assert.deepEqual(clean, { undefinedUses: [], unused: [], duplicates: [] });
});

test('a foreign code is a use of nothing of ours: accepted only when the library defines it', () => {
  const text = "if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.code === 'FST_ERR_NOT_A_FASTIFY_CODE') {}";
  const report = checkErrorCodes([{ file: 'app.ts', text }], FOREIGN);
  assert.deepEqual(report.undefinedUses.map((o) => o.code), ['FST_ERR_NOT_A_FASTIFY_CODE']);
});

test('engine errors lists every code defined in the source, with what happens on failure', () => {
  const defined = sources().flatMap(codeOccurrences).filter((o) => o.definition).map((o) => o.code).sort();
  const listed = errorEntries().map((e) => e.code).sort();
  assert.deepEqual(listed, defined, 'engine errors must import every table (engine/cli/commands/errors.ts)');

  const entry = (code: string) => errorEntries().find((e) => e.code === code)!;
  assert.deepEqual(entry('ENGINE_ERR_UNKNOWN_GROUP').onFailure, {
    action: 'retry', inRequest: null, schedule: 'fixed', firstDelayMs: 1_000, maxDelayMs: 1_000, limit: 3, refresh: 'directory', deadAs: 'ENGINE_ERR_UNKNOWN_GROUP',
  });
  assert.deepEqual(entry('ML_ERR_BAD_RESPONSE').onFailure, {
    action: 'retry', inRequest: null, schedule: 'backoff', firstDelayMs: 30_000, maxDelayMs: 3_600_000, limit: 25, refresh: null, deadAs: 'ENGINE_ERR_RETRIES_EXHAUSTED',
  });
  const server = entry('ML_ERR_SERVER').onFailure;
  assert.deepEqual(server.action === 'retry' ? server.inRequest : null, { retries: 4, minBackoffMs: 250, maxBackoffMs: 10_000, maxRetryTimeMs: 60_000 });
  assert.deepEqual(entry('ML_ERR_UNAUTHENTICATED').onFailure, { action: 'pause' });
  assert.deepEqual(entry('ML_ERR_INVALID_EMAIL').onFailure, { action: 'dead' });

  const lines = renderErrorTable(errorEntries()).split('\n');
  assert.match(lines[0]!, /^CODE +KIND +STATUS +ON FAILURE +MESSAGE$/);
  const line = (code: string) => lines.find((l) => l.startsWith(code + ' '))!;
  assert.match(line('ML_ERR_SUBSCRIBER_UNSUBSCRIBED'), /permanent +422 +retry: refresh directory, every 1 s, 3 attempts, then dead as ML_ERR_SUBSCRIBER_UNSUBSCRIBED +subscriber \{subscriberId\} is unsubscribed/);
  assert.match(line('ML_ERR_RATE_LIMITED'), /retryable +429 +retry: in request 4x 250 ms\.\.10 s \(<= 1 min\), backoff 30 s\.\.1 h, 25 attempts/);
  assert.match(line('ENGINE_ERR_ADMIN_AUTH'), /input +401 +dead-letter +admin API needs a valid bearer token/);
});

test('engine errors --format json prints the entries; another format is a usage error', async () => {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    assert.equal(await command.run(['--format', 'json']), 0);
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(JSON.parse(out), errorEntries());
  await assert.rejects(command.run(['--format', 'yaml']), /--format must be text or json, not 'yaml'/);
});
