/**
 * The quick reading of a flow file (engine/flow/yaml-data.ts) against `yaml`'s, the reading
 * every diagnostic points into: whenever it gives data, `yaml` reads the same text without an
 * error or a warning and to the same data; otherwise it declines and the loader uses `yaml`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { yamlData } from '../engine/flow/yaml-data.ts';
import { flowYaml } from '../bench/common.ts';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** `yaml`'s reading as the loader does it (flow-source.ts), or why it is not clean. */
function yamlReading(text: string): { data: unknown } | { problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.code);
  return problems.length > 0 ? { problems } : { data: doc.toJS() };
}

/** Asserts the quick reading is `yaml`'s or declines; returns whether it gave data. */
function agrees(text: string, label: string): boolean {
  const quick = yamlData(text);
  if (quick === undefined) return false;
  const reading = yamlReading(text);
  assert.ok('data' in reading, `${label}: read quickly, but yaml finds ${'problems' in reading ? reading.problems.join(', ') : ''}`);
  assert.deepEqual(quick, reading.data, label);
  // The same own keys in the same order: defaults and diagnostics follow key order.
  assert.equal(JSON.stringify(quick), JSON.stringify(reading.data), label);
  return true;
}

const FILES = ['flows', 'test/fixtures/flows', 'engine/observability'].flatMap(yamlFiles);

test('every YAML file of the project: the same data as yaml, or declined', () => {
  assert.ok(FILES.length > 40, `${FILES.length} files`);
  let quick = 0;
  for (const file of FILES) if (agrees(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), file)) quick += 1;
  // The clean files are most of them: the quick reading is the common case, not a rare one.
  assert.ok(quick >= 20, `${quick} of ${FILES.length} read quickly`);
});

test('the example flows and the benchmarks\' flows are read quickly', () => {
  for (const file of yamlFiles('flows').filter((f) => f.endsWith('flow.yaml'))) {
    assert.ok(agrees(readFileSync(file, 'utf8'), file), file);
  }
  for (const mode of ['all_contacts_by_list', 'mailing_list', 'all_contacts'] as const) {
    const text = flowYaml('org-1', { mode, keyEnv: 'K', secretEnv: 'S', settleSeconds: 30, baseUrl: 'http://127.0.0.1:9' });
    assert.ok(agrees(text, mode), mode);
  }
});

/** Texts both read alike: scalars of every kind and style, as `yaml`'s core schema types them. */
const SAME = [
  'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1.5\ng: 1e3\nh: .5\ni: -.inf\nj: .NaN\nk: 007\nl: 1_000\nm: 0b101\nn: 1.\n',
  'a: true\nb: True\nc: TRUE\nd: yes\ne: no\nf: on\ng: False\nh: y\n',
  'a: null\nb: ~\nc:\nd: Null\ne: NULL\nf: nil\ng: "null"\n',
  'since: 2026-01-01T00:00:00Z\nday: 2026-11-01\ntime: 12:30:00\nratio: 1:2\n',
  "a: 'it''s'\nb: \"tab\\tnew\\nline \\u00e9 \\x41 \\\\ \\\" \\/\"\nc: \"folded\n  quoted\n\n  lines\"\nd: 'single\n  folded'\n",
  'a: plain\n  continued\n  on lines\nb: with # not a comment\nc: value # a comment\nd: "#quoted"\ne: a:b\nf: -dash\ng: ?q\n',
  'lit: |\n  one\n    two\n\n  three\nstrip: |-\n  x\n\nkeep: |+\n  y\n\nfold: >\n  a\n  b\n\n  c\n    d\n  e\nind: |2\n    indented\nend: 1\n',
  'mapping: |\n  {\n    "email": contact.email,\n    "name": $titleCase(contact.first_name) & " " & contact.last_name\n  }\nwhen: $not("RD" in event.activity_codes) and amount != 0 * 2\n',
  'list: [a, "b, c", \'d\', 1, true, null, [x, y], {k: v}]\nempty: []\nnone: {}\nnested: {a: [1, 2], b: {c: d}}\n',
  'seq:\n  - a\n  - - b\n    - c\n  - k: v\n    l: w\n  -\n  - ""\nafter: 1\n',
  '---\nflow: x\n...\n',
  '# comment\nflow: x # trailing\n\n\n# more\nsource:\n  # inside\n  flipcause: {org_id: "1"} # after a flow collection\n',
  '"quoted key": 1\n\'single\': 2\n? complex\n: 3\nunicode: "é€😀"\nemoji: 😀\n',
  'a: 1\r\nb: |\r\n  x\r\n  y\r\nc: "q"\r\n',
  'toString: 1\nconstructor: 2\nhasOwnProperty: 3\nvalueOf: x\n',
  'a: [x, y] # ] [ }\nb: {c: "]"}\n',
  'big: 12345678901234567890\nneg0: -0\nfloat: 6.02e+23\nexp: 1E-3\n',
];

