/**
 * Checks across every flow the server will host: flow ids are webhook paths, so two flows with
 * one id cannot both be served; a signing secret or URL token shared by two flows means one
 * customer's deliveries would authenticate as another's (usually a copied flow file).
 */
import { dirname, resolve } from 'node:path';
import { diagnostic, type Diagnostic, type Position } from './diagnostic.ts';
import type { ParsedFlowFile } from './load-file.ts';
import { parseSecretRef } from './secrets.ts';
import { secretPaths, valueAt } from './secret-fields.ts';
import type { FlowSource } from './flow-source.ts';
import { formatYamlPath, type PathSegment } from './yaml-path.ts';

interface Claim {
  file: string;
  flowId: string;
  source: FlowSource;
  path: readonly PathSegment[];
}

/** Where a claim is in its file: looked up only for a clash (a file read quickly has no positions until asked). */
function at(claim: Claim): Position {
  return claim.source.locate(claim.path);
}

function where(claim: Claim): string {
  const { line, col } = at(claim);
  return `${claim.file}:${line}:${col}`;
}

/** Secret references that name the same secret: `${file:…}` paths are relative to each flow's folder. */
function secretIdentity(file: string, ref: string): string | undefined {
  const parsed = parseSecretRef(ref);
  if (!parsed) return undefined;
  return parsed.kind === 'env' ? `env:${parsed.name}` : `file:${resolve(dirname(file), parsed.path)}`;
}

/** Diagnostics for the later files of each clash (files are in a stable, sorted order). */
export function checkFleet(files: readonly ParsedFlowFile[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ids = new Map<string, Claim>();
  const secrets = new Map<string, Claim>();
  for (const { result, data, source } of files) {
    if (!source || data === undefined) continue;
    const id = valueAt(data, ['flow']);
    const flowId = typeof id === 'string' ? id : '?';
    if (typeof id === 'string') {
      const claim = { file: result.file, flowId, source, path: ['flow'] };
      const first = ids.get(id);
      if (first) out.push(diagnostic('FLOW_ERR_DUPLICATE_FLOW_ID', { id, otherAt: where(first) }, result.file, at(claim), 'flow'));
      else ids.set(id, claim);
    }
    for (const { path } of secretPaths(data).filter((p) => p.identifiesCustomer)) {
      const ref = valueAt(data, path);
      if (typeof ref !== 'string') continue;
      const identity = secretIdentity(result.file, ref);
      if (!identity) continue;
      const claim = { file: result.file, flowId, source, path };
      const first = secrets.get(identity);
      if (first && first.file !== result.file) {
        const params = { key: String(path[path.length - 1]), ref, other: first.flowId, otherAt: where(first) };
        out.push(diagnostic('FLOW_ERR_SECRET_REUSED', params, result.file, at(claim), formatYamlPath(path)));
      } else if (!first) {
        secrets.set(identity, claim);
      }
    }
  }
  return out;
}
