/**
 * The example flows in flows/ validate cleanly, and a broken copy of each gets its diagnostics
 * at exactly the lines that were broken: an unknown key, and a JSONata syntax error deep in the
 * multi-line mapping block.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { findFlowFiles } from '../engine/flow/discover.ts';
import { loadFlowDir, loadFlowFile } from '../engine/flow/index.ts';
import '../adapters/index.ts';

const examples = findFlowFiles('flows');

test('there is one example flow per mode', () => {
  const modes = examples.map((file) => loadFlowFile(file).flow?.policy.mode).sort();
  assert.deepEqual(modes, ['all_contacts', 'all_contacts_by_list', 'mailing_list']);
});

test('the example flows validate with no diagnostics at all', () => {
  const result = loadFlowDir(['flows']);
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.flows.length, examples.length);
  for (const { flow, expressions } of result.flows) {
    assert.ok(expressions.mapping, `${flow.flow} compiles its mapping`);
    assert.ok(flow.settle_seconds !== undefined && flow.settle_seconds >= 0, 'settle_seconds default applied');
  }
});

test('each example points editors at the published schema', () => {
  for (const file of examples) {
    const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(match?.[1], `${file} starts with the yaml-language-server schema comment`);
    assert.equal(resolve(dirname(file), match[1]), resolve('schemas/flow.schema.json'));
  }
});

test('each example maps custom address and phone fields', () => {
  for (const file of examples) {
    const mapping = loadFlowFile(file).flow?.mapping ?? '';
    assert.match(mapping, /"street_address":/, file);
    assert.match(mapping, /"phone": \$phone\(/, file);
  }
});

for (const file of examples) {
  test(`a broken copy of ${file} is diagnosed at the broken lines`, () => {
    const lines = readFileSync(file, 'utf8').split('\n');
    // An unknown key inside source.flipcause, just above org_id.
    const orgLine = lines.findIndex((l) => /^\s+org_id:/.test(l));
    assert.ok(orgLine > 0);
    const indent = /^\s*/.exec(lines[orgLine] ?? '')?.[0] ?? '';
    lines.splice(orgLine, 0, `${indent}organisation: "Oops"`);
    const unknownKeyLine = orgLine + 1;
    // A stray `]` in the mapping block, on the last_name line (well below the block's first line).
    const lastNameLine = lines.findIndex((l) => l.includes('"last_name":'));
    const mappingLine = lines.findIndex((l) => l.startsWith('mapping:'));
    assert.ok(lastNameLine > mappingLine + 2, 'the break is inside the block, not on its first line');
    lines[lastNameLine] = (lines[lastNameLine] ?? '').replace('"last_name": ', '"last_name": ] ');
    const jsonataLine = lastNameLine + 1;
    const jsonataCol = (lines[lastNameLine] ?? '').indexOf(']') + 1;

    const dir = join(mkdtempSync(join(tmpdir(), 'flow-example-')), 'customer');
    mkdirSync(dir);
    const broken = join(dir, 'flow.yaml');
    writeFileSync(broken, lines.join('\n'));
    const result = loadFlowFile(broken);
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.path}`),
      [
        `${unknownKeyLine}:${indent.length + 1} FLOW_ERR_UNKNOWN_KEY source.flipcause.organisation`,
        `${jsonataLine}:${jsonataCol} FLOW_ERR_JSONATA_SYNTAX mapping`,
      ],
    );
    assert.equal(result.flow, undefined);
    assert.ok(existsSync(broken));
  });
}
