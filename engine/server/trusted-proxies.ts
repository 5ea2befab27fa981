import { isIP } from 'node:net';

/** The names fastify (proxy-addr) accepts for whole ranges, besides addresses and CIDRs. */
const RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export class TrustedProxiesError extends Error {}

/**
 * `--trust-proxy` as fastify's `trustProxy` list: the reverse proxies whose X-Forwarded-For is
 * believed, so the client address (the wrong-token throttle's key, the audit log's `ip`) and TLS
 * (the session cookie's Secure flag) are the real client's. Checked here, so a typo is a usage
 * error naming the entry rather than a stack at start.
 */
export function parseTrustedProxies(list: string): string[] {
  const entries = list.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  for (const entry of entries) {
    if (RANGES.has(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new TrustedProxiesError(`--trust-proxy: "${entry}" is not an IP address, a CIDR range or one of ${[...RANGES].join(', ')}`);
    }
  }
  return entries;
}
