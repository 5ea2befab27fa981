/**
 * The registered adapters' config schemas (each adapter declares its own, from the file it owns),
 * from which the flow schema is built. The composition root registers the adapters first
 * (adapters/index.ts); test/flow-schema.test.ts proves schemas/flow.schema.json matches them.
 */
import { destinationAdapters, sourceAdapters } from '../registry.ts';
import type { JsonSchema } from './schema-build.ts';

export interface AdapterSchemas {
  sources: Record<string, JsonSchema>;
  destinations: Record<string, JsonSchema>;
}

export function registeredAdapterSchemas(): AdapterSchemas {
  return {
    sources: Object.fromEntries(sourceAdapters().map((a) => [a.name, a.configSchema])),
    destinations: Object.fromEntries(destinationAdapters().map((a) => [a.name, a.configSchema])),
  };
}
