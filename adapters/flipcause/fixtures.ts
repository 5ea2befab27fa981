/**
 * Sample deliveries (fixtures/*.json: each file is one delivery body, an array of records, all
 * people fictional) for tests, the demo and flow tests.
 */
import { readFileSync, readdirSync } from 'node:fs';

const DIR = new URL('./fixtures/', import.meta.url);

/** Names of the fixture files, without ".json". */
export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The delivery body exactly as stored (the bytes a signature covers). */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`${name}.json`, DIR));
}

/** The records of one fixture delivery. */
export function fixtureRecords(name: string): Record<string, unknown>[] {
  return JSON.parse(fixtureBytes(name).toString('utf8')) as Record<string, unknown>[];
}

type Raw = Record<string, unknown>;

/** Date-time fields as Flipcause writes them: "YYYY-MM-DD HH:MM:SS", no zone (read as UTC). */
const DATE_TIMES = ['transaction_date', 'settlement_date', 'payment_date', 'created_on', 'updated_on'] as const;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
const ACTIVITY_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ACTIVITY_TIME = /^(\d{2}:\d{2})(\s*)$/;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * The records with every date they carry moved by `ms` (whole minutes keep an activity's
 * HH:MM exact), in Flipcause's own formats: an activity's date, time (trailing space kept) and
 * weekday move together. Sample traffic dated relative to today stays inside any `since`.
 */
export function shiftDates(records: readonly Raw[], ms: number): Raw[] {
  const at = (utc: string): Date => new Date(Date.parse(utc) + ms);
  return records.map((r) => {
    const out: Raw = { ...r };
    for (const name of DATE_TIMES) {
      const m = typeof r[name] === 'string' ? DATE_TIME.exec(r[name]) : null;
      if (m) out[name] = at(`${m[1]}T${m[2]}Z`).toISOString().slice(0, 19).replace('T', ' ');
    }
    const day = r.AD_transaction_date;
    if (typeof day === 'string' && ACTIVITY_DATE.test(day)) {
      const time = typeof r.AD_transaction_time === 'string' ? ACTIVITY_TIME.exec(r.AD_transaction_time) : null;
      const moved = at(`${day}T${time?.[1] ?? '00:00'}:00Z`).toISOString();
      out.AD_transaction_date = moved.slice(0, 10);
      if (time) out.AD_transaction_time = moved.slice(11, 16) + time[2];
      if ('AD_transaction_day' in r) out.AD_transaction_day = WEEKDAYS[new Date(moved).getUTCDay()];
    }
    return out;
  });
}
