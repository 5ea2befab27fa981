import type { FieldValue } from '../ports/directory.ts';
import { PipelineErrors } from './errors.ts';

/** What a mapping produced, cleaned: empty values are dropped so Flipcause blanks never erase MailerLite data. */
export interface Mapped {
  email: string | null;
  /** Field values by the name the mapping used (resolved to account keys later). */
  fields: Record<string, Exclude<FieldValue, null>>;
}

const SHAPE = 'an object like {"email": …, "fields": {"name": …}}';

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v;
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

export function cleanMapped(output: unknown): Mapped {
  if (output === null || typeof output !== 'object' || Array.isArray(output)) {
    throw PipelineErrors.ENGINE_ERR_MAPPING_OUTPUT({ shape: SHAPE, got: describe(output) });
  }
  const out = output as Record<string, unknown>;
  const email = out.email;
  if (!isEmpty(email) && typeof email !== 'string') {
    throw PipelineErrors.ENGINE_ERR_MAPPING_OUTPUT({ shape: 'a string "email"', got: describe(email) });
  }
  const fields: Mapped['fields'] = {};
  const rawFields = out.fields ?? {};
  if (typeof rawFields !== 'object' || rawFields === null || Array.isArray(rawFields)) {
    throw PipelineErrors.ENGINE_ERR_MAPPING_OUTPUT({ shape: 'an object "fields"', got: describe(rawFields) });
  }
  for (const [key, value] of Object.entries(rawFields)) {
    if (isEmpty(value)) continue;
    if (typeof value === 'string') fields[key] = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) fields[key] = value;
    else if (typeof value === 'boolean') fields[key] = value ? 'yes' : 'no';
    else throw PipelineErrors.ENGINE_ERR_MAPPING_OUTPUT({ shape: `a string or number for field "${key}"`, got: describe(value) });
  }
  return { email: isEmpty(email) ? null : (email as string).trim().toLowerCase(), fields };
}
