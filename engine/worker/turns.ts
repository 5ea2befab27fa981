/**
 * A worker shares the event loop with intake: a round's synchronous work is cut into slices, and
 * between slices the loop gets a turn (setImmediate runs after the I/O callbacks already due), so
 * a delivery that arrives during a round waits for one slice, not for the whole round.
 */

/** Resolves on the event loop's next turn, after the I/O that is due now has been handled. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `step` on every item in order, `size` items per slice, giving the loop a turn between
 * slices (never before the first or after the last). A step that throws stops the run.
 */
export async function inSlices<T>(items: readonly T[], size: number, step: (item: T, index: number) => Promise<void> | void): Promise<void> {
  const slice = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % slice === 0) await nextTurn();
    await step(items[i]!, i);
  }
}
