import type { Operation, OperationResult } from '../../adapters/mailerlite/types.ts';
import type { Destination } from '../registry.ts';

/**
 * A MailerLite client that reads for real and writes nothing: look-ups go to the account (under
 * its rate budget), so decisions are the real ones, while every write is answered locally as if
 * it had succeeded. The worker then records the outcome it would have had; give it a throwaway
 * store. A create is answered 201, anything else 200, with a placeholder subscriber id.
 */
export function dryRunClient(real: Destination): Destination {
  const fake = (op: Operation): OperationResult => {
    const creates = op.method === 'POST' && op.path === 'api/subscribers' && (op.body as { status?: unknown } | undefined)?.status !== undefined;
    return { code: creates ? 201 : 200, body: { data: { id: 'dry-run' } } };
  };
  const refuse = (): never => {
    throw new Error('a dry run sends no writes');
  };
  return {
    accountKey: real.accountKey,
    findSubscriber: (email) => real.findSubscriber(email),
    listGroups: () => real.listGroups(),
    listFields: () => real.listFields(),
    upsertSubscriber: refuse,
    updateSubscriberFields: refuse,
    addToGroup: refuse,
    createGroup: refuse,
    createField: refuse,
    deleteSubscriber: refuse,
    forgetSubscriber: refuse,
    classify: (r) => real.classify(r),
    batchCapacity: () => real.batchCapacity(),
    isImport: (ops) => real.isImport(ops),
    send: (op) => (op.method === 'GET' ? real.send(op) : Promise.resolve(fake(op))),
    async batch(ops) {
      const reads = ops.filter((op) => op.method === 'GET');
      const answers = reads.length > 0 ? await real.batch(reads) : [];
      let i = 0;
      return ops.map((op) => (op.method === 'GET' ? answers[i++]! : fake(op)));
    },
  };
}
