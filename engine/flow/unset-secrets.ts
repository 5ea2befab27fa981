/**
 * Which of a flow's secret references do not resolve here, all of them at once: an operator who
 * sets one variable per attempt learns about the next only after the next failure otherwise.
 */
import { dirname } from 'node:path';
import { isEngineError } from '../errors.ts';
import { resolveSecret } from './secrets.ts';
import { secretPaths, valueAt } from './secret-fields.ts';
import { formatYamlPath, type PathSegment } from './yaml-path.ts';

export interface UnsetSecret {
  /** Where the reference sits, e.g. destination.mailerlite.api_key. */
  at: string;
  path: readonly PathSegment[];
  /** The error's code (FLOW_ERR_SECRET_UNSET or FLOW_ERR_SECRET_FILE) and message. */
  code: string;
  message: string;
}

/**
 * The secret references under `sections` (source, destination or both) that do not resolve with
 * `env`, in file order. References that are not references at all are left to validation.
 */
export function unsetSecrets(
  config: unknown,
  file: string,
  env: NodeJS.ProcessEnv,
  sections: ReadonlyArray<'source' | 'destination'> = ['source', 'destination'],
): UnsetSecret[] {
  const out: UnsetSecret[] = [];
  for (const { path } of secretPaths(config)) {
    if (!sections.includes(path[0] as 'source' | 'destination')) continue;
    const ref = valueAt(config, path);
    if (typeof ref !== 'string') continue;
    try {
      resolveSecret(ref, env, dirname(file));
    } catch (err) {
      if (!isEngineError(err) || (err.code !== 'FLOW_ERR_SECRET_UNSET' && err.code !== 'FLOW_ERR_SECRET_FILE')) continue;
      out.push({ at: formatYamlPath(path), path, code: err.code, message: err.message });
    }
  }
  return out;
}
