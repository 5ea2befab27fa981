/**
 * DESIGN §2: the engine owns its ports, adapters own their wire protocols. Every .ts import in
 * engine/, adapters/, bench/ and test/ is parsed; any crossing of the boundary or any import cycle
 * among folders fails, naming the file and the import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundaryViolations, folderCycles, importsOf, type SourceFile } from './support/import-boundary.ts';

function tsFiles(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts')) out.push({ path: path.replaceAll('\\', '/'), text: readFileSync(path, 'utf8') });
  }
  return out;
}

const files = ['engine', 'adapters', 'bench', 'test'].flatMap(tsFiles);
const edges = files.flatMap(importsOf);

test('the checker sees the project', () => {
  assert.ok(files.length > 200, `${files.length} files`);
  assert.ok(edges.some((e) => e.from === 'adapters/index.ts' && e.to === 'engine/registry.ts'));
});

test('no import crosses the adapter boundary', () => {
  assert.deepEqual(boundaryViolations(edges), []);
});

test('no import cycle among engine folders and adapters', () => {
  assert.deepEqual(folderCycles(edges), []);
});

test('the engine speaks no MailerLite path', () => {
  const hits = files.filter((f) => f.path.startsWith('engine/') && f.text.includes('api/subscribers')).map((f) => f.path);
  assert.deepEqual(hits, []);
});

test('planted violations are caught', () => {
  const planted: SourceFile[] = [
    { path: 'engine/worker/x.ts', text: "import type { Operation } from '../../adapters/mailerlite/types.ts';" },
    { path: 'engine/pipeline/y.ts', text: "import '../../adapters/index.ts';" },
    { path: 'engine/setup/z.ts', text: "import { createClient } from '../../adapters/mailerlite/index.ts';" },
    { path: 'adapters/mailerlite/w.ts', text: "import type { FlowConfig } from '../../engine/flow/types.ts';" },
    { path: 'adapters/flipcause/v.ts', text: "export { ops } from '../mailerlite/operations.ts';" },
    { path: 'bench/u.ts', text: "import { signBody } from '../adapters/flipcause/signature.ts';" },
    // Allowed: ports, the error table, a test importing an adapter's index, a root registering.
    { path: 'adapters/flipcause/ok.ts', text: "import type { Source } from '../../engine/ports/source.ts';\nimport { defineErrors } from '../../engine/errors.ts';" },
    { path: 'test/ok.test.ts', text: "import '../adapters/index.ts';\nimport { fixtureRecords } from '../adapters/flipcause/index.ts';" },
    { path: 'engine/cli/commands/ok.ts', text: "import '../../../adapters/index.ts';" },
    { path: 'engine/worker/ok.ts', text: "// import '../../adapters/index.ts' in a comment is no import\nimport type { Intent } from '../ports/intents.ts';" },
  ];
  const found = boundaryViolations(planted.flatMap(importsOf));
  assert.deepEqual(found.map((v) => v.split(' ')[0]), [
    'engine/worker/x.ts',
    'engine/pipeline/y.ts',
    'engine/setup/z.ts',
    'adapters/mailerlite/w.ts',
    'adapters/flipcause/v.ts',
    'bench/u.ts',
  ]);

  const cyclic: SourceFile[] = [
    { path: 'engine/policy/a.ts', text: "import { b } from '../pipeline/b.ts';" },
    { path: 'engine/pipeline/b.ts', text: "import { c } from '../flow/c.ts';" },
    { path: 'engine/flow/c.ts', text: "import { a } from '../policy/a.ts';" },
    { path: 'engine/ports/d.ts', text: "import { e } from '../errors.ts';" },
  ];
  assert.deepEqual(folderCycles(cyclic.flatMap(importsOf)), [['engine/flow', 'engine/pipeline', 'engine/policy']]);
});
