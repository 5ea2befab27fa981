import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

test('engine fake-mailerlite serves the tokens it prints, refuses others, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['engine/cli/bin.js', 'fake-mailerlite', '--port', '0', '--token', 'tok-a', '--token', 'tok-b'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (c) => {
        out += String(c);
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && /token: tok-b/.test(out)) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    assert.match(out, /token: tok-a/);
    const get = (token: string) => fetch(`${url}/api/groups`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    const ok = await get('tok-a');
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('x-ratelimit-remaining'));
    assert.deepEqual(((await ok.json()) as { data: unknown[] }).data, []);
    const refused = await get('not-a-token');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('x-ratelimit-remaining'), null);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
