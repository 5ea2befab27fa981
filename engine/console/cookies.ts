/**
 * The console's cookies: always HttpOnly and SameSite=Strict, Secure when the request came over
 * TLS, scoped to the console's path.
 */
export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  secure: boolean;
  path: string;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const VALUE = /^[A-Za-z0-9_.~-]*$/;

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  // Only names and values this code makes: anything else is a bug, not something to encode.
  if (!NAME.test(name) || !VALUE.test(value)) throw new Error(`cookie ${name} has characters a cookie cannot carry`);
  const parts = [`${name}=${value}`, `Path=${opts.path}`, `Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`, 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The value of one cookie in a Cookie header (the first, if sent twice). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
