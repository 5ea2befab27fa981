/**
 * The built CLI validates with code generated from the schemas at build time (engine/cli/build.js,
 * engine/cli/standalone-validators.ts); run from source the same schemas are compiled. Both must
 * find the same problems and report them at the same places.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const BROKEN = readdirSync('test/fixtures/flows/broken').filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/flows/broken/${f}`);

function validate(fromSource: boolean, ...targets: string[]): { status: number | null; stdout: string; stderr: string } {
  const args = fromSource
    ? ['--import', 'tsx', '--input-type=module', '-e', "import { main } from './engine/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));", 'validate', ...targets]
    : ['engine/cli/bin.js', 'validate', ...targets];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the build holds the generated validators, not the modules that stand for them in source', () => {
  const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const bytes = (input: string): number => Object.values(meta.outputs).reduce((n, o) => n + (o.inputs[input]?.bytesInOutput ?? 0), 0);
  assert.ok(bytes('engine/flow/precompiled-flow-validator.ts') > 20_000, 'the flow validator');
  assert.ok(bytes('adapters/flipcause/precompiled-drift-validators.ts') > 2_000, 'the payload validators');
});

test('the built validator and the one compiled from source report every broken fixture alike', () => {
  const built = validate(false, ...BROKEN);
  const source = validate(true, ...BROKEN);
  assert.equal(built.status, 1, built.stderr);
  // Every kind of schema problem is among the fixtures: unknown keys, types, enums, patterns, ranges, missing keys.
  for (const code of ['FLOW_ERR_UNKNOWN_KEY', 'FLOW_ERR_TYPE', 'FLOW_ERR_ENUM', 'FLOW_ERR_MISSING_KEY', 'FLOW_ERR_VALUE', 'FLOW_ERR_GROUP_SLOT']) {
    assert.match(built.stdout, new RegExp(` error ${code} `), code);
  }
  assert.deepEqual({ status: built.status, stdout: built.stdout, stderr: built.stderr }, { status: source.status, stdout: source.stdout, stderr: source.stderr });
});

test('both fill in the schema defaults the same way: the examples validate clean', () => {
  for (const fromSource of [false, true]) {
    const r = validate(fromSource, 'flows');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
  }
});
