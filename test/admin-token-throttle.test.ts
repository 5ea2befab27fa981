/**
 * Guessing the admin token over real HTTP: the console's login form and the admin API's bearer
 * check share one count per client address; once it is spent, even the right token is not
 * compared (that would still answer the guess) and the answer is 429 with Retry-After, while
 * another address is served as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { flowYaml, startHarness } from './support/harness.ts';
import { submitLogin } from './support/console-client.ts';
import { DEFAULT_GUESS_LIMITS } from '../engine/operator/token-guesses.ts';
import '../adapters/index.ts';

const ADMIN = 'throttle-admin-token-for-tests';

/** GET with a bearer token from a chosen loopback source address (Linux routes all of 127/8 to lo). */
function adminGet(url: string, token: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, ...headers }, localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    req.on('error', reject).end();
  });
}

test('wrong admin tokens from one address, through the login form and the API alike, hold that address back with 429 and Retry-After', async () => {
  const h = await startHarness({ flows: { hope: flowYaml('hope', 'all_contacts', {}) }, server: { adminToken: ADMIN } });
  try {
    const flows = `${h.server.url}/admin/flows`;
    // Half the allowance spent in the console, the rest on the API: one count.
    const half = Math.floor(DEFAULT_GUESS_LIMITS.maxRefused / 2);
    for (let i = 0; i < half; i++) assert.equal((await submitLogin(h.server.url, `wrong-${i}`)).res.status, 401);
    for (let i = half; i < DEFAULT_GUESS_LIMITS.maxRefused; i++) assert.equal((await adminGet(flows, `wrong-${i}`, '127.0.0.1')).status, 401);

    const api = await adminGet(flows, ADMIN, '127.0.0.1');
    assert.equal(api.status, 429, 'the right token is not even compared now');
    assert.equal(JSON.parse(api.body).code, 'ENGINE_ERR_ADMIN_THROTTLED');
    const seconds = Number(api.retryAfter);
    assert.ok(seconds > 0 && seconds <= DEFAULT_GUESS_LIMITS.windowMs / 1000, `Retry-After ${api.retryAfter}`);

    const login = await submitLogin(h.server.url, ADMIN);
    assert.equal(login.res.status, 429);
    assert.ok(Number(login.res.headers.get('retry-after')) > 0);
    assert.match(await login.res.text(), /Too many wrong tokens from this address/);
    assert.ok(!login.cookies.some((c) => c.startsWith('engine_session=')), 'no session while held back');

    const other = await adminGet(flows, ADMIN, '127.0.0.2');
    assert.equal(other.status, 200, 'another address is served');
    // Held-back tries are not audited as logins: only the ones compared are.
    const logins = await h.server.store.auditLog({ action: 'login' });
    assert.equal(logins.length, half);
  } finally {
    await h.close();
  }
});

test('a right token clears the address\'s count', async () => {
  const h = await startHarness({ flows: { hope: flowYaml('hope', 'all_contacts', {}) }, server: { adminToken: ADMIN } });
  try {
    const flows = `${h.server.url}/admin/flows`;
    const wrongs = DEFAULT_GUESS_LIMITS.maxRefused - 1;
    for (let i = 0; i < wrongs; i++) assert.equal((await adminGet(flows, 'wrong', '127.0.0.1')).status, 401);
    assert.equal((await adminGet(flows, ADMIN, '127.0.0.1')).status, 200);
    for (let i = 0; i < wrongs; i++) assert.equal((await adminGet(flows, 'wrong', '127.0.0.1')).status, 401);
    assert.equal((await adminGet(flows, ADMIN, '127.0.0.1')).status, 200, 'the earlier refusals were forgotten');
  } finally {
    await h.close();
  }
});

test('behind a trusted proxy (--trust-proxy) the throttle counts the forwarded client, and the console cookie is Secure over the proxy\'s TLS', async () => {
  const h = await startHarness({ flows: { hope: flowYaml('hope', 'all_contacts', {}) }, server: { adminToken: ADMIN, trustProxy: ['127.0.0.1'] } });
  try {
    const flows = `${h.server.url}/admin/flows`;
    const from = (client: string) => ({ 'x-forwarded-for': client });
    for (let i = 0; i < DEFAULT_GUESS_LIMITS.maxRefused; i++) assert.equal((await adminGet(flows, 'wrong', '127.0.0.1', from('203.0.113.5'))).status, 401);
    assert.equal((await adminGet(flows, ADMIN, '127.0.0.1', from('203.0.113.5'))).status, 429, 'the guessing client is held back');
    assert.equal((await adminGet(flows, ADMIN, '127.0.0.1', from('203.0.113.6'))).status, 200, 'another client behind the same proxy is not');

    const form = await fetch(`${h.server.url}/ui/login`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(form.headers.getSetCookie().join('\n'), /engine_login=[^;]+;.*Secure/);
  } finally {
    await h.close();
  }
});

test('without --trust-proxy a forwarded address is not believed: the proxy\'s own address is the one held back', async () => {
  const h = await startHarness({ flows: { hope: flowYaml('hope', 'all_contacts', {}) }, server: { adminToken: ADMIN } });
  try {
    const flows = `${h.server.url}/admin/flows`;
    for (let i = 0; i < DEFAULT_GUESS_LIMITS.maxRefused; i++) {
      assert.equal((await adminGet(flows, 'wrong', '127.0.0.1', { 'x-forwarded-for': `203.0.113.${i}` })).status, 401);
    }
    assert.equal((await adminGet(flows, ADMIN, '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).status, 429, 'a made-up X-Forwarded-For does not dodge the throttle');
  } finally {
    await h.close();
  }
});
