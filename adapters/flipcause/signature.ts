/**
 * Flipcause's delivery signature: base64 of HMAC-SHA256 over the exact raw body, keyed with the
 * signing secret as given ("whsec_…", used whole as the UTF-8 key), sent in
 * X-Flipcause-Hmac-SHA256 (older deliveries: X-Vtypeio-Hmac-SHA256). No timestamp, so no replay
 * protection: the store's dedupe keys absorb replays.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header names as Node presents them (lower-cased), in the order they are looked for. */
export const SIGNATURE_HEADERS = ['x-flipcause-hmac-sha256', 'x-vtypeio-hmac-sha256'] as const;

export type Headers = Record<string, string | string[] | undefined>;

/** The base64 HMAC-SHA256 signature Flipcause would send for this body. */
export function signBody(body: Buffer | Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * Every signature the request carries, from either header and every copy of it; empty when it
 * carries none. A repeated header reaches us joined into one comma-separated value (Node does
 * that, and so may a proxy, as HTTP allows for list fields) or as an array; a base64 signature
 * never contains a comma, so splitting at commas gives back each copy exactly.
 */
export function signaturesOf(headers: Headers): string[] {
  const out: string[] = [];
  for (const name of SIGNATURE_HEADERS) {
    const v = headers[name];
    const copies = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
    for (const copy of copies) for (const s of copy.split(',')) out.push(s.trim());
  }
  // An empty header (or an empty list element) is no signature at all.
  return out.filter((s) => s !== '');
}

/**
 * True when `signature` is the body's signature under `secret`. Constant-time; never throws.
 * One HMAC per check: a signature's length is no secret (base64 of SHA-256 is always 44
 * characters), so only equal lengths are compared, byte for byte in constant time.
 */
export function verifySignature(body: Buffer | Uint8Array | string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(expected, given);
}

// A per-process key: comparing HMACs of both sides makes the inputs equal-length for
// timingSafeEqual (which throws on unequal lengths) and leaks nothing about either.
const COMPARE_KEY = randomBytes(32);

/** Constant-time string equality for secrets of any length (a length mismatch is just `false`). */
export function safeEqual(expected: string, given: string): boolean {
  const a = createHmac('sha256', COMPARE_KEY).update(expected).digest();
  const b = createHmac('sha256', COMPARE_KEY).update(given).digest();
  return timingSafeEqual(a, b);
}
