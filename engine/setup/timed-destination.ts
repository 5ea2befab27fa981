import type { Destination } from '../ports/destination.ts';

/**
 * A destination that counts the time spent waiting for it: every call that goes to the account
 * (its rate limit, its answers). What is left of a run's time is the engine's own work, which is
 * how `engine backfill` can say which of the two sets the pace of a big file.
 */
export function timedDestination(real: Destination): { destination: Destination; waitedMs(): number } {
  let waited = 0;
  // Overlapping calls count once: the time during which at least one was waiting.
  let open = 0;
  let since = 0;
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    if (open++ === 0) since = performance.now();
    try {
      return await call();
    } finally {
      if (--open === 0) waited += performance.now() - since;
    }
  };
  const destination: Destination = {
    accountKey: real.accountKey,
    listGroups: (options) => timed(() => real.listGroups(options)),
    listFields: (options) => timed(() => real.listFields(options)),
    createGroup: (name) => timed(() => real.createGroup(name)),
    createField: (name, type) => timed(() => real.createField(name, type)),
    findSubscriber: (email) => timed(() => real.findSubscriber(email)),
    deleteSubscriber: (id) => timed(() => real.deleteSubscriber(id)),
    roundCapacity: () => real.roundCapacity(),
    cost: (intent) => real.cost(intent),
    describe: (intent) => real.describe(intent),
    apply: (intents, options) => timed(() => real.apply(intents, options)),
  };
  return { destination, waitedMs: () => waited + (open > 0 ? performance.now() - since : 0) };
}
