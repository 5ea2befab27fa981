/**
 * MailerLite's JSON to the contract's types. MailerLite answers with more than we use (counts,
 * dates, full group objects); only what the engine acts on is kept. A shape we cannot read is a
 * retryable ML_ERR_BAD_RESPONSE (retried later, after a fresh look-up), never a TypeError deep
 * in the engine.
 */
import { MlErrors } from './errors.ts';
import type { Field, FieldValue, Group, Subscriber, SubscriberStatus } from './types.ts';

const STATUSES: readonly SubscriberStatus[] = ['active', 'unsubscribed', 'unconfirmed', 'bounced', 'junk'];
const FIELD_TYPES: readonly Field['type'][] = ['text', 'number', 'date'];

type Json = Record<string, unknown>;

export function dataOf(body: unknown, what: string): Json {
  const data = isObject(body) ? body.data : undefined;
  if (!isObject(data)) throw bad(`${what}: no data object`);
  return data;
}

export function listOf(body: unknown, what: string): unknown[] {
  const data = isObject(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw bad(`${what}: no data array`);
  return data;
}

/** The item codes of a batch answer, in order; undefined when the body is not one. */
export function batchItemCodes(body: unknown): number[] | undefined {
  const responses = isObject(body) ? body.responses : undefined;
  if (!Array.isArray(responses) || !responses.every((r) => isObject(r) && typeof r.code === 'number')) return undefined;
  return responses.map((r) => (r as { code: number }).code);
}

/** Laravel page pagination: is there a page after `page`? */
export function hasNextPage(body: unknown, page: number, got: number): boolean {
  const meta = isObject(body) && isObject(body.meta) ? body.meta : undefined;
  const last = meta?.last_page;
  if (typeof last === 'number') return page < last;
  return got > 0 && isObject(body) && isObject(body.links) && typeof body.links.next === 'string';
}

export function toSubscriber(raw: unknown): Subscriber {
  if (!isObject(raw)) throw bad('subscriber is not an object');
  const status = raw.status;
  if (!STATUSES.includes(status as SubscriberStatus)) throw bad('subscriber status is not known');
  const fields: Record<string, FieldValue> = {};
  if (isObject(raw.fields)) {
    for (const [key, value] of Object.entries(raw.fields)) {
      fields[key] = typeof value === 'string' || typeof value === 'number' ? value : null;
    }
  }
  const groups = Array.isArray(raw.groups) ? raw.groups.map(toGroup) : [];
  return { id: idOf(raw.id, 'subscriber'), email: stringOf(raw.email, 'subscriber email'), status: status as SubscriberStatus, fields, groups };
}

export function toGroup(raw: unknown): Group {
  if (!isObject(raw)) throw bad('group is not an object');
  return { id: idOf(raw.id, 'group'), name: stringOf(raw.name, 'group name') };
}

export function toField(raw: unknown): Field {
  if (!isObject(raw)) throw bad('field is not an object');
  const type = FIELD_TYPES.includes(raw.type as Field['type']) ? (raw.type as Field['type']) : 'text';
  return { id: idOf(raw.id, 'field'), name: stringOf(raw.name, 'field name'), key: stringOf(raw.key, 'field key'), type };
}

/** Ids are strings (numbers above 2^53 would be corrupted); a numeric id is accepted only when it is still exact. */
function idOf(v: unknown, what: string): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  throw bad(`${what} id is not a string`);
}

function stringOf(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(`${what} is not a string`);
  return v;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(reason: string) {
  return MlErrors.ML_ERR_BAD_RESPONSE({ reason });
}
