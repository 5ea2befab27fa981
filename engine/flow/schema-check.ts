/**
 * Schema validation of a parsed flow: one ajv validator (strict, all errors, defaults applied),
 * made once, by the first validation (not at import: `engine help` and most commands never
 * validate a flow), for the registered adapters; and a translation of ajv's errors into diagnostics that
 * point at the offending key or value and read like advice rather than JSON Schema jargon.
 * The built CLI carries the validator for the built-in adapters as code generated at build time
 * (precompiled-flow-validator.ts); from source, or for another set of adapters, it is compiled here.
 */
import { Ajv2020, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { registryVersion } from '../registry.ts';
import { registeredAdapterSchemas } from './adapter-schemas.ts';
import { buildFlowSchema } from './schema-build.ts';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import type { FlowSource } from './flow-source.ts';
import { formatYamlPath, pointerToPath, type PathSegment } from './yaml-path.ts';
import { didYouMean } from './did-you-mean.ts';
import { allowEditorKeywords } from './editor-keywords.ts';
import { precompiledFlowValidator } from './precompiled-flow-validator.ts';

let compiled: { version: number; validate: ValidateFunction } | undefined;

/**
 * The one ajv set-up of the flow schema, for validating here and for the code generated at build
 * time (`code`: ajv's standalone options), so both validate and report alike.
 */
export function flowSchemaAjv(code?: CodeOptions): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: true, verbose: true, ...(code ? { code } : {}) });
  // ajv-formats is CommonJS: its default import is the module object, whose `default` is the plugin.
  addFormats.default(ajv);
  return allowEditorKeywords(ajv);
}

/** The flow schema for the adapters registered now. */
export function currentFlowSchema(): Record<string, unknown> {
  return buildFlowSchema(registeredAdapterSchemas());
}

/**
 * The flow validator for the registered adapters: made once, again only if an adapter registers
 * later. The build's generated validator is taken only for the very schema it was generated from.
 */
function flowValidator(): ValidateFunction {
  if (compiled?.version !== registryVersion()) {
    const schema = currentFlowSchema();
    const validate = precompiledFlowValidator?.schema === JSON.stringify(schema) ? precompiledFlowValidator.validate : flowSchemaAjv().compile(schema);
    compiled = { version: registryVersion(), validate };
  }
  return compiled.validate;
}

const groupSlotsPath = '/policy/groups';

function describe(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function expectedType(type: string | string[]): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false' };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join(' or ');
}

function typeHint(expected: string | string[], value: unknown, path: readonly PathSegment[]): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return ` (quote it: "${String(value)}")`;
  if (expected === 'array' && typeof value === 'string') return ` (write a list: [${value}])`;
  if (path.length === 0) return ': a flow file is a mapping with the keys flow, source, policy and destination';
  return '';
}

