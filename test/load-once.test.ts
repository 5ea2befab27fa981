/**
 * One loader compiles each expression once (STYLE: compile once at load): with jsonata() counted
 * in a child process, loading a fleet compiles each distinct `when` and `mapping` exactly once —
 * the validation's compilation is the one that runs, and flows with the same text share it — and
 * the default mapping once for every flow that has none. A setting the file leaves out has the
 * schema's default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFlowDir } from '../engine/flow/load-dir.ts';
import { flowYaml } from './support/harness.ts';

test('loading flows compiles each distinct JSONata expression once, and the default mapping once for all', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', './bench/compile-spy.ts', 'test/support/load-once-child.ts'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    loaded: number[]; problems: string[]; firstLoad: number; secondLoad: number; settleMs: Record<string, number>;
    copyShares: { when: boolean; mapping: boolean }; defaultShared: boolean;
  };
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.loaded, [3, 3]);
  // with-expressions: its when and its mapping; same-expressions: the same two texts, not compiled
  // again; with-defaults: the default mapping.
  assert.equal(result.firstLoad, 3, 'each distinct expression compiled once at the first load');
  assert.deepEqual(result.copyShares, { when: true, mapping: true }, 'the copy runs the compiled expressions of the flow it copies');
  // A reload compiles the files' own expressions again (they may have changed); the default mapping is kept.
  assert.equal(result.secondLoad, 2, 'a reload compiles only the flows\' own expressions, each distinct text once');
  assert.equal(result.defaultShared, true, 'the default mapping outlives a reload');
  // settle_seconds left out: flow.base.schema.json's default, 30 s.
  assert.deepEqual(result.settleMs, { 'same-expressions': 0, 'with-defaults': 30_000, 'with-expressions': 0 });
});

test('flows sharing an expression each get its diagnostics, at their own lines, checked against their own triggers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-shared-expr-'));
  const groups = { mailing_list: ['Newsletter'], not_on_list: ['Donors'] };
  // A misspelt step (an error wherever it is) and a raw field only new_contact's payload lacks.
  const expressions = 'when: contact.adress.city = "Oakland" and raw.transaction_id != null\n';
  const files = {
    a: flowYaml('a', 'all_contacts_by_list', groups, expressions),
    // One line longer before `when`: its diagnostics must not land on a's line.
    b: flowYaml('b', 'all_contacts_by_list', groups, `# a copy of a\n${expressions}`).replace('TEST_FLIPCAUSE_SECRET', 'B_SECRET'),
    c: flowYaml('c', 'all_contacts_by_list', groups, expressions).replace('TEST_FLIPCAUSE_SECRET', 'C_SECRET').replace('triggers: [new_activity, new_transaction, new_contact, update_contact]', 'triggers: [new_contact]'),
  };
  try {
    for (const [name, yaml] of Object.entries(files)) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'flow.yaml'), yaml);
    }
    const { diagnostics } = loadFlowDir([dir]);
    const found = (id: string) => diagnostics.filter((d) => d.file === join(dir, id, 'flow.yaml')).map((d) => `${d.line}:${d.col} ${d.code}`);
    const whenLine = files.a.split('\n').findIndex((l) => l.startsWith('when:')) + 1;
    assert.deepEqual(found('a'), [`${whenLine}:15 FLOW_ERR_PATH_UNKNOWN`]);
    assert.deepEqual(found('b'), [`${whenLine + 1}:15 FLOW_ERR_PATH_UNKNOWN`]);
    assert.deepEqual(found('c'), [`${whenLine}:15 FLOW_ERR_PATH_UNKNOWN`, `${whenLine}:47 FLOW_ERR_RAW_FIELD_UNKNOWN`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
