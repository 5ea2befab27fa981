/**
 * Loads one flow file: read, decode, parse YAML with positions, validate against the schema,
 * check semantics and compile its JSONata. Every problem becomes a diagnostic; nothing throws
 * for a bad file (a missing, empty or binary file included). A file is first read the quick way,
 * without positions (yaml-data.ts); if that declines or any check finds anything, it is read
 * again with positions and checked again, so every diagnostic comes from the same path as ever.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, type YAMLError, type YAMLWarning } from 'yaml';
import { compareDiagnostics, diagnostic, hasErrors, type Diagnostic } from './diagnostic.ts';
import { compileExpressions, ExpressionCache, type CompiledExpressions } from './expressions.ts';
import { FlowSource } from './flow-source.ts';
import { checkSchema } from './schema-check.ts';
import { checkSemantics, type SemanticOptions } from './semantic-check.ts';
import type { FlowConfig } from './types.ts';
import { yamlData } from './yaml-data.ts';

export interface FlowFileResult {
  file: string;
  /** Present only when the file has no errors (warnings allowed); schema defaults are filled in. */
  flow?: FlowConfig;
  /** The flow's compiled `when` and `mapping`, present with `flow`. */
  expressions?: CompiledExpressions;
  diagnostics: Diagnostic[];
}

export type LoadOptions = SemanticOptions;

/** What the fleet checks need besides the result: the parsed data and where things are. */
export interface ParsedFlowFile {
  result: FlowFileResult;
  data?: unknown;
  source?: FlowSource;
}

const indentationCodes = new Set(['BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'MISSING_CHAR']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer): { text?: string; binary?: string } {
  // A NUL byte never appears in YAML text; it is the cheapest sign of an image, archive, …
  if (bytes.subarray(0, 8192).includes(0)) return { binary: 'it contains NUL bytes' };
  try {
    return { text: utf8.decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    return { binary: 'it is not valid UTF-8' };
  }
}

function yamlDiagnostic(err: YAMLError | YAMLWarning, source: FlowSource, file: string): Diagnostic {
  const at = source.position(err.pos[0]);
  if (err.code === 'DUPLICATE_KEY') {
    // yaml's range covers only the key's first character.
    const key = /^[^:\n]*/.exec(source.text.slice(err.pos[0]))?.[0].trim() || '?';
    return diagnostic('FLOW_ERR_YAML_DUPLICATE_KEY', { key }, file, at);
  }
  if (err.code === 'MULTIPLE_DOCS') return diagnostic('FLOW_ERR_YAML_MULTIPLE_DOCUMENTS', {}, file, at);
  // yaml's messages end with a position suffix ("at line 3, column 5") the diagnostic already gives.
  let detail = err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  // These come from a line indented more or less than its neighbours, which yaml notices late.
  if (indentationCodes.has(err.code)) detail += ' (check the indentation here and on the next lines)';
  return diagnostic(err.name === 'YAMLWarning' ? 'FLOW_ERR_YAML_WARNING' : 'FLOW_ERR_YAML_SYNTAX', { detail }, file, at);
}

/** `expressions`: shared by the files of one load, so flows with the same `when` or `mapping` compile it once. */
export function parseFlowFile(file: string, options: LoadOptions = {}, expressions = new ExpressionCache()): ParsedFlowFile {
  const fail = (d: Diagnostic): ParsedFlowFile => ({ result: { file, diagnostics: [d] } });
  const top = { line: 1, col: 1 };
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(diagnostic('FLOW_ERR_FILE_MISSING', {}, file, top));
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(err));
    return fail(diagnostic('FLOW_ERR_FILE_UNREADABLE', { reason }, file, top));
  }
  const { text, binary } = decode(bytes);
  if (text === undefined) return fail(diagnostic('FLOW_ERR_FILE_BINARY', { reason: binary }, file, top));

  const source = new FlowSource(text);
  const quick = yamlData(text);
  if (quick !== undefined) {
    const checked = checkData(quick, source, file, options, expressions);
    if (checked.diagnostics.length === 0) return { result: { file, diagnostics: [], flow: quick as unknown as FlowConfig, expressions: checked.expressions }, data: quick, source };
  }

  const diagnostics: Diagnostic[] = source.doc.warnings.map((w) => yamlDiagnostic(w, source, file));
  if (source.doc.errors.length > 0) {
    // The tree after a syntax error is a guess; checking it would only add noise.
    // One mistake often trips several yaml errors at the same spot; report the spot once.
    const spots = new Set<string>();
    for (const e of source.doc.errors) {
      const d = yamlDiagnostic(e, source, file);
      if (spots.has(`${d.line}:${d.col}`)) continue;
      spots.add(`${d.line}:${d.col}`);
      diagnostics.push(d);
    }
    return { result: { file, diagnostics: diagnostics.sort(compareDiagnostics) }, source };
  }
  const contents = source.doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return fail(diagnostic('FLOW_ERR_FILE_EMPTY', {}, file, top));
  }

  const data: unknown = source.doc.toJS();
  const checked = checkData(data, source, file, options, expressions, isMap(contents));
  diagnostics.push(...checked.diagnostics);
  diagnostics.sort(compareDiagnostics);

  const result: FlowFileResult = { file, diagnostics };
  if (!hasErrors(diagnostics)) {
    result.flow = data as FlowConfig;
    result.expressions = checked.expressions;
  }
  return { result, data, source };
}

/** The schema (filling in its defaults), the semantic checks and the expressions, on a file's data. */
function checkData(data: unknown, source: FlowSource, file: string, options: LoadOptions, expressions: ExpressionCache, isMapping = true): { diagnostics: Diagnostic[]; expressions: CompiledExpressions } {
  const semantic = checkSemantics(data, source, file, options);
  // A value the engine's own checks flag (a literal secret, a malformed since) is reported once,
  // by them, with its own code: the schema's pattern for it is there for editors.
  const flagged = new Set(semantic.map((d) => d.path));
  const diagnostics = checkSchema(data, source, file).filter((d) => d.code !== 'FLOW_ERR_VALUE' || !flagged.has(d.path));
  diagnostics.push(...semantic);
  const compiled = isMapping ? compileExpressions(data, source, file, expressions) : { expressions: {}, diagnostics: [] };
  diagnostics.push(...compiled.diagnostics);
  return { diagnostics, expressions: compiled.expressions };
}

/** Loads and checks one flow file on its own (no fleet checks: see loadFlowDir). */
export function loadFlowFile(file: string, options: LoadOptions = {}): FlowFileResult {
  return parseFlowFile(file, options).result;
}
