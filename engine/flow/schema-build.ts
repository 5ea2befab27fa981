/**
 * Builds the self-contained flow schema: the flow-level base (flow.base.schema.json) with each
 * adapter's config schema inlined under `$defs`, so an editor needs one file. `engine schema`
 * writes the result to schemas/flow.schema.json; validation compiles the same result.
 */
import base from './flow.base.schema.json' with { type: 'json' };
import type { AdapterSchemas } from './adapter-schemas.ts';

export type JsonSchema = Record<string, unknown>;

interface SlotSchema {
  properties: Record<string, unknown>;
}

function inline(schema: JsonSchema): JsonSchema {
  // `$schema` is only allowed at a schema resource's root; the flow schema declares it once.
  const { $schema: _dialect, ...rest } = structuredClone(schema);
  return rest;
}

export function buildFlowSchema(adapters: AdapterSchemas): JsonSchema {
  const schema = structuredClone(base) as JsonSchema & {
    properties: { source: SlotSchema; destination: SlotSchema };
    $defs: Record<string, unknown>;
  };
  const sections = [
    ['source', adapters.sources],
    ['destination', adapters.destinations],
  ] as const;
  for (const [section, byName] of sections) {
    for (const name of Object.keys(byName).sort()) {
      const def = `${section}.${name}`;
      schema.$defs[def] = inline(byName[name] as JsonSchema);
      schema.properties[section].properties[name] = { $ref: `#/$defs/${def}` };
    }
  }
  return schema;
}

/** The file content of schemas/flow.schema.json (stable formatting, so the check can compare text). */
export function renderFlowSchema(adapters: AdapterSchemas): string {
  return JSON.stringify(buildFlowSchema(adapters), null, 2) + '\n';
}
