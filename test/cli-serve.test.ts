/**
 * `engine serve` as an operator runs it: a real process, a real port, SIGTERM to stop. Intake
 * answers 200 only for committed records, and a graceful stop leaves them in the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import { flowYaml, SECRET, TOKEN } from './support/harness.ts';
import '../adapters/index.ts';
import { untilValue } from './support/until.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('engine serve: signed deliveries are stored and sent to MailerLite; SIGTERM stops it cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-serve-'));
  const fake = await startFakeMailerLite({ accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'] } } });
  const port = await freePort();
  mkdirSync(join(dir, 'flows', 'hope'), { recursive: true });
  writeFileSync(
    join(dir, 'flows', 'hope', 'flow.yaml'),
    flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }).replace(
      '    api_key: ${env:TEST_MAILERLITE_KEY}',
      `    api_key: \${env:TEST_MAILERLITE_KEY}\n    base_url: ${fake.url}`,
    ),
  );
  const db = join(dir, 'engine.sqlite');
  const child = spawn(process.execPath, ['engine/cli/bin.js', 'serve', '--flows', join(dir, 'flows'), '--db', db, '--port', String(port)], {
    env: { ...process.env, TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (out += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await untilValue('readiness', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
    const body = JSON.stringify(fixtureRecords('donation-with-opt-in'));
    const res = await fetch(`${base}/hooks/hope`, { method: 'POST', headers: { 'x-flipcause-hmac-sha256': signBody(body, SECRET) }, body });
    assert.equal(res.status, 200);
    await untilValue('the subscriber', async () => (fake.account(TOKEN).subscribers().length === 1 ? true : undefined));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /"msg":"engine stopped"/);
    assert.doesNotMatch(out, /jane\.doe@example\.org/i);
    const store = openSqliteStore({ file: db });
    try {
      assert.deepEqual((await store.records({ flow: 'hope' })).map((r) => r.status), ['done', 'done', 'done']);
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
