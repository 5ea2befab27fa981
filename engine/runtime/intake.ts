import { hash } from 'node:crypto';
import { defineErrors } from '../errors.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { GroupKeys, IntakeRecord } from '../ports/source.ts';
import type { IngestResult, NewRecord, Store } from '../store/types.ts';
import { reasonOf } from '../store/failure-reason.ts';

export const IntakeErrors = defineErrors({
  ENGINE_ERR_STORE_UNAVAILABLE: { kind: 'retryable', status: 503, message: 'the store cannot commit the delivery right now ({reason}); nothing was stored' },
  ENGINE_ERR_SHUTTING_DOWN: { kind: 'retryable', status: 503, message: 'the server is shutting down; send again later' },
  ENGINE_ERR_UNKNOWN_FLOW: { kind: 'input', status: 404, message: 'no flow is served at this path' },
  ENGINE_ERR_FLOW_NOT_CONFIGURED: {
    kind: 'retryable', status: 503, message: 'flow "{flow}" is an example not configured on this server: its secrets are unset ({missing}); nothing was stored: send it again once they are set',
  },
  ENGINE_ERR_BUSY: {
    kind: 'retryable', status: 503, message: 'the server is receiving as many deliveries as it holds at once; nothing of this one was stored: send it again later',
  },
  ENGINE_ERR_BODY_TOO_LARGE: { kind: 'input', status: 413, message: 'the delivery is over {limit} bytes; nothing was read further or stored' },
});

/** Flow-scoped hash of an email: lets the store serialise one contact's records without holding the address in an index. */
function subjectOf(flowId: string, email: string): string {
  return hash('sha256', `${flowId}\0${email}`, 'base64url').slice(0, 22);
}

/** What normalise gives for the two keys, for a source without its own groupKeys. */
function keysByNormalising(source: CompiledFlow['source'], raw: Record<string, unknown>): GroupKeys {
  const ev = source.normalise(raw);
  return { email: ev.contact?.email ?? null, txn: ev.event.transaction_id };
}

/**
 * Intake records to store rows, with the keys the worker groups a contact's records by (read by
 * the source's groupKeys, or by normalising). The whole event is built only when the worker
 * prepares the record: intake reads just the two keys.
 */
export function toNewRecords(flow: CompiledFlow, records: readonly IntakeRecord[], now: number): NewRecord[] {
  const { source } = flow;
  return records.map((r) => {
    // The keys only order and group work: a record the source chokes on is still stored
    // (and dead-lettered by the worker with the reason), never refused after authentication.
    let keys: GroupKeys | null;
    try {
      keys = source.groupKeys ? source.groupKeys(r.raw) : keysByNormalising(source, r.raw);
    } catch {
      keys = null;
    }
    const email = keys?.email;
    return {
      flow: flow.id,
      dedupeKey: r.dedupeKey,
      trigger: r.trigger,
      raw: r.raw,
      subject: email ? subjectOf(flow.id, email) : null,
      txn: keys?.txn ?? null,
      availableAt: now + flow.settleMs,
    };
  });
}

interface Waiting {
  records: NewRecord[];
  resolve: (r: IngestResult) => void;
  reject: (e: Error) => void;
}

/**
 * Group commit: deliveries that arrive while a commit is under way are committed together in
 * the next one, so durable intake costs one commit per burst, not per delivery. One commit is out
 * at a time; each delivery's Promise settles only once its commit has (the 200 follows it).
 */
export class IntakeQueue {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private committing = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly writes?: { committed(): void; failed(reason: string): void },
  ) {}

  submit(records: NewRecord[]): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // flush settles every delivery it takes and never rejects.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.committing = true;
    const batch = this.waiting;
    this.waiting = [];
    try {
      let results: IngestResult[];
      try {
        results = await this.store.ingest(batch.map((w) => w.records), this.now());
      } catch (err) {
        const reason = reasonOf(err);
        const error = IntakeErrors.ENGINE_ERR_STORE_UNAVAILABLE({ reason }, { cause: err });
        this.writes?.failed(reason);
        for (const w of batch) w.reject(error);
        return;
      }
      this.writes?.committed();
      batch.forEach((w, i) => w.resolve(results[i]!));
    } finally {
      this.committing = false;
      // What arrived during the commit goes in the next one.
      if (this.waiting.length > 0) this.schedule();
    }
  }
}
