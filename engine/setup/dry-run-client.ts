import type { Destination } from '../ports/destination.ts';
import type { Intent, IntentResult } from '../ports/intents.ts';

/**
 * A destination that reads for real and writes nothing: look-ups go to the account (under its
 * rate budget), so decisions are the real ones, while every write is answered locally as if it
 * had succeeded. The worker then records the outcome it would have had; give it a throwaway
 * store. A create is answered as created, with a placeholder subscriber id.
 */
export function dryRunClient(real: Destination): Destination {
  const fake = (intent: Intent): IntentResult => ({ ok: true, subscriberId: 'dry-run', created: intent.kind === 'create', found: null });
  const refuse = (): never => {
    throw new Error('a dry run sends no writes');
  };
  return {
    accountKey: real.accountKey,
    findSubscriber: (email) => real.findSubscriber(email),
    listGroups: () => real.listGroups(),
    listFields: () => real.listFields(),
    createGroup: refuse,
    createField: refuse,
    deleteSubscriber: refuse,
    roundCapacity: () => real.roundCapacity(),
    cost: (intent) => real.cost(intent),
    describe: (intent) => real.describe(intent),
    async apply(intents, options) {
      const reads = intents.filter((i) => i.kind === 'look_up');
      const answers = reads.length > 0 ? await real.apply(reads, options) : [];
      let i = 0;
      return intents.map((intent) => (intent.kind === 'look_up' ? answers[i++]! : fake(intent)));
    },
  };
}
