/**
 * Watches the flow folders and calls `reload` once a burst of changes has settled.
 *
 * chokidar, not node:fs watch: Node's recursive watcher follows each file by inode, so after an
 * editor's atomic save (write a temporary file, rename it over flow.yaml) or a `cp` over the
 * file it watches a file that no longer exists and goes blind until restart. chokidar watches
 * the directories, re-attaches to a file that is renamed over or deleted and recreated, picks up
 * new customer folders, and folds an editor's delete-then-add into one change.
 */
import { watch } from 'chokidar';
import type { Logger } from '../log/logger.ts';

export interface FlowWatcher {
  close(): Promise<void>;
}

const FLOW_FILE = /\.ya?ml$/;
/** Long enough to fold an editor's save (temp file, rename, chmod) into one reload. */
const SETTLE_MS = 250;

/** Resolves once the folders are scanned: a change made after it is seen. */
export async function watchFlows(paths: readonly string[], reload: () => void, log: Logger): Promise<FlowWatcher> {
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  };
  const watcher = watch([...paths], {
    ignoreInitial: true,
    // Only flow files (and the folders that may hold them) matter; dotfiles (editors' temporary
    // files) are left out by chokidar's atomic-save handling.
    ignored: (path, stats) => stats?.isFile() === true && !FLOW_FILE.test(path),
  });
  watcher.on('all', (event, path) => {
    // A folder appearing is followed by its files' own `add`; one disappearing takes its flows.
    if (event === 'addDir') return;
    if (event === 'unlinkDir' || FLOW_FILE.test(path)) schedule();
  });
  watcher.on('error', (err) => log.error({ err }, 'flow watcher error'));
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
