/**
 * Finds error codes in TypeScript source (`[A-Z]+_ERR_[A-Z0-9_]+` in identifiers and string or
 * template text; comments do not count) and tells definitions — keys of the object given to
 * `defineErrors(…)` — from uses. Parsed with the TypeScript compiler, so a code in a comment, or a
 * `//` inside a string, cannot fool it.
 */
import ts from 'typescript';

// Codes may hold digits (FC_ERR_BODY_NOT_UTF8).
const CODE = /\b[A-Z]+_ERR_[A-Z0-9_]+\b/g;
const ANY_CODE = /[A-Z]_ERR_[A-Z0-9_]/;

export interface CodeOccurrence {
  code: string;
  file: string;
  line: number;
  definition: boolean;
}

export interface SourceText {
  file: string;
  text: string;
}

export function codeOccurrences({ file, text }: SourceText): CodeOccurrence[] {
  if (!ANY_CODE.test(text)) return []; // most files name no code: skip parsing them
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: CodeOccurrence[] = [];
  const add = (node: ts.Node, found: string, definition: boolean): void => {
    for (const m of found.matchAll(CODE)) {
      out.push({ code: m[0], file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, definition });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      add(node, node.text, isDefinition(node));
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
      add(node, node.text, isDefinition(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A key of the object literal passed to `defineErrors(…)`. */
function isDefinition(node: ts.Node): boolean {
  const prop = node.parent;
  if (!prop || !ts.isPropertyAssignment(prop) || prop.name !== node) return false;
  const object = prop.parent;
  const call = object?.parent;
  return !!call && ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'defineErrors' && call.arguments[0] === object;
}

export interface CodeReport {
  /** Codes used where no table defines them. */
  undefinedUses: CodeOccurrence[];
  /** Definitions never used outside their own definition. */
  unused: CodeOccurrence[];
  /** Codes defined more than once (the second definition). */
  duplicates: CodeOccurrence[];
}

/**
 * `foreign`: codes a library defines that the source recognises (fastify's FST_ERR_…): used, not
 * defined here, and not an error.
 */
export function checkErrorCodes(sources: readonly SourceText[], foreign: ReadonlySet<string> = new Set()): CodeReport {
  const all = sources.flatMap(codeOccurrences);
  const definitions = all.filter((o) => o.definition);
  const defined = new Set<string>();
  const duplicates: CodeOccurrence[] = [];
  for (const d of definitions) {
    if (defined.has(d.code)) duplicates.push(d);
    defined.add(d.code);
  }
  const uses = all.filter((o) => !o.definition);
  const used = new Set(uses.map((o) => o.code));
  return {
    undefinedUses: uses.filter((o) => !defined.has(o.code) && !foreign.has(o.code)),
    unused: definitions.filter((d) => !used.has(d.code)),
    duplicates,
  };
}

export function describe(o: CodeOccurrence): string {
  return `${o.code} at ${o.file}:${o.line}`;
}
