/**
 * A flow-test file (flows/<customer>/tests/*.yaml): its types, and loading it against
 * schemas/flow-test.schema.json. The validator is compiled once, by the first
 * file loaded (not at import, which every `engine` command that reaches the test runner pays).
 */
import { allowEditorKeywords } from '../flow/editor-keywords.ts';
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import type { FieldValue, SubscriberStatus } from '../ports/directory.ts';
import type { Outcome } from '../store/types.ts';

export interface AccountSpec {
  groups?: string[];
  fields?: Array<{ name: string; key?: string; type?: 'text' | 'number' | 'date' }>;
  subscribers?: Array<{ email: string; status?: SubscriberStatus; fields?: Record<string, FieldValue>; groups?: string[] }>;
}

export interface DeliverySpec {
  fixture?: string;
  file?: string;
  records?: Record<string, unknown>[];
  org_id?: string;
  set?: Record<string, string | number | boolean | null>;
  only?: number[];
  later?: boolean;
  status?: number;
}

export interface OutcomeExpectation {
  record: string;
  trigger?: string;
  outcome: Outcome;
  reason?: string;
  error?: string;
}

export interface SubscriberExpectation {
  email: string;
  status?: SubscriberStatus;
  groups?: string[];
  fields?: Record<string, FieldValue>;
}

export interface RequestExpectation {
  method: 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface Expectations {
  outcomes?: OutcomeExpectation[];
  subscribers?: SubscriberExpectation[];
  allow_other_subscribers?: boolean;
  requests?: RequestExpectation[];
}

export interface TestCase {
  name: string;
  description?: string;
  account?: AccountSpec;
  deliveries: DeliverySpec[];
  expect: Expectations;
}

export interface CaseFile {
  file: string;
  description?: string;
  cases: TestCase[];
}

let compiled: ValidateFunction | undefined;

function caseFileValidator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/flow-test.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    // strictRequired is off: the delivery's oneOf names properties declared one level up.
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true, verbose: true });
    compiled = allowEditorKeywords(ajv).compile(schema);
  }
  return compiled;
}

/** Thrown for a test file that cannot be read, parsed or does not match the schema. */
export class CaseFileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath === '' ? '(top level)' : e.instancePath.slice(1).replaceAll('/', '.');
  if (e.keyword === 'additionalProperties') return `${at}: unknown key "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'oneOf' && at.includes('deliveries')) return `${at}: give exactly one of fixture, file or records`;
  // The schema's own words for a pattern, as an editor shows them.
  const readable = (e.parentSchema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage;
  if (e.keyword === 'pattern' && typeof readable === 'string') return `${at}: ${readable}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

export function loadCaseFile(file: string): CaseFile {
  let doc: unknown;
  try {
    // Merge keys (<<: *anchor) let cases share an account and vary one subscriber.
    doc = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  } catch (err) {
    throw new CaseFileError(file, [(err as Error).message]);
  }
  const validateCaseFile = caseFileValidator();
  if (!validateCaseFile(doc)) {
    const problems = (validateCaseFile.errors ?? []).filter((e) => e.keyword !== 'not' && e.keyword !== 'required' || !e.schemaPath.includes('oneOf'));
    throw new CaseFileError(file, [...new Set(problems.map(describeError))]);
  }
  return { file, ...(doc as Omit<CaseFile, 'file'>) };
}
