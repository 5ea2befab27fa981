import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fixtureNames, fixtureRecords } from '../../adapters/flipcause/fixtures.ts';
import type { DeliverySpec } from './case-file.ts';

const CONTACT_ID = /CID\d+-/g;

/**
 * The records a case delivers: a shipped fixture, a JSON file next to the test, or records
 * written out; then moved to another Flipcause account, patched and trimmed as the spec asks.
 */
export function deliveryRecords(spec: DeliverySpec, testFile: string): Record<string, unknown>[] {
  let records: Record<string, unknown>[];
  if (spec.fixture !== undefined) {
    if (!fixtureNames().includes(spec.fixture)) {
      throw new Error(`no Flipcause fixture "${spec.fixture}" (there are: ${fixtureNames().join(', ')})`);
    }
    records = fixtureRecords(spec.fixture);
  } else if (spec.file !== undefined) {
    const body = JSON.parse(readFileSync(resolve(dirname(testFile), spec.file), 'utf8')) as unknown;
    records = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
  } else {
    records = structuredClone(spec.records ?? []);
  }
  if (spec.only) {
    const picked = spec.only.map((i) => records[i]);
    if (picked.some((r) => r === undefined)) throw new Error(`only: the delivery has ${records.length} records`);
    records = picked as Record<string, unknown>[];
  }
  return records.map((r) => patchRecord(r, spec));
}

function patchRecord(record: Record<string, unknown>, spec: DeliverySpec): Record<string, unknown> {
  const out = { ...record };
  if (spec.org_id !== undefined) {
    if (typeof out.user_id === 'string') out.user_id = spec.org_id;
    for (const [key, value] of Object.entries(out)) {
      if (typeof value === 'string' && CONTACT_ID.test(value)) out[key] = value.replace(CONTACT_ID, `CID${spec.org_id}-`);
      CONTACT_ID.lastIndex = 0;
    }
  }
  for (const [key, value] of Object.entries(spec.set ?? {})) if (key in out) out[key] = value;
  return out;
}
