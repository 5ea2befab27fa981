/**
 * CSRF tokens: one per session (and one per login form), random, sent back in a hidden form
 * field `_csrf` (or the X-CSRF-Token header), compared in constant time.
 */
import { randomBytes } from 'node:crypto';
import { sameSecret } from '../operator/same-secret.ts';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `given` is the expected token; anything not a non-empty string is not. */
export function csrfMatches(expected: string, given: unknown): boolean {
  return sameSecret(expected, given);
}
