/**
 * Checks the schema cannot express: secrets are references, `since` is a real timestamp, the
 * source can authenticate deliveries, trigger names are known (a near miss of a known one is an error). They read the raw data defensively
 * so they run (and report) even when the schema found other problems in the same file.
 */
import { builtinAdapterSchemas } from './adapter-schemas.ts';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { nearest } from './did-you-mean.ts';
import { isIsoTimestamp } from './iso-timestamp.ts';
import { isEngineError } from '../errors.ts';
import type { FlowSource } from './flow-source.ts';
import { resolveSecret, parseSecretRef } from './secrets.ts';
import { secretFields, valueAt } from './secret-fields.ts';
import { formatYamlPath, type PathSegment } from './yaml-path.ts';
import { dirname } from 'node:path';

/** Trigger names Flipcause is known to send: the examples the adapter's schema lists. */
const knownTriggers: readonly string[] = (() => {
  const triggers = (builtinAdapterSchemas.sources.flipcause as { properties?: { triggers?: { items?: { examples?: unknown } } } }).properties?.triggers;
  const examples = triggers?.items?.examples;
  return Array.isArray(examples) ? examples.map(String) : [];
})();

const triggerName = /^[a-z][a-z0-9_]*$/;

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

  for (const path of secretFields) {
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

  const flipcause = valueAt(data, ['source', 'flipcause']);
  if (isObject(flipcause)) {
    if (flipcause.signing_secret === undefined && flipcause.url_token === undefined) {
      const path = ['source', 'flipcause'];
      out.push(diagnostic('FLOW_ERR_AUTH_MISSING', {}, file, at(path, 'key'), formatYamlPath(path)));
    }
    if (typeof flipcause.since === 'string' && !isIsoTimestamp(flipcause.since)) {
      const path = ['source', 'flipcause', 'since'];
      out.push(diagnostic('FLOW_ERR_SINCE', { value: flipcause.since }, file, at(path), formatYamlPath(path)));
    }
    if (Array.isArray(flipcause.triggers)) {
      flipcause.triggers.forEach((name, index) => {
        // Malformed names are the schema's to report.
        if (typeof name !== 'string' || !triggerName.test(name) || knownTriggers.includes(name)) return;
        const path = ['source', 'flipcause', 'triggers', index];
        // A name one typo from a known trigger is a mistake, not a trigger Flipcause has not published.
        const suggestion = nearest(name, knownTriggers);
        if (suggestion !== undefined) out.push(diagnostic('FLOW_ERR_TRIGGER_MISSPELT', { name, suggestion }, file, at(path), formatYamlPath(path)));
        else out.push(diagnostic('FLOW_ERR_TRIGGER_UNKNOWN', { name, known: knownTriggers.join(', ') }, file, at(path), formatYamlPath(path)));
      });
    }
  }
  return out;
}
