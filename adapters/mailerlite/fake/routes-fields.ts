/**
 * /api/fields: page-paginated list (by name, 100 a page unless asked; each with
 * `used_in_automations`), create with a generated key, rename (the key stays), delete.
 */
import type { FieldType } from './account.ts';
import { compareNames } from './ordering.ts';
import { invalid, notFound, pagePaginated, renderField, renderListedField } from './render.ts';
import type { ApiResult, Route, RouteContext } from './router.ts';
import { isObject } from './validate.ts';

const TYPES: readonly FieldType[] = ['text', 'number', 'date'];

function list({ account, query, url }: RouteContext): ApiResult {
  const keyword = query['filter[keyword]']?.toLowerCase();
  const type = query['filter[type]'];
  const fields = [...account.fields.values()].filter(
    (f) => (keyword === undefined || f.name.toLowerCase().includes(keyword)) && (type === undefined || f.type === type),
  );
  // By name whether or not `sort=name` is sent (the recorded lists are, both ways); `-name` reverses.
  fields.sort(compareNames);
  if (query.sort === '-name') fields.reverse();
  return pagePaginated(fields, query, url, renderListedField, 100);
}

function create({ account, body }: RouteContext): ApiResult {
  const b = isObject(body) ? body : {};
  const errors: Record<string, string[]> = {};
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (name === '') errors.name = ['The name field is required.'];
  else if (name.length > 255) errors.name = ['The name may not be greater than 255 characters.'];
  else if (account.fieldByName(name)) errors.name = ['Field name must be unique'];
  if (!TYPES.includes(b.type as FieldType)) errors.type = ['The selected type is invalid.'];
  if (Object.keys(errors).length > 0) return invalid(errors);
  return { code: 201, body: { data: renderField(account.createField(name, b.type as FieldType)) } };
}

function rename({ account, params, body }: RouteContext): ApiResult {
  const field = account.fields.get(params.id!);
  if (!field) return notFound();
  const name = isObject(body) && typeof body.name === 'string' ? body.name.trim() : '';
  if (name === '') return invalid({ name: ['The name field is required.'] });
  const other = account.fieldByName(name);
  if (other && other.id !== field.id) return invalid({ name: ['Field name must be unique'] });
  field.name = name;
  return { code: 200, body: { data: renderField(field) } };
}

function remove({ account, params }: RouteContext): ApiResult {
  const field = account.fields.get(params.id!);
  if (!field) return notFound();
  if (field.isDefault) return invalid({ field: ['A default field cannot be deleted.'] });
  account.removeField(field);
  return { code: 204, body: null };
}

export const fieldRoutes: Route[] = [
  { method: 'GET', pattern: '/api/fields', handle: list },
  { method: 'POST', pattern: '/api/fields', handle: create },
  { method: 'PUT', pattern: '/api/fields/:id', handle: rename },
  { method: 'DELETE', pattern: '/api/fields/:id', handle: remove },
];
