/**
 * Validation of subscriber bodies, Laravel style: every problem at once, keyed by the offending
 * path (`email`, `groups.0`, `fields.foo`), which is what clients branch on.
 */
import type { FieldValue, SubscriberStatus } from '../types.ts';
import type { FakeAccount } from './account.ts';
import type { FakeOptions } from './options.ts';

export const STATUSES: readonly SubscriberStatus[] = ['active', 'unsubscribed', 'unconfirmed', 'bounced', 'junk'];

/** What Laravel's `boolean` rule accepts. */
const BOOLEANS: readonly unknown[] = [true, false, 0, 1, '0', '1'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SubscriberInput {
  errors: Record<string, string[]>;
  email?: string;
  fields?: Record<string, FieldValue>;
  groups?: string[];
  status?: SubscriberStatus;
  /** `resubscribe` as sent (Laravel's boolean: true/false, 1/0, "1"/"0"); false when absent. */
  resubscribe: boolean;
  extras: { ip_address?: string; optin_ip?: string; subscribed_at?: string; opted_in_at?: string };
}

export function readSubscriberBody(
  account: FakeAccount,
  options: FakeOptions,
  body: unknown,
  { requireEmail }: { requireEmail: boolean },
): SubscriberInput {
  const out: SubscriberInput = { errors: {}, resubscribe: false, extras: {} };
  const add = (key: string, message: string) => (out.errors[key] ??= []).push(message);
  const b = isObject(body) ? body : {};

  if (requireEmail) {
    if (b.email === undefined || b.email === null || b.email === '') add('email', 'The email field is required.');
    else if (typeof b.email !== 'string' || !EMAIL.test(b.email.trim())) add('email', 'The email must be a valid email address.');
    else out.email = b.email.trim().toLowerCase();
  }

  if (b.fields !== undefined && b.fields !== null) {
    if (!isObject(b.fields)) add('fields', 'The fields must be an object.');
    else {
      const fields: Record<string, FieldValue> = {};
      for (const [key, value] of Object.entries(b.fields)) {
        const field = account.fieldByKey(key);
        if (!field) {
          if (options.unknownFieldKeys === 'reject') add(`fields.${key}`, `The selected fields.${key} is invalid.`);
          continue;
        }
        if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
          add(`fields.${key}`, `The fields.${key} must be a string.`);
        } else if (field.type === 'number' && value !== null && value !== '' && !Number.isFinite(Number(value))) {
          add(`fields.${key}`, `The fields.${key} must be a number.`);
        } else if (field.type === 'date' && typeof value === 'string' && value !== '' && !/^\d{4}-\d{2}-\d{2}/.test(value)) {
          add(`fields.${key}`, `The fields.${key} is not a valid date.`);
        } else {
          fields[key] = value;
        }
      }
      out.fields = fields;
    }
  }

  if (b.groups !== undefined && b.groups !== null) {
    if (!Array.isArray(b.groups)) add('groups', 'The groups must be an array.');
    else {
      const groups: string[] = [];
      b.groups.forEach((g, i) => {
        const id = typeof g === 'number' ? String(g) : g;
        if (typeof id !== 'string' || !account.groups.has(id)) add(`groups.${i}`, `The selected groups.${i} is invalid.`);
        else groups.push(id);
      });
      out.groups = groups;
    }
  }

  if (b.status !== undefined && b.status !== null) {
    if (!STATUSES.includes(b.status as SubscriberStatus)) add('status', 'The selected status is invalid.');
    else out.status = b.status as SubscriberStatus;
  }

  if (b.resubscribe !== undefined && b.resubscribe !== null) {
    if (!BOOLEANS.includes(b.resubscribe)) add('resubscribe', 'The resubscribe field must be true or false.');
    else out.resubscribe = b.resubscribe === true || b.resubscribe === 1 || b.resubscribe === '1';
  }

  for (const k of ['ip_address', 'optin_ip', 'subscribed_at', 'opted_in_at'] as const) {
    if (typeof b[k] === 'string') out.extras[k] = b[k];
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
