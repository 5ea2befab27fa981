/**
 * One loader compiles each expression once (STYLE: compile once at load): with jsonata() counted
 * in a child process, loading a fleet compiles each `when` and `mapping` exactly once — the
 * validation's compilation is the one that runs — and the default mapping once for every flow
 * that has none. A setting the file leaves out has the schema's default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('loading flows compiles each JSONata expression once, and the default mapping once for all', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', './bench/compile-spy.ts', 'test/support/load-once-child.ts'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { loaded: number[]; problems: string[]; firstLoad: number; secondLoad: number; settleMs: Record<string, number> };
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.loaded, [2, 2]);
  // with-expressions: its when and its mapping; with-defaults: the default mapping.
  assert.equal(result.firstLoad, 3, 'each expression compiled once at the first load');
  // A reload compiles the files' own expressions again (they may have changed); the default mapping is kept.
  assert.equal(result.secondLoad, 2, 'a reload compiles only the flows\' own expressions');
  // settle_seconds left out: flow.base.schema.json's default, 30 s.
  assert.deepEqual(result.settleMs, { 'with-defaults': 30_000, 'with-expressions': 0 });
});
