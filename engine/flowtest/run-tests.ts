import { relative } from 'node:path';
import '../../adapters/index.ts';
import { formatDiagnostic } from '../flow/diagnostic.ts';
import { loadFlowDir } from '../flow/load-dir.ts';
import { adapterBlock } from '../flow/adapter-block.ts';
import type { FlowConfig } from '../flow/types.ts';
import type { FakeDestination } from '../ports/adapter.ts';
import { destinationAdapter } from '../registry.ts';
import { CaseFileError, loadCaseFile } from './case-file.ts';
import type { Difference } from './difference.ts';
import { findFlowTests } from './discover.ts';
import { compareCase } from './expectations.ts';
import { runCase } from './run-case.ts';

export interface CaseResult {
  file: string;
  flow: string;
  /** Null when the whole file could not run (it does not parse, or its flow does not load). */
  name: string | null;
  status: 'passed' | 'failed' | 'error';
  differences: Difference[];
  error?: string;
  ms: number;
}

export interface RunOptions {
  /** Only cases whose name (or file path) contains this. */
  filter?: string;
  /** Called as each case finishes, so output streams. */
  onResult?: (r: CaseResult) => void;
}

export interface RunSummary {
  results: CaseResult[];
  testFiles: number;
}

function loadFlow(flowFile: string): FlowConfig | string {
  const { flows, diagnostics } = loadFlowDir([flowFile]);
  const flow = flows[0]?.flow;
  if (flow) return flow;
  return diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n') || 'the flow file does not load';
}

/** Runs the flow-test cases the paths name, against one fake per destination adapter, on loopback. */
export async function runFlowTests(paths: readonly string[], options: RunOptions = {}): Promise<RunSummary> {
  const results: CaseResult[] = [];
  const push = (r: CaseResult): void => {
    results.push(r);
    options.onResult?.(r);
  };
  const groups = findFlowTests(paths);
  const fakes = new Map<string, FakeDestination>();
  const fakeFor = async (config: FlowConfig): Promise<FakeDestination> => {
    const [name] = adapterBlock(config.destination, 'destination');
    let fake = fakes.get(name);
    if (!fake) {
      const adapter = destinationAdapter(name);
      if (!adapter) throw new Error(`unknown destination adapter "${name}"`);
      fake = await adapter.testing.startFake();
      fakes.set(name, fake);
    }
    return fake;
  };
  let testFiles = 0;
  try {
    for (const { flowFile, testFiles: files } of groups) {
      const config = loadFlow(flowFile);
      for (const testFile of files) {
        testFiles++;
        const file = relative(process.cwd(), testFile) || testFile;
        const flowId = typeof config === 'string' ? relative(process.cwd(), flowFile) : config.flow;
        if (typeof config === 'string') {
          push({ file, flow: flowId, name: null, status: 'error', differences: [], error: config, ms: 0 });
          continue;
        }
        let cases;
        try {
          cases = loadCaseFile(testFile).cases;
        } catch (err) {
          const error = err instanceof CaseFileError ? err.problems.join('\n') : (err as Error).message;
          push({ file, flow: flowId, name: null, status: 'error', differences: [], error, ms: 0 });
          continue;
        }
        for (const tc of cases) {
          if (options.filter && !tc.name.includes(options.filter) && !file.includes(options.filter)) continue;
          const started = performance.now();
          try {
            const observed = await runCase(await fakeFor(config), { flowFile, config, testFile }, tc);
            const differences = compareCase(tc, observed);
            const ms = Math.round(performance.now() - started);
            push({ file, flow: flowId, name: tc.name, status: differences.length === 0 ? 'passed' : 'failed', differences, ms });
          } catch (err) {
            const ms = Math.round(performance.now() - started);
            push({ file, flow: flowId, name: tc.name, status: 'error', differences: [], error: (err as Error).message, ms });
          }
        }
      }
    }
  } finally {
    for (const fake of fakes.values()) await fake.close();
  }
  return { results, testFiles };
}
