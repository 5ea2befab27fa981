import { existsSync } from 'node:fs';
import { formatDiagnostic } from './diagnostic.ts';
import { loadFlowDir, type LoadedFlow } from './load-dir.ts';

/**
 * The flow a command names: a flow file or folder, or a flow id looked up under `flowsDir`.
 * Returns the loaded flow, or the problems to print (the file's own when the path exists).
 */
export function findFlow(target: string, flowsDir: string): { flow: LoadedFlow } | { problems: string[] } {
  const byPath = existsSync(target) ? loadFlowDir([target]) : null;
  const set = byPath ?? loadFlowDir([flowsDir]);
  const found = set.flows.find((f) => f.flow.flow === target) ?? (byPath?.flows.length === 1 ? byPath.flows[0] : undefined);
  if (found) return { flow: found };
  const errors = set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  return { problems: [...errors, `no valid flow "${target}"`] };
}
