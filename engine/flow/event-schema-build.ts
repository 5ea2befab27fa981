/**
 * Renders schemas/normalised-event.schema.json from the TypeScript types of the normalised event,
 * so the types stay the one source: the published schema (which `engine validate` checks `when`
 * and `mapping` paths against, and editors can read) is what this produces from them, and
 * test/event-schema.test.ts fails when the committed file differs.
 *
 * Development-time only: it reads the types with the TypeScript compiler (a devDependency), so
 * nothing at run time imports it. Regenerate with `npm run schema:event`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Where the normalised event's types live (the one source), and where the schema is published. */
export const EVENT_TYPES_FILE = fileURLToPath(new URL('../ports/event.ts', import.meta.url));
export const EVENT_SCHEMA_FILE = fileURLToPath(new URL('../../schemas/normalised-event.schema.json', import.meta.url));

export type JsonSchema = Record<string, unknown>;

const ROOT = 'NormalisedEvent';

function description(symbol: ts.Symbol, checker: ts.TypeChecker): string | undefined {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
}

/** The JSON Schema of the normalised event as declared in `typesFile` (interface NormalisedEvent). */
export function buildEventSchema(typesFile: string): JsonSchema {
  const program = ts.createProgram([typesFile], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    // The event's types need only the core library; leaving out @types/node keeps this quick.
    types: [],
    lib: ['lib.es2022.d.ts'],
    noResolve: true,
  });
  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(typesFile);
  if (!sourceFile) throw new Error(`cannot read ${typesFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
  const rootSymbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === ROOT);
  if (!rootSymbol) throw new Error(`${typesFile} exports no ${ROOT}`);

  const defs: Record<string, JsonSchema> = {};

  const convert = (type: ts.Type, where: string): JsonSchema => {
    if (type.isUnion()) {
      // An optional field's type carries `undefined`; `required` says it instead.
      const parts = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
      if (parts.length === 1) return convert(parts[0]!, where);
      const literals = parts.filter((t) => t.isStringLiteral()) as ts.StringLiteralType[];
      const hasNull = parts.some((t) => t.flags & ts.TypeFlags.Null);
      // `boolean` is the union true | false.
      const booleans = parts.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral).length;
      const rest = parts.filter((t) => !t.isStringLiteral() && !(t.flags & ts.TypeFlags.Null) && !(t.flags & ts.TypeFlags.BooleanLiteral));
      const options: JsonSchema[] = [];
      if (literals.length > 0) options.push({ type: 'string', enum: literals.map((l) => l.value) });
      if (booleans === 2) options.push({ type: 'boolean' });
      else if (booleans === 1) throw new Error(`${where}: a single boolean literal has no schema here`);
      for (const t of rest) options.push(convert(t, where));
      if (hasNull) {
        // string | null reads best as type: [string, null]; anything richer as anyOf.
        const only = options.length === 1 ? options[0] : undefined;
        if (only && Object.keys(only).length === 1 && typeof only.type === 'string') return { type: [only.type, 'null'] };
        if (only && Object.keys(only).length === 2 && only.type === 'string' && Array.isArray(only.enum)) return { type: ['string', 'null'], enum: [...only.enum, null] };
        options.push({ type: 'null' });
      }
      return options.length === 1 ? (options[0] as JsonSchema) : { anyOf: options };
    }
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (type.flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (type.flags & ts.TypeFlags.Null) return { type: 'null' };
    if (type.isStringLiteral()) return { type: 'string', const: type.value };
    if (checker.isArrayType(type)) {
      const [item] = checker.getTypeArguments(type as ts.TypeReference);
      if (!item) throw new Error(`${where}: array without an item type`);
      return { type: 'array', items: convert(item, `${where}[]`) };
    }
    if (type.flags & ts.TypeFlags.Object) {
      const index = checker.getIndexInfosOfType(type);
      if (index.length > 0) {
        // Record<string, unknown>: an open object whose keys the types do not know.
        if (type.getProperties().length > 0) throw new Error(`${where}: an object with both fields and an index signature has no schema here`);
        return { type: 'object' };
      }
      const symbol = type.aliasSymbol ?? type.getSymbol();
      const named = symbol && (symbol.flags & ts.SymbolFlags.Interface) ? symbol.name : undefined;
      if (named && defs[named]) return { $ref: `#/$defs/${named}` };
      const schema: JsonSchema = { type: 'object' };
      // Interfaces' own doc comments are not taken: TypeScript hands a file's opening comment to
      // its first declaration. Fields carry the descriptions.
      if (named) defs[named] = schema;
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const prop of type.getProperties()) {
        const declaration = prop.valueDeclaration ?? prop.declarations?.[0];
        if (!declaration) throw new Error(`${where}.${prop.name}: no declaration`);
        const propSchema = { ...convert(checker.getTypeOfSymbolAtLocation(prop, declaration), `${where}.${prop.name}`) };
        const doc = description(prop, checker);
        properties[prop.name] = doc && !propSchema.$ref ? { description: doc, ...propSchema } : propSchema;
        if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.name);
      }
      Object.assign(schema, { properties, required, additionalProperties: false });
      return named ? { $ref: `#/$defs/${named}` } : schema;
    }
    throw new Error(`${where}: type '${checker.typeToString(type)}' has no JSON Schema here; extend event-schema-build.ts`);
  };

  const rootType = checker.getDeclaredTypeOfSymbol(rootSymbol);
  convert(rootType, ROOT);
  const { [ROOT]: root, ...rest } = defs;
  if (!root) throw new Error(`${ROOT} is not an interface`);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://flipcause-mailerlite-engine.example/schemas/normalised-event.schema.json',
    title: 'Normalised event',
    description: "What a flow's `when` and `mapping` see: the contact (tidied), the event (trigger, codes, amounts, dates) and raw (the record as sent). Generated from the engine's types; do not edit.",
    ...root,
    $defs: Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** The file content of schemas/normalised-event.schema.json (stable formatting, so the test can compare text). */
export function renderEventSchema(typesFile: string): string {
  return JSON.stringify(buildEventSchema(typesFile), null, 2) + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(EVENT_SCHEMA_FILE, renderEventSchema(EVENT_TYPES_FILE));
}
