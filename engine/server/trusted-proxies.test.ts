import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrustedProxies, TrustedProxiesError } from './trusted-proxies.ts';

test('--trust-proxy takes addresses, CIDR ranges and the named ranges, comma-separated', () => {
  assert.deepEqual(parseTrustedProxies('10.0.0.1, 10.1.0.0/16,loopback,::1,fd00::/8'), ['10.0.0.1', '10.1.0.0/16', 'loopback', '::1', 'fd00::/8']);
});

test('a wrong entry is refused by name', () => {
  for (const bad of ['10.0.0.300', '10.0.0.0/33', 'proxy.internal', '::1/129', '10.0.0.0/8/1', '10.0.0.0/x']) {
    assert.throws(() => parseTrustedProxies(`loopback,${bad}`), (err: Error) => err instanceof TrustedProxiesError && err.message.includes(`"${bad}"`), bad);
  }
});
