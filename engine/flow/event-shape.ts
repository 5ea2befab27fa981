/**
 * What a flow's JSONata can read, as shapes built from JSON Schemas: the normalised event
 * (schemas/normalised-event.schema.json, generated from the event's types) and, under `raw`, the
 * payload schemas of the flow's triggers. Path checking (path-check.ts) walks an expression and
 * steps through these shapes; a step a closed shape lacks can never match anything.
 */
import eventSchema from '../../schemas/normalised-event.schema.json' with { type: 'json' };
import newActivity from '../../schemas/flipcause/new_activity.schema.json' with { type: 'json' };
import newContact from '../../schemas/flipcause/new_contact.schema.json' with { type: 'json' };
import newTransaction from '../../schemas/flipcause/new_transaction.schema.json' with { type: 'json' };
import updateContact from '../../schemas/flipcause/update_contact.schema.json' with { type: 'json' };

type Schema = Record<string, unknown>;

/** The record as sent, per trigger type: documentation of `raw`, which stays open (Flipcause adds fields). */
const PAYLOAD_SCHEMAS: Readonly<Record<string, Schema>> = {
  new_activity: newActivity,
  new_transaction: newTransaction,
  new_contact: newContact,
  update_contact: updateContact,
};

export type ValueType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface Shape {
  /** How messages name it: 'the event', 'contact.address', 'raw.PD_email'. */
  label: string;
  /** What values it can hold; 'any' when nothing is known (no checks below it). */
  types: ReadonlySet<ValueType> | 'any';
  /** Its fields, when it can be an object with a known set of them. */
  fields?: ReadonlyMap<string, () => Shape>;
  /** Unknown fields are expected (raw): reported as warnings, not errors. */
  open?: boolean;
  /** Inside `raw`: the values are as sent, so their types say little about their content. */
  raw?: boolean;
  /** For arrays: the items. */
  items?: Shape;
  /** For raw: the trigger types whose payload schemas the fields come from. */
  triggers?: readonly string[];
}

export const ANY: Shape = { label: '', types: 'any' };
export const ROOT_LABEL = 'the event';

const ALL_TYPES: readonly ValueType[] = ['object', 'array', 'string', 'number', 'boolean', 'null'];

function childLabel(parent: string, name: string): string {
  return parent === ROOT_LABEL || parent === '' ? name : `${parent}.${name}`;
}

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace(/^#\/\$defs\//, '');
  const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
  if (!target) throw new Error(`schema reference ${ref} resolves to nothing`);
  return resolve(target, root);
}

/** The value types a schema allows (its anyOf options together). */
function typesOf(schema: Schema): ValueType[] {
  if (Array.isArray(schema.anyOf)) return [...new Set((schema.anyOf as Schema[]).flatMap(typesOf))];
  if (Array.isArray(schema.type)) return schema.type as ValueType[];
  if (typeof schema.type === 'string') return [schema.type as ValueType];
  if (typeof schema.const === 'string' || Array.isArray(schema.enum)) return ['string'];
  return [...ALL_TYPES];
}

/** The shape of a value described by `schema` (its $refs and anyOf resolved against `root`). */
export function shapeOf(schema: Schema, root: Schema, label: string): Shape {
  const options = Array.isArray(schema.anyOf) ? (schema.anyOf as Schema[]).map((s) => resolve(s, root)) : [resolve(schema, root)];
  const types = new Set(options.flatMap(typesOf));
  const shape: Shape = { label, types };
  const object = options.find((o) => o.properties !== undefined);
  if (object) {
    const props = object.properties as Record<string, Schema>;
    shape.fields = new Map(Object.entries(props).map(([name, sub]) => [name, () => shapeOf(sub, root, childLabel(label, name))]));
    // A closed object (additionalProperties: false) has no other fields.
    if (object.additionalProperties !== false) shape.open = true;
  } else if (types.has('object')) {
    // An object whose fields the schema does not list: nothing to check below it.
    return { label, types: 'any' };
  }
  const array = options.find((o) => o.items !== undefined);
  if (array) shape.items = shapeOf(array.items as Schema, root, label);
  return shape;
}

/** `raw` for a flow acting on `triggers`: the fields any of their payload schemas lists, open to others. */
export function rawShape(triggers: readonly string[]): Shape {
  const documented = triggers.filter((t) => PAYLOAD_SCHEMAS[t] !== undefined);
  // A flow of unknown triggers only still reads records like the known ones.
  const used = documented.length > 0 ? documented : Object.keys(PAYLOAD_SCHEMAS);
  const fields = new Map<string, () => Shape>();
  for (const trigger of used) {
    const schema = PAYLOAD_SCHEMAS[trigger]!;
    for (const name of Object.keys(schema.properties as Record<string, unknown>)) {
      // Raw values are as sent: a field documented as a string may hold anything; no checks below it.
      if (!fields.has(name)) fields.set(name, () => ({ label: `raw.${name}`, types: 'any', raw: true }));
    }
  }
  return { label: 'raw', types: new Set<ValueType>(['object']), fields, open: true, raw: true, triggers: used };
}

/** The whole input of `when` and `mapping` for a flow acting on `triggers`. */
export function eventShape(triggers: readonly string[]): Shape {
  const root = eventSchema as Schema;
  const shape = shapeOf(root, root, ROOT_LABEL);
  const fields = new Map(shape.fields);
  fields.set('raw', () => rawShape(triggers));
  return { ...shape, fields };
}
