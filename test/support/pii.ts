/**
 * The donor PII of the Flipcause fixtures (emails, names, phones, street addresses), and an
 * assertion that log lines carry none of it.
 */
import assert from 'node:assert/strict';
import { fixtureNames, fixtureRecords } from '../../adapters/flipcause/index.ts';

const PII_FIELD = /(^|_)(e-?mail|first_name|last_name|phone_number|phone|address|address_line|address_line2)$/i;

/** Every PII value in the fixtures, trimmed, at least 3 characters long (so "CA" or "NA" are not counted). */
export function fixturePii(): string[] {
  const out = new Set<string>();
  for (const name of fixtureNames()) {
    for (const record of fixtureRecords(name)) {
      for (const [key, value] of Object.entries(record)) {
        if (typeof value !== 'string' || !PII_FIELD.test(key)) continue;
        const v = value.trim();
        if (v.length >= 3) out.add(v);
      }
    }
  }
  return [...out];
}

export function assertNoPii(lines: readonly string[], extra: readonly string[] = []): void {
  assert.ok(lines.length > 0, 'the server logged something');
  const text = lines.join('');
  for (const value of [...fixturePii(), ...extra]) {
    // Emails in any case; names, phones and addresses as whole words, as written.
    const found = value.includes('@')
      ? text.toLowerCase().includes(value.toLowerCase())
      : new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text);
    assert.ok(!found, `a log line holds the PII value ${JSON.stringify(value)}`);
  }
}