test('scalars, styles, comments and collections: read as yaml reads them', () => {
  let quick = 0;
  for (const text of SAME) if (agrees(text, JSON.stringify(text))) quick += 1;
  assert.ok(quick >= SAME.length - 2, `${quick} of ${SAME.length} read quickly`);
});

/** Texts the quick reading must leave to yaml: where yaml errs or warns, or where the two could differ. */
const DECLINED = [
  'a: 1\na: 2\n',
  'a: 1\n---\nb: 2\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: !custom x\n',
  'a:\n\t- b\n',
  '1: a\n',
  'null: a\n',
  'true: a\n',
  '? [a]\n: b\n',
  '<<: {a: 1}\n',
  '__proto__: {a: 1}\n',
  'triggers: [a,\n  b]\n',
  'triggers: [a, b\n]\n',
  'triggers: [a, b # ]\n]\n',
  'a: {b: 1,\n  c: 2}\n',
  '- a\n- b\n',
  'just a string\n',
  '',
  '# only a comment\n',
  'a: b: c\n',
  'a:\n  b: 1\n c: 2\n',
  'a: "unterminated\n',
  'a: [1, 2\n',
  'key: @reserved\n',
  'key: `tick\n',
];

test('what yaml errs or warns on, and what the two could read apart: declined', () => {
  for (const text of DECLINED) {
    assert.equal(yamlData(text), undefined, JSON.stringify(text));
  }
});

test('every yaml error fixture among the broken flows is declined', () => {
  for (const file of yamlFiles('test/fixtures/flows/broken').filter((f) => /\/(yaml-[\w-]+|empty|comments-only|not-a-mapping)\.yaml$/.test(f))) {
    assert.equal(yamlData(readFileSync(file, 'utf8')), undefined, file);
  }
});

/** What an edit of a flow file puts in: YAML's punctuation, indentation, scalars of each type, line ends. */
const PIECES = [' ', '  ', '\n', ':', ': ', '- ', '[', ']', '{', '}', ',', '"', "'", '#', ' #', '|', '>', '-', '?', '&a', '*a', '!', '%', '\\', 'x', '0', '1.5', 'null', 'true', '~', '\r\n', '@', '`', '...', '---', '\t'];
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...PIECES) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), deeper: fc.boolean() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(text: string, e: Edit): string {
  if (e.kind === 'insert') return text.slice(0, e.at % (text.length + 1)) + e.piece + text.slice(e.at % (text.length + 1));
  if (e.kind === 'delete') return text.slice(0, e.at % (text.length + 1)) + text.slice((e.at % (text.length + 1)) + e.length);
  const lines = text.split('\n');
  const i = e.line % lines.length;
  lines[i] = e.deeper ? ` ${lines[i]}` : lines[i]!.replace(/^ /, '');
  return lines.join('\n');
}

test('edited flow files, however broken: the same data as yaml, or declined', () => {
  const bases = [...yamlFiles('flows').filter((f) => f.endsWith('flow.yaml')), ...yamlFiles('test/fixtures/flows/broken')].map((f) => readFileSync(f, 'utf8'));
  let quick = 0;
  fc.assert(
    fc.property(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 6 }), (base, edits) => {
      if (agrees(edits.reduce(applyEdit, base), JSON.stringify(edits))) quick += 1;
    }),
    { numRuns: 3000 },
  );
  // Edits that keep a file clean are read quickly: the property is not passing by declining everything.
  assert.ok(quick > 300, `${quick} of 3000 read quickly`);
});
