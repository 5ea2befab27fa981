import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares a secret in constant time; anything not a non-empty string never matches. */
export function sameSecret(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || expected.length === 0) return false;
  // Digests have equal lengths whatever was sent, as timingSafeEqual needs.
  return timingSafeEqual(digest(expected), digest(given));
}
