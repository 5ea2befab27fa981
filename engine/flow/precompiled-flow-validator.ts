/**
 * The flow validator as code generated when the CLI is built: engine/cli/build.js puts in this
 * module's place ajv's standalone code for the built-in adapters' flow schema
 * (engine/cli/standalone-validators.ts), so a server does not compile the schema as it starts
 * (about 0.15 s of CPU). Run from source there is none, and schema-check.ts compiles the schema.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';

export interface PrecompiledValidator {
  /** The schema it was generated from, as JSON text: used only while the schema is the same. */
  schema: string;
  validate: ValidateFunction;
}

export const precompiledFlowValidator: PrecompiledValidator | undefined = undefined;
