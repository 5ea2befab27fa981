/**
 * Build time (engine/cli/build.js): the validators a server would otherwise compile as it starts,
 * generated as ajv's standalone code, each keyed by the source module the build puts it in place
 * of. Each validator's ajv set-up and schema stay in the module that uses it; this only asks them
 * for their code. A composition root: the flow schema is the one of the built-in adapters.
 */
import '../../adapters/index.ts';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { driftValidatorsCode } from '../../adapters/flipcause/index.ts';
import { currentFlowSchema, flowSchemaAjv } from '../flow/schema-check.ts';

export function standaloneValidators(): Record<string, string> {
  const ajv = flowSchemaAjv({ source: true, esm: true });
  const schema = currentFlowSchema();
  const validate = ajv.compile(schema);
  const flow = `${standaloneCode.default(ajv, validate)}\nexport const precompiledFlowValidator = { schema: ${JSON.stringify(JSON.stringify(schema))}, validate };\n`;
  return {
    'engine/flow/precompiled-flow-validator.ts': flow,
    'adapters/flipcause/precompiled-drift-validators.ts': driftValidatorsCode((a, refs) => standaloneCode.default(a, refs)),
  };
}
