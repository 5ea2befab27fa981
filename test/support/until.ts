/** Polling for what a test waits on (a server's log line, a store's row, a process's answer). */

const EVERY_MS = 20;

/** Waits until `check` holds; fails naming `what` after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
}

/**
 * Waits until `fn` gives a value (not undefined) and returns it; a throw counts as not yet (a
 * server still starting refuses connections). Fails naming `what` after `ms`.
 */
export async function untilValue<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve().then(fn).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
}
