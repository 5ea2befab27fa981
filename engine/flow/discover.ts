/**
 * Which files a path names: a file is itself; a directory is every `flow.yaml` / `*.flow.yaml`
 * below it. A flow folder's `tests/` directory holds flow-test cases, not flows, and is skipped.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function isFlowFileName(name: string): boolean {
  return name === 'flow.yaml' || name.endsWith('.flow.yaml');
}

export function findFlowFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    const entries = readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const isFlowFolder = entries.some((e) => e.isFile() && isFlowFileName(e.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isFile() && isFlowFileName(entry.name)) out.push(path);
      // Symbolic links are not followed: a link loop must not hang validation.
      else if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules' && !(isFlowFolder && entry.name === 'tests')) walk(path);
    }
  };
  walk(dir);
  return out;
}
