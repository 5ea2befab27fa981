import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { flowFilesIn } from '../flow/load-dir.ts';

/** A flow file and the test files that exercise it. */
export interface FlowTests {
  flowFile: string;
  testFiles: string[];
}

const isTestFile = (name: string): boolean => name.endsWith('.yaml') || name.endsWith('.yml');

function testsBeside(flowFile: string): string[] {
  const dir = join(dirname(flowFile), 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isTestFile).sort().map((f) => join(dir, f));
}

/**
 * What `engine test <paths>` runs. A path is a directory of flows, a flow folder or file (its
 * tests/*.yaml), or one test file (inside <flow folder>/tests/).
 */
export function findFlowTests(paths: readonly string[]): FlowTests[] {
  const out = new Map<string, string[]>();
  const add = (flowFile: string, files: string[]): void => {
    out.set(flowFile, [...new Set([...(out.get(flowFile) ?? []), ...files])]);
  };
  for (const path of paths) {
    const isFile = existsSync(path) && statSync(path).isFile();
    if (isFile && basename(dirname(path)) === 'tests') {
      add(join(dirname(dirname(path)), 'flow.yaml'), [path]);
      continue;
    }
    for (const flowFile of flowFilesIn([path]).files) add(flowFile, testsBeside(flowFile));
  }
  return [...out].map(([flowFile, testFiles]) => ({ flowFile, testFiles }));
}
