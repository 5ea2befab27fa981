/**
 * The built-in adapters' config schemas, read from the files each adapter owns (the same files
 * its index.ts registers as `configSchema`). Taken from the files rather than the registry so
 * that generating and checking the flow schema does not load adapter code (HTTP clients, …);
 * test/flow-schema.test.ts proves schemas/flow.schema.json matches them.
 */
import flipcause from '../../adapters/flipcause/config.schema.json' with { type: 'json' };
import mailerlite from '../../adapters/mailerlite/config.schema.json' with { type: 'json' };
import type { JsonSchema } from './schema-build.ts';

export interface AdapterSchemas {
  sources: Record<string, JsonSchema>;
  destinations: Record<string, JsonSchema>;
}

export const builtinAdapterSchemas: AdapterSchemas = {
  sources: { flipcause: flipcause as JsonSchema },
  destinations: { mailerlite: mailerlite as JsonSchema },
};
