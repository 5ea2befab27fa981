import { createHash } from 'node:crypto';

/**
 * Who acted, in the audit log: a fingerprint of the admin token that is safe to show and store
 * (a hash prefix, too short to test guesses against), which still tells a rotated token apart.
 */
export function tokenId(token: string): string {
  return `tok_${createHash('sha256').update(`engine-admin-token:${token}`).digest('hex').slice(0, 10)}`;
}
