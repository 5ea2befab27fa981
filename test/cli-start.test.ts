/**
 * `npm start` on a fresh clone: `engine serve --flows flows` with none of the examples' secrets
 * set. The examples (`example: true`) read as not configured, once, at info level; /readyz is
 * ready with no problems, and a delivery to one is answered 503 naming the variables to set.
 * A customer's flow with secrets unset stays an error, naming them all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { flowYaml } from './support/harness.ts';
import { untilValue } from './support/until.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Readiness {
  ready: boolean;
  flows: number;
  problems: { file: string; problems: string[] }[];
  not_configured: { flow: string; missing: string[] }[];
}

/** `engine serve` with only PATH in its environment (no secret leaks in from the caller). */
async function serve(flowsDir: string, body: (base: string, log: () => string[], child: ReturnType<typeof spawn>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-start-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['engine/cli/bin.js', 'serve', '--flows', flowsDir, '--db', join(dir, 'engine.sqlite'), '--port', String(port), '--no-watch'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (out += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await untilValue('the server', () => (out.includes('"msg":"engine serving"') ? true : undefined));
    await body(base, () => out.split('\n').filter(Boolean), child);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a fresh clone serves the examples without errors: not configured, once, and /readyz ready', () =>
  serve('flows', async (base, log, child) => {
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 200);
    const ready = (await res.json()) as Readiness;
    assert.equal(ready.ready, true);
    assert.deepEqual(ready.problems, []);
    assert.deepEqual(ready.not_configured.map((n) => n.flow).sort(), ['eastside-youth-soccer', 'hope-shelter', 'riverside-food-bank']);
    const hope = ready.not_configured.find((n) => n.flow === 'hope-shelter')!;
    assert.deepEqual(hope.missing, ['${env:HOPE_SHELTER_FLIPCAUSE_SECRET}', '${env:HOPE_SHELTER_MAILERLITE_KEY}'], 'every unset secret at once');

    // A delivery to an unconfigured example is refused for now (the sender retries), naming what to set.
    const delivery = await fetch(`${base}/hooks/hope-shelter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync('adapters/flipcause/fixtures/new-contact.json') });
    assert.equal(delivery.status, 503);
    const refusal = (await delivery.json()) as { code: string; message: string };
    assert.equal(refusal.code, 'ENGINE_ERR_FLOW_NOT_CONFIGURED');
    assert.match(refusal.message, /"hope-shelter" is an example not configured on this server: its secrets are unset \(HOPE_SHELTER_FLIPCAUSE_SECRET, HOPE_SHELTER_MAILERLITE_KEY\)/);
    assert.doesNotMatch(refusal.message, /\$\{|flow\.yaml/, 'variable names only: no reference syntax, no path');
    const unknown = await fetch(`${base}/hooks/no-such-flow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    assert.equal(unknown.status, 404, 'a flow that is not an example stays unknown');
    assert.equal(((await unknown.json()) as { code: string }).code, 'ENGINE_ERR_UNKNOWN_FLOW');

    child.kill('SIGHUP');
    await untilValue('the reload', () => (log().filter((l) => l.includes('"msg":"flows loaded"')).length === 2 ? true : undefined));
    const lines = log().map((l) => JSON.parse(l) as { level: number; msg: string });
    assert.deepEqual(lines.filter((l) => l.level >= 40), [], 'no warning or error, at start or on reload');
    assert.equal(lines.filter((l) => l.msg.startsWith('example flow not configured')).length, 3, 'once per example, not again on reload');
  }));

test('a customer\'s flow with its secrets unset is an error naming every unset variable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-start-flows-'));
  mkdirSync(join(dir, 'acme'));
  writeFileSync(join(dir, 'acme', 'flow.yaml'), flowYaml('acme', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }));
  try {
    await serve(dir, async (base, log) => {
      const res = await fetch(`${base}/readyz`);
      assert.equal(res.status, 503);
      const ready = (await res.json()) as Readiness;
      assert.deepEqual(ready.not_configured, []);
      const problems = ready.problems[0]!.problems.join('\n');
      assert.match(problems, /source\.flipcause\.signing_secret: environment variable TEST_FLIPCAUSE_SECRET/);
      assert.match(problems, /destination\.mailerlite\.api_key: environment variable TEST_MAILERLITE_KEY/);
      const errors = log().map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
      assert.deepEqual(errors.map((e) => e.msg), ['flow file not loaded']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unconfigured example whose key is a secret file names its variables and counts the file, without its path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-start-flows-'));
  mkdirSync(join(dir, 'sample'));
  const yaml = flowYaml('sample', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }, 'example: true\n').replace('${env:TEST_MAILERLITE_KEY}', '${file:mailerlite-key.txt}');
  writeFileSync(join(dir, 'sample', 'flow.yaml'), yaml);
  try {
    await serve(dir, async (base) => {
      const res = await fetch(`${base}/hooks/sample`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
      assert.equal(res.status, 503);
      const refusal = (await res.json()) as { code: string; message: string };
      assert.equal(refusal.code, 'ENGINE_ERR_FLOW_NOT_CONFIGURED');
      assert.match(refusal.message, /its secrets are unset \(TEST_FLIPCAUSE_SECRET, 1 secret file \(named in the server's log\)\)/);
      assert.doesNotMatch(refusal.message, /mailerlite-key/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
