import { readFileSync } from 'node:fs';

/**
 * The engine's version, from the nearest package.json above this file: the same answer whether
 * the CLI runs from the sources or from the build in dist/.
 */
export function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      return (JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { version: string }).version;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (new URL('../', dir).href === dir.href) throw new Error('no package.json above the engine');
    }
  }
}
