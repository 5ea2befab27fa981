/**
 * FLOW_ERR_…: every problem a flow file can have, one stable code each. Validation reports them
 * as diagnostics (see diagnostic.ts); the secret resolver throws them. All are input errors: the
 * file is wrong, and retrying will not help. A code listed in `warningCodes` is reported as a
 * warning: it does not fail `engine validate` (only `engine validate --strict`). Each adapter
 * checks its own block and defines the codes of what it finds (e.g. adapters/flipcause/config-check.ts).
 */
import { defineErrors } from '../errors.ts';

export const flowErrors = defineErrors({
  // Reading the file.
  FLOW_ERR_FILE_MISSING: { kind: 'input', message: 'no such file' },
  FLOW_ERR_FILE_UNREADABLE: { kind: 'input', message: 'cannot read the file: {reason}' },
  FLOW_ERR_FILE_EMPTY: { kind: 'input', message: 'the file is empty: a flow needs at least flow, source, policy and destination' },
  FLOW_ERR_FILE_BINARY: { kind: 'input', message: 'not a text file ({reason}): a flow file is UTF-8 YAML' },
  FLOW_ERR_NO_FLOWS: { kind: 'input', message: 'no flow.yaml or *.flow.yaml file below this directory' },
  // YAML.
  FLOW_ERR_YAML_SYNTAX: { kind: 'input', message: 'YAML syntax error: {detail}' },
  FLOW_ERR_YAML_DUPLICATE_KEY: { kind: 'input', message: "key '{key}' appears twice in the same mapping" },
  FLOW_ERR_YAML_MULTIPLE_DOCUMENTS: { kind: 'input', message: 'a flow file holds one YAML document; found another one here' },
  FLOW_ERR_YAML_WARNING: { kind: 'input', message: 'YAML: {detail}' },
  // Schema (schemas/flow.schema.json).
  FLOW_ERR_UNKNOWN_KEY: { kind: 'input', message: "unknown key '{key}'{hint}" },
  FLOW_ERR_MISSING_KEY: { kind: 'input', message: "missing required key '{key}'{hint}" },
  FLOW_ERR_TYPE: { kind: 'input', message: 'must be {expected}, got {actual}{hint}' },
  FLOW_ERR_ENUM: { kind: 'input', message: 'must be one of {allowed}, got {actual}' },
  FLOW_ERR_VALUE: { kind: 'input', message: '{detail}' },
  FLOW_ERR_ADAPTER: { kind: 'input', message: '{section} needs exactly one of: {allowed}' },
  FLOW_ERR_GROUP_SLOT: { kind: 'input', message: '{detail}' },
  FLOW_ERR_FLOW_ID: {
    kind: 'input',
    message: "flow id '{id}' must be lowercase letters, digits and single dashes, at most 63 characters (it is the webhook path /hooks/<flow>)",
  },
  // Expressions.
  FLOW_ERR_JSONATA_SYNTAX: { kind: 'input', message: 'JSONata syntax error in {field}: {detail} ({jsonataCode})' },
  FLOW_ERR_JSONATA_FUNCTION: { kind: 'input', message: '{field} calls ${name}, which is neither a JSONata function nor one of the engine\'s ({engine}){hint}' },
  // Paths in expressions, checked against schemas/normalised-event.schema.json and the payload schemas.
  FLOW_ERR_PATH_UNKNOWN: {
    kind: 'input',
    message: "{field} reads {path}, which never exists: {parent} has no field '{name}'{hint}",
  },
  FLOW_ERR_PATH_NOT_OBJECT: { kind: 'input', message: '{field} reads {path}, which never exists: {parent} is a {actual}, not an object' },
  FLOW_ERR_RAW_FIELD_UNKNOWN: {
    kind: 'input',
    message: "{field} reads {path}, a field no {triggers} record is documented to carry{hint}; raw is the record as sent, so check the name against a real delivery",
  },
  FLOW_ERR_ARGUMENT_TYPE: { kind: 'input', message: '{field} calls ${fn} on {path}, which is {actual} in the event: {effect}' },
  // Secrets.
  FLOW_ERR_SECRET_LITERAL: {
    kind: 'input',
    message: '{key} must be a reference such as ${env:NAME} or ${file:path}, never the secret itself',
  },
  FLOW_ERR_SECRET_REF: { kind: 'input', message: "'{ref}' is not a secret reference: use ${env:NAME} or ${file:path}" },
  FLOW_ERR_SECRET_UNSET: { kind: 'input', message: 'environment variable {name} (from {ref}) is not set or empty' },
  FLOW_ERR_SECRET_FILE: { kind: 'input', message: 'secret file {path} (from {ref}) cannot be read: {reason}' },
  FLOW_ERR_SECRET_REUSED: {
    kind: 'input',
    message: "{key} {ref} is also used by flow '{other}' ({otherAt}): each customer needs a secret of its own",
  },
  // Fleet.
  FLOW_ERR_DUPLICATE_FLOW_ID: {
    kind: 'input',
    message: "flow id '{id}' is also used by {otherAt}: flow ids are webhook paths and must be unique",
  },
});

export type FlowErrorCode = keyof typeof flowErrors;

/** Codes reported as warnings: worth a look, not a reason to refuse the flow. */
export const warningCodes: ReadonlySet<FlowErrorCode> = new Set<FlowErrorCode>([
  'FLOW_ERR_YAML_WARNING',
  'FLOW_ERR_RAW_FIELD_UNKNOWN',
  'FLOW_ERR_ARGUMENT_TYPE',
]);