function propertyNames(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function groupSlots(data: unknown): { mode: string; slots: string[] } {
  const mode = String((data as { policy?: { mode?: unknown } }).policy?.mode);
  const slots: Record<string, string[]> = {
    mailing_list: ['new', 'existing'],
    all_contacts: ['new', 'unconfirmed'],
    all_contacts_by_list: ['mailing_list', 'not_on_list'],
  };
  return { mode, slots: slots[mode] ?? [] };
}

function translate(err: ErrorObject, data: unknown, source: FlowSource, file: string): Diagnostic | undefined {
  const path = pointerToPath(err.instancePath, data);
  const at = (p: readonly PathSegment[], target: 'key' | 'value' = 'value') => source.locate(p, target);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'if':
      // The failing `then` branch reports the real problem.
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const keyPath = [...path, key];
      if (err.instancePath === groupSlotsPath) {
        const { mode, slots } = groupSlots(data);
        const detail = `'${key}' is not a group slot of mode ${mode} (its slots: ${slots.join(', ')})`;
        return diagnostic('FLOW_ERR_GROUP_SLOT', { detail }, file, at(keyPath, 'key'), formatYamlPath(keyPath));
      }
      const hint = didYouMean(key, propertyNames(err.parentSchema));
      return diagnostic('FLOW_ERR_UNKNOWN_KEY', { key, hint }, file, at(keyPath, 'key'), formatYamlPath(keyPath));
    }
    case 'required': {
      const key = String(params.missingProperty);
      const keyPath = [...path, key];
      if (err.instancePath === groupSlotsPath) {
        const { mode } = groupSlots(data);
        const detail = `mode ${mode} needs group slot '${key}' (a list of group names; [] for none)`;
        return diagnostic('FLOW_ERR_GROUP_SLOT', { detail }, file, at(path, 'key'), formatYamlPath(keyPath));
      }
      const hint = path.length === 0 ? '' : ` in ${formatYamlPath(path)}`;
      return diagnostic('FLOW_ERR_MISSING_KEY', { key, hint }, file, at(path, 'key'), formatYamlPath(keyPath));
    }
    case 'type': {
      const expected = params.type as string | string[];
      const params2 = { expected: expectedType(expected), actual: describe(err.data), hint: typeHint(expected, err.data, path) };
      return diagnostic('FLOW_ERR_TYPE', params2, file, at(path), formatYamlPath(path));
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String).join(', ');
      return diagnostic('FLOW_ERR_ENUM', { allowed, actual: describe(err.data) }, file, at(path), formatYamlPath(path));
    }
    case 'minProperties':
    case 'maxProperties':
      if (path.length === 1) {
        const allowed = propertyNames(err.parentSchema).join(', ');
        return diagnostic('FLOW_ERR_ADAPTER', { section: String(path[0]), allowed }, file, at(path, 'key'), formatYamlPath(path));
      }
      break;
    case 'pattern':
    case 'maxLength':
      if (err.instancePath === '/flow') {
        return diagnostic('FLOW_ERR_FLOW_ID', { id: String(err.data) }, file, at(path), formatYamlPath(path));
      }
      if (err.keyword === 'pattern') {
        // The schema's own words for the pattern (an editor shows the same), never the value:
        // it may be a secret pasted where its reference belongs.
        const readable = (err.parentSchema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage;
        const detail = typeof readable === 'string' ? readable : `${describe(err.data)} does not match the pattern ${String(params.pattern)}`;
        return diagnostic('FLOW_ERR_VALUE', { detail }, file, at(path), formatYamlPath(path));
      }
      break;
    case 'minLength':
      if (params.limit === 1) return diagnostic('FLOW_ERR_VALUE', { detail: 'must not be empty' }, file, at(path), formatYamlPath(path));
      break;
    case 'format': {
      const detail = `${describe(err.data)} is not a valid ${String(params.format)}`;
      return diagnostic('FLOW_ERR_VALUE', { detail }, file, at(path), formatYamlPath(path));
    }
    case 'minimum':
    case 'maximum': {
      const bound = err.keyword === 'minimum' ? 'at least' : 'at most';
      const detail = `must be ${bound} ${String(params.limit)}, got ${describe(err.data)}`;
      return diagnostic('FLOW_ERR_VALUE', { detail }, file, at(path), formatYamlPath(path));
    }
    case 'uniqueItems': {
      // ajv names the two equal items; point at the later one.
      const index = Math.max(Number(params.i), Number(params.j));
      const itemPath = [...path, index];
      const item = Array.isArray(err.data) ? err.data[index] : undefined;
      const detail = `${describe(item)} is listed twice`;
      return diagnostic('FLOW_ERR_VALUE', { detail }, file, at(itemPath), formatYamlPath(itemPath));
    }
  }
  return diagnostic('FLOW_ERR_VALUE', { detail: err.message ?? err.keyword }, file, at(path), formatYamlPath(path));
}

/**
 * Validates `data` (a fresh object: ajv fills in defaults such as settle_seconds) and returns
 * one diagnostic per problem.
 */
export function checkSchema(data: unknown, source: FlowSource, file: string): Diagnostic[] {
  const validateFlow = flowValidator();
  if (validateFlow(data)) return [];
  const out: Diagnostic[] = [];
  for (const err of validateFlow.errors ?? []) {
    const d = translate(err, data, source, file);
    if (d) out.push(d);
  }
  return out;
}
