/**
 * Secret references. A flow file never holds a secret, only where to find it:
 * `${env:NAME}` (an environment variable) or `${file:path}` (a file, relative to the flow file's
 * folder; its content is trimmed, so a trailing newline does not end up in an HMAC key).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AdapterContext } from '../ports/adapter.ts';
import { flowErrors } from './errors.ts';

export type SecretRef = { kind: 'env'; name: string } | { kind: 'file'; path: string };

const envRef = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const fileRef = /^\$\{file:([^}]+)\}$/;

/** The reference `value` spells, or undefined when it is not a well-formed reference. */
export function parseSecretRef(value: string): SecretRef | undefined {
  const env = envRef.exec(value);
  if (env?.[1]) return { kind: 'env', name: env[1] };
  const file = fileRef.exec(value);
  if (file?.[1]) return { kind: 'file', path: file[1].trim() };
  return undefined;
}

/**
 * The secret behind `ref`. Throws FLOW_ERR_SECRET_LITERAL or FLOW_ERR_SECRET_REF (not a
 * reference), FLOW_ERR_SECRET_UNSET (variable unset or empty) or FLOW_ERR_SECRET_FILE (file
 * unreadable or empty).
 */
export function resolveSecret(ref: string, env: NodeJS.ProcessEnv = process.env, baseDir: string = process.cwd()): string {
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    // Never echo what might be the secret itself into a message that ends up in logs.
    if (!ref.trimStart().startsWith('${')) throw flowErrors.FLOW_ERR_SECRET_LITERAL({ key: 'a secret' });
    throw flowErrors.FLOW_ERR_SECRET_REF({ ref });
  }
  if (parsed.kind === 'env') {
    const value = env[parsed.name];
    if (value === undefined || value.trim() === '') throw flowErrors.FLOW_ERR_SECRET_UNSET({ name: parsed.name, ref });
    return value.trim();
  }
  const path = resolve(baseDir, parsed.path);
  let value: string;
  try {
    value = readFileSync(path, 'utf8').trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw flowErrors.FLOW_ERR_SECRET_FILE({ path: parsed.path, ref, reason }, { cause: err });
  }
  if (value === '') throw flowErrors.FLOW_ERR_SECRET_FILE({ path: parsed.path, ref, reason: 'the file is empty' });
  return value;
}

/** The AdapterContext for a flow loaded from `flowFile`: `${file:…}` paths are relative to its folder. */
export function secretContext(flowFile: string, env: NodeJS.ProcessEnv = process.env): AdapterContext {
  const baseDir = dirname(resolve(flowFile));
  return { secret: (ref) => resolveSecret(ref, env, baseDir) };
}
