/** Counts event-loop turns (check phases) while `run` runs: shows that work yields to the loop. */
export async function countingTurns<T>(run: (turns: () => number) => Promise<T>): Promise<T> {
  let turns = 0;
  let live = true;
  const tick = (): void => {
    if (!live) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return await run(() => turns);
  } finally {
    live = false;
  }
}
