/**
 * schemas/normalised-event.schema.json is generated from the normalised event's TypeScript types
 * (npm run schema:event); these tests prove the committed file has not drifted from them, that
 * the generator really follows the types, and that real normalised events satisfy it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { EVENT_SCHEMA_FILE, EVENT_TYPES_FILE, buildEventSchema, renderEventSchema } from '../engine/flow/event-schema-build.ts';
import { fixtureNames, fixtureRecords, normalise } from '../adapters/flipcause/index.ts';

test('the committed normalised-event schema is exactly what the generator makes of the types', () => {
  assert.equal(readFileSync(EVENT_SCHEMA_FILE, 'utf8'), renderEventSchema(EVENT_TYPES_FILE));
});

test('a field added to the types changes the schema (the types are the source)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'event-types-'));
  try {
    const types = readFileSync(EVENT_TYPES_FILE, 'utf8').replace('  campaign: string | null;', '  campaign: string | null;\n  /** A new field. */\n  campaign_slug?: string;');
    const file = join(dir, 'event.ts');
    writeFileSync(file, types);
    const schema = buildEventSchema(file) as { $defs: { EventInfo: { properties: Record<string, unknown>; required: string[] } } };
    assert.deepEqual(schema.$defs.EventInfo.properties.campaign_slug, { description: 'A new field.', type: 'string' });
    assert.equal(schema.$defs.EventInfo.required.includes('campaign_slug'), false);
    assert.equal(schema.$defs.EventInfo.required.includes('campaign'), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every normalised sample event satisfies the schema under strict ajv, and a stray field does not', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(EVENT_SCHEMA_FILE, 'utf8')) as object);
  let checked = 0;
  for (const name of fixtureNames()) {
    for (const raw of fixtureRecords(name)) {
      const event = normalise(raw);
      assert.equal(validate(event), true, `${name}: ${JSON.stringify(validate.errors)}`);
      checked += 1;
    }
  }
  assert.ok(checked >= 5, `checked ${checked} events`);
  const event = normalise(fixtureRecords(fixtureNames()[0]!)[0]!);
  assert.equal(validate({ ...event, contact: { ...event.contact, adress: {} } }), false);
});
