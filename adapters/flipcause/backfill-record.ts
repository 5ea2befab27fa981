/**
 * A Flipcause export file read row by row: its header row decides, once, which export it is and
 * what each column fills (csv-columns.ts); each data row then becomes a raw record the normaliser
 * reads as it reads a live one of the export's trigger type, dated as the row is.
 *
 * Backfilled rows are usually older than the flow's `since`: `engine backfill` runs them with the
 * cut-off off, explicitly, rather than this record hiding its date.
 */
import type { ExportColumn, ExportLayout } from '../../engine/ports/adapter.ts';
import { type ColumnSpec, formatOf, headerKey } from './csv-columns.ts';

/** Activity codes as a transactions export may write them ("D,M"), as opposed to a word ("Donation"). */
const CODE_LIST = /^[A-Za-z]{1,2}(?:\s*,\s*[A-Za-z]{1,2})*$/;
const TWELVE_HOUR = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?$/;

export function detectExport(orgId: string, headers: readonly string[]): ExportLayout | null {
  const format = formatOf(headers);
  if (format === null) return null;
  const used = new Set<string>();
  const plan: Array<{ index: number; spec: ColumnSpec }> = [];
  const mapped: ExportColumn[] = [];
  const ignored: string[] = [];
  headers.forEach((header, index) => {
    const spec = format.columns[headerKey(header)];
    // The first of two columns filling the same name wins (e.g. "Email" and "Email Address").
    if (spec === undefined || used.has(spec.raw)) {
      ignored.push(header.replace(/^\uFEFF/, '').trim());
      return;
    }
    used.add(spec.raw);
    plan.push({ index, spec });
    mapped.push({ column: header.replace(/^\uFEFF/, '').trim(), fields: [...spec.fields] });
  });
  return {
    format: format.name,
    mapped,
    ignored,
    toRecord(values, options) {
      const raw: Record<string, unknown> = {
        webhook_record_id: `backfill-${options.line}`,
        webhook_trigger_type: format.trigger,
        user_id: orgId,
      };
      const parts: Record<string, string> = {};
      for (const { index, spec } of plan) {
        const value = (values[index] ?? '').trim();
        if (value !== '') parts[spec.raw] = value;
      }
      for (const [name, value] of Object.entries(parts)) if (!name.includes('.') && name !== 'codes') raw[name] = value;
      composePhone(raw, parts);
      const date = joinDate(parts['date.day'], parts['date.time']);
      if (date !== undefined) raw.transaction_date = date;
      const codes = parts.codes;
      if (codes !== undefined) raw[CODE_LIST.test(codes) ? 'transaction_type' : 'activity_type'] = codes;
      if (options.onList) raw.activity_type = 'Mailing List';
      return raw;
    },
  };
}

/** The mobile number when there is one, else the home one, with its own prefix and its type. */
function composePhone(raw: Record<string, unknown>, parts: Readonly<Record<string, string>>): void {
  for (const [kind, type] of [['mobile', 'Mobile'], ['home', 'Home']] as const) {
    const number = parts[`phone.${kind}.number`];
    if (number === undefined) continue;
    raw.phone_number = number;
    raw.phone_no_type = type;
    const prefix = parts[`phone.${kind}.prefix`];
    if (prefix !== undefined) raw.phone_country_code = prefix;
    return;
  }
}

/** "11/05/2026" and "2:32 PM" → "11/05/2026 14:32" (the normaliser reads 24-hour times). */
function joinDate(day: string | undefined, time: string | undefined): string | undefined {
  if (day === undefined) return undefined;
  if (time === undefined) return day;
  const m = TWELVE_HOUR.exec(time);
  if (!m) return `${day} ${time}`;
  const hour = (Number(m[1]) % 12) + (m[4]!.toLowerCase() === 'p' ? 12 : 0);
  return `${day} ${String(hour).padStart(2, '0')}:${m[2]}${m[3] === undefined ? '' : `:${m[3]}`}`;
}
