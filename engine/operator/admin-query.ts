/**
 * The admin API's parameters as route schemas: each says what it accepts and, in words, what
 * it expects, so a bad one is a 400 naming it (never a value reaching SQLite as it came:
 * `limit=abc` was a 500, `limit=-1` lifted the cap, a repeated `flow=` was a 500). Unknown
 * parameters are refused too: a misspelt filter silently listing everything is worse than a 400.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaValidationError, RouteShorthandOptions } from 'fastify';
import { defineErrors } from '../errors.ts';
import type { AuditAction, Outcome, RecordStatus } from '../store/types.ts';

export const AdminQueryErrors = defineErrors({
  ENGINE_ERR_ADMIN_PARAM: { kind: 'input', status: 400, message: '{where} {name} {expects}' },
  ENGINE_ERR_ADMIN_PARAM_UNKNOWN: { kind: 'input', status: 400, message: 'unknown {where} {name}; this route takes {known}' },
});

/** Most records one list answer holds. */
export const MAX_LIMIT = 1000;

// Written as records so that a status or outcome added to the store's types fails to compile here.
const STATUSES = Object.keys({ pending: 1, done: 1, dead: 1 } satisfies Record<RecordStatus, 1>);
const OUTCOMES = Object.keys({ created: 1, updated: 1, skipped: 1, failed: 1, dead: 1 } satisfies Record<Outcome, 1>);

interface Param {
  schema: Record<string, unknown>;
  /** What the parameter must be, completing "query parameter <name> …". */
  expects: string;
}

const RECORD_ID: Param = { schema: { type: 'integer', minimum: 1 }, expects: 'must be a record id (a whole number from 1)' };

export const RECORDS_QUERY = {
  flow: { schema: { type: 'string', minLength: 1 }, expects: 'must be one flow id, given once' },
  status: { schema: { type: 'string', enum: STATUSES }, expects: `must be one of ${STATUSES.join(', ')}, given once` },
  outcome: { schema: { type: 'string', enum: OUTCOMES }, expects: `must be one of ${OUTCOMES.join(', ')}, given once` },
  after: { schema: { type: 'integer', minimum: 0, default: 0 }, expects: 'must be a record id (a whole number from 0), given once' },
  limit: { schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 }, expects: `must be a whole number from 1 to ${MAX_LIMIT}, given once` },
} satisfies Record<string, Param>;

export interface RecordsQuery {
  flow?: string;
  status?: RecordStatus;
  outcome?: Outcome;
  after: number;
  limit: number;
}

export const RECORD_QUERY = {
  pii: { schema: { type: 'boolean', default: false }, expects: 'must be true or false' },
} satisfies Record<string, Param>;

const AUDIT_ACTIONS = Object.keys({ login: 1, logout: 1, replay: 1, reveal: 1, reload: 1 } satisfies Record<AuditAction, 1>);

export const AUDIT_QUERY = {
  action: { schema: { type: 'string', enum: AUDIT_ACTIONS }, expects: `must be one of ${AUDIT_ACTIONS.join(', ')}, given once` },
  before: { schema: { type: 'integer', minimum: 1 }, expects: 'must be an audit entry id (a whole number from 1), given once' },
  limit: RECORDS_QUERY.limit,
} satisfies Record<string, Param>;

export const RECORD_PARAMS = { id: RECORD_ID } satisfies Record<string, Param>;
export const FLOW_PARAMS = { flow: { schema: { type: 'string', minLength: 1 }, expects: 'must be a flow id' } } satisfies Record<string, Param>;

// Compiled once per route when the server starts. Query strings are text: numbers and booleans
// are coerced; a repeated parameter arrives as an array and fails its scalar type.
const ajv = new Ajv({ strict: true, coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: false });

/** Route options validating a route's path and query parameters, and naming the one that is wrong. */
export function adminRoute(parts: { params?: Record<string, Param>; querystring?: Record<string, Param> }): RouteShorthandOptions {
  const schema: Record<string, unknown> = {};
  for (const [part, params] of Object.entries(parts)) schema[part] = objectSchema(params);
  return {
    schema,
    validatorCompiler: ({ schema: s }) => ajv.compile(s as object),
    schemaErrorFormatter: (errors: FastifySchemaValidationError[], dataVar) => {
      const params = (dataVar === 'params' ? parts.params : parts.querystring) ?? {};
      return describeError(errors[0] as ErrorObject | undefined, params, dataVar === 'params' ? 'path parameter' : 'query parameter');
    },
  };
}

function objectSchema(params: Record<string, Param>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(params)) properties[name] = p.schema;
  return { type: 'object', properties, additionalProperties: false };
}

function describeError(error: ErrorObject | undefined, params: Record<string, Param>, where: string): Error {
  const unknown = error?.keyword === 'additionalProperties' ? String(error.params['additionalProperty']) : undefined;
  if (unknown !== undefined) {
    const known = Object.keys(params);
    return AdminQueryErrors.ENGINE_ERR_ADMIN_PARAM_UNKNOWN({ where, name: unknown, known: known.length > 0 ? known.join(', ') : 'none' });
  }
  const name = error?.instancePath.slice(1) ?? '';
  return AdminQueryErrors.ENGINE_ERR_ADMIN_PARAM({ where, name, expects: params[name]?.expects ?? error?.message ?? 'is not valid' });
}
