import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SourceTestingKit } from '../ports/adapter.ts';
import type { DeliverySpec } from './case-file.ts';

/**
 * The records a case delivers: a shipped fixture, a JSON file next to the test, or records
 * written out; then moved to another Flipcause account, patched and trimmed as the spec asks.
 */
export function deliveryRecords(kit: SourceTestingKit, spec: DeliverySpec, testFile: string): Record<string, unknown>[] {
  let records: Record<string, unknown>[];
  if (spec.fixture !== undefined) {
    if (!kit.fixtureNames().includes(spec.fixture)) {
      throw new Error(`no Flipcause fixture "${spec.fixture}" (there are: ${kit.fixtureNames().join(', ')})`);
    }
    records = kit.fixtureRecords(spec.fixture);
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
  return records.map((r) => patchRecord(kit, r, spec));
}

function patchRecord(kit: SourceTestingKit, record: Record<string, unknown>, spec: DeliverySpec): Record<string, unknown> {
  const out = spec.org_id === undefined ? { ...record } : kit.moveToAccount(record, spec.org_id);
  for (const [key, value] of Object.entries(spec.set ?? {})) if (key in out) out[key] = value;
  return out;
}
