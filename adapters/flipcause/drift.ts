/**
 * Drift warnings: Flipcause publishes only part of its payloads and may rename fields without
 * notice. Each known trigger type has a payload schema (schemas/flipcause/); a record that lacks
 * a field the schema requires, or carries a non-string where Flipcause sends strings, yields a
 * warning, never a rejection (extra fields are always fine). Validators are made once, when the
 * first Flipcause flow loads (prepareDriftChecks), never at import and never per record: the
 * built CLI carries them as code generated at build time (precompiled-drift-validators.ts), from
 * source they are compiled here.
 */
import { Ajv2020, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import newActivity from '../../schemas/flipcause/new_activity.schema.json' with { type: 'json' };
import newContact from '../../schemas/flipcause/new_contact.schema.json' with { type: 'json' };
import newTransaction from '../../schemas/flipcause/new_transaction.schema.json' with { type: 'json' };
import updateContact from '../../schemas/flipcause/update_contact.schema.json' with { type: 'json' };
import { candidatesFor } from './candidates.ts';
import { triggerOf } from './identity.ts';
import { hasContact, kindOf } from './triggers.ts';
import { precompiledDriftValidators } from './precompiled-drift-validators.ts';

interface PayloadSchema {
  required: string[];
  [key: string]: unknown;
}

const SCHEMAS: Record<string, PayloadSchema> = {
  new_activity: newActivity,
  new_transaction: newTransaction,
  update_contact: updateContact,
  new_contact: newContact,
};

interface Check {
  validate: ValidateFunction;
  /** Email candidates to look for when the schema cannot require one (its name is not published). */
  emailNames: readonly string[] | null;
}

let compiled: ReadonlyMap<string, Check> | undefined;

/** The one ajv set-up of the payload schemas, for validating here and for the code generated at build time. */
function driftAjv(code?: CodeOptions): Ajv2020 {
  return new Ajv2020({ strict: true, allErrors: true, ...(code ? { code } : {}) });
}

/**
 * The payload validators as ajv's standalone code (one module exporting one validator per
 * trigger), for the build to put in place of precompiled-drift-validators.ts.
 */
export function driftValidatorsCode(standalone: (ajv: Ajv2020, refs: Record<string, string>) => string): string {
  const ajv = driftAjv({ source: true, esm: true });
  for (const [trigger, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, trigger);
  const refs = Object.fromEntries(Object.keys(SCHEMAS).map((trigger) => [trigger, trigger]));
  return `${standalone(ajv, refs)}\nexport const precompiledDriftValidators = { ${Object.keys(SCHEMAS).join(', ')} };\n`;
}

function checks(): ReadonlyMap<string, Check> {
  if (compiled === undefined) {
    let ajv: Ajv2020 | undefined;
    compiled = new Map(
      Object.entries(SCHEMAS).map(([trigger, schema]) => {
        const emailNames = hasContact(kindOf(trigger)) ? candidatesFor(kindOf(trigger)).email : [];
        const required = new Set(schema.required);
        // The build's validators come from these very schema files, in the same build.
        const validate = precompiledDriftValidators?.[trigger] ?? (ajv ??= driftAjv()).compile(schema);
        return [trigger, { validate, emailNames: emailNames.some((n) => required.has(n)) ? null : emailNames }];
      }),
    );
  }
  return compiled;
}

/** Compiles the validators now (once per process), so that the first delivery does not pay for it. */
export function prepareDriftChecks(): void {
  checks();
}

/** Human-readable warnings about how this record differs from its trigger's known shape; [] when it matches or its trigger is not known. */
export function driftWarnings(raw: Record<string, unknown>): string[] {
  const trigger = triggerOf(raw);
  const check = checks().get(trigger);
  if (check === undefined) return [];
  const warnings: string[] = [];
  if (!check.validate(raw)) {
    for (const err of check.validate.errors ?? []) warnings.push(`${trigger}: ${describeError(err)}`);
  }
  if (check.emailNames !== null && !check.emailNames.some((n) => Object.hasOwn(raw, n))) {
    warnings.push(`${trigger}: no email field (looked for ${check.emailNames.join(', ')})`);
  }
  return warnings;
}

const LEADING_SLASH = /^\//;

function describeError(err: ErrorObject): string {
  const field = err.instancePath.replace(LEADING_SLASH, '');
  switch (err.keyword) {
    case 'required':
      return `field "${String(err.params['missingProperty'])}" is missing`;
    case 'type':
      return `field "${field}" is not a ${String(err.params['type'])}`;
    default:
      return `field "${field}" ${err.message ?? 'does not match its schema'}`;
  }
}
