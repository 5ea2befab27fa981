/**
 * The payload validators of drift.ts as code generated when the CLI is built: engine/cli/build.js
 * puts in this module's place ajv's standalone code for schemas/flipcause/ (drift.ts
 * driftValidatorsCode), so a server does not compile them as it starts (about 0.15 s of CPU).
 * Run from source there are none, and drift.ts compiles the schemas.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';

export const precompiledDriftValidators: Readonly<Record<string, ValidateFunction>> | undefined = undefined;
