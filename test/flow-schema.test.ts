/**
 * schemas/flow.schema.json is generated (engine schema) from engine/flow/flow.base.schema.json and
 * the adapters' own config schemas; these tests prove the committed file has not drifted from them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { allowEditorKeywords } from '../engine/flow/editor-keywords.ts';
import addFormats from 'ajv-formats';
import { registeredAdapterSchemas, buildFlowSchema, renderFlowSchema } from '../engine/flow/index.ts';
import '../adapters/index.ts';
import { destinationAdapters, sourceAdapters } from '../engine/registry.ts';

test('the committed schemas/flow.schema.json is exactly what the generator produces', () => {
  assert.equal(readFileSync('schemas/flow.schema.json', 'utf8'), renderFlowSchema(registeredAdapterSchemas()));
});

test("each adapter's config schema is inlined unchanged under $defs", () => {
  const schema = JSON.parse(readFileSync('schemas/flow.schema.json', 'utf8')) as { $defs: Record<string, unknown> };
  for (const [section, dir] of [['source', 'flipcause'], ['destination', 'mailerlite']] as const) {
    const { $schema: _dialect, ...own } = JSON.parse(readFileSync(`adapters/${dir}/config.schema.json`, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(schema.$defs[`${section}.${dir}`], own);
  }
});

test('the generator knows every registered adapter, with the schema file it owns', () => {
  // Every adapter folder with a config schema is registered, and nothing else is.
  const folders = readdirSync('adapters', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`adapters/${d.name}/config.schema.json`))
    .map((d) => d.name);
  assert.deepEqual([...sourceAdapters(), ...destinationAdapters()].map((a) => a.name).sort(), folders.sort());
  assert.ok(folders.includes('flipcause') && folders.includes('mailerlite'));
  const schemas = registeredAdapterSchemas();
  for (const a of [...sourceAdapters(), ...destinationAdapters()]) {
    assert.deepEqual(a.configSchema, JSON.parse(readFileSync(`adapters/${a.name}/config.schema.json`, 'utf8')));
    assert.equal(schemas.sources[a.name] ?? schemas.destinations[a.name], a.configSchema);
  }
});

test('the schema compiles under strict ajv (told of the editor keywords only) and enforces the group slots of each mode', () => {
  const ajv = allowEditorKeywords(new Ajv2020({ strict: true, allErrors: true }));
  addFormats.default(ajv);
  const validate = ajv.compile(buildFlowSchema(registeredAdapterSchemas()));
  const flow = (mode: string, groups: Record<string, string[]>) => ({
    flow: 'x',
    source: { flipcause: { org_id: '1', since: '2026-01-01', signing_secret: '${env:X}' } },
    policy: { mode, new_status: 'active', groups },
    destination: { mailerlite: { api_key: '${env:Y}' } },
  });
  assert.equal(validate(flow('mailing_list', { new: [], existing: ['A'] })), true);
  assert.equal(validate(flow('all_contacts', { new: ['A'], unconfirmed: [] })), true);
  assert.equal(validate(flow('all_contacts_by_list', { mailing_list: ['A'], not_on_list: ['B'] })), true);
  assert.equal(validate(flow('all_contacts', { new: ['A'], existing: ['B'] })), false);
  assert.equal(validate(flow('all_contacts_by_list', { new: ['A'], existing: ['B'] })), false);
});

test('the schema carries descriptions for editors on every flow-level key', () => {
  const schema = buildFlowSchema(registeredAdapterSchemas()) as { properties: Record<string, { description?: string; $ref?: string }> };
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (sub.$ref) continue;
    assert.ok(sub.description && sub.description.length > 20, `${key} has a description`);
  }
  assert.equal((schema.properties.settle_seconds as { default?: number }).default, 30);
});
