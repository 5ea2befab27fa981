/**
 * Compile once, at load (STYLE): with jsonata() and ajv's compile counted in a child process,
 * a whole engine is started, then deliveries go through intake and the worker. The counters
 * move while flows load and never while records flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import '../adapters/index.ts';

test('no JSONata or ajv compilation happens per delivery or per record', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', './bench/compile-spy.ts', 'test/support/hot-path-child.ts'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const line = child.stdout.trim().split('\n').at(-1)!;
  const { atLoad, after, records, finished } = JSON.parse(line) as {
    atLoad: { jsonata: number; ajv: number };
    after: { jsonata: number; ajv: number };
    records: number;
    finished: number;
  };
  assert.ok(atLoad.jsonata > 0, 'the flow\'s expressions compiled at load');
  assert.ok(atLoad.ajv > 0, 'schemas compiled at load');
  assert.ok(records >= 50);
  assert.equal(finished, records, 'every record went all the way through');
  assert.deepEqual(after, atLoad, 'nothing compiled while records flowed');
});
