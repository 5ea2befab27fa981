/**
 * Checks the schema cannot express: secrets are references (where each adapter declares its
 * secrets), plus each adapter's own checks of its block. They read the raw data defensively so
 * they run (and report) even when the schema found other problems in the same file.
 */
import { diagnostic, adapterDiagnostic, type Diagnostic } from './diagnostic.ts';
import { nearest } from './did-you-mean.ts';
import { isEngineError } from '../errors.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import type { FlowSource } from './flow-source.ts';
import { resolveSecret, parseSecretRef } from './secrets.ts';
import { secretPaths, valueAt } from './secret-fields.ts';
import { formatYamlPath, type PathSegment } from './yaml-path.ts';
import { dirname } from 'node:path';

export interface SemanticOptions {
  /** Also resolve every secret reference (deploy-time check); validate does not by default. */
  resolveSecrets?: { env: NodeJS.ProcessEnv };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function checkSemantics(data: unknown, source: FlowSource, file: string, options: SemanticOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: readonly PathSegment[], target: 'key' | 'value' = 'value') => source.locate(path, target);

  for (const { path } of secretPaths(data)) {
    const value = valueAt(data, path);
    if (typeof value !== 'string') continue;
    const key = String(path[path.length - 1]);
    const ref = parseSecretRef(value);
    if (!ref) {
      const code = value.trimStart().startsWith('${') ? 'FLOW_ERR_SECRET_REF' : 'FLOW_ERR_SECRET_LITERAL';
      out.push(diagnostic(code, { key, ref: value }, file, at(path), formatYamlPath(path)));
    } else if (options.resolveSecrets) {
      try {
        resolveSecret(value, options.resolveSecrets.env, dirname(file));
      } catch (err) {
        if (!isEngineError(err) || (err.code !== 'FLOW_ERR_SECRET_UNSET' && err.code !== 'FLOW_ERR_SECRET_FILE')) throw err;
        out.push(diagnostic(err.code, err.params, file, at(path), formatYamlPath(path)));
      }
    }
  }

  for (const section of ['source', 'destination'] as const) {
    const block = valueAt(data, [section]);
    if (!isObject(block)) continue;
    for (const [name, config] of Object.entries(block)) {
      const adapter = section === 'source' ? sourceAdapter(name) : destinationAdapter(name);
      for (const problem of adapter?.check?.(config, { nearest }) ?? []) {
        const path = [section, name, ...problem.path];
        out.push(adapterDiagnostic(problem, file, at(path, problem.at), formatYamlPath(path)));
      }
    }
  }
  return out;
}
