import { Counter, Gauge, Registry } from 'prom-client';
import type { Store } from '../store/types.ts';
import type { WorkerHooks } from '../worker/hooks.ts';
import type { Fleet } from '../runtime/fleet.ts';

/** Prometheus metrics; queue gauges are read from the store at scrape time. */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: 'engine_deliveries_total', help: 'Webhook deliveries by flow and HTTP status answered.', labelNames: ['flow', 'status'], registers: [this.registry],
  });
  readonly recordsIn = new Counter({
    name: 'engine_records_received_total', help: 'Records accepted (new) and absorbed (duplicate) at intake.', labelNames: ['flow', 'kind'], registers: [this.registry],
  });
  readonly outcomes = new Counter({
    name: 'engine_record_outcomes_total', help: 'Record outcomes (created, updated, skipped, failed = will retry, dead).', labelNames: ['flow', 'outcome'], registers: [this.registry],
  });
  readonly mlResponses = new Counter({
    name: 'engine_mailerlite_responses_total', help: 'MailerLite answers by account and status (batch items counted one by one).', labelNames: ['account', 'status'], registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: 'engine_account_paused', help: '1 while a MailerLite account is paused (its API key is refused).', labelNames: ['account'], registers: [this.registry],
  });

  constructor(store: Store, fleet: () => Fleet | undefined) {
    const registers = [this.registry];
    // One store read per scrape feeds all four gauges.
    const depth: Gauge<'flow'> = new Gauge({
      name: 'engine_queue_pending', help: 'Records waiting per flow.', labelNames: ['flow'], registers,
      collect: () => {
        const now = Date.now();
        for (const g of [depth, oldest, dead, silence]) g.reset();
        const served = new Set(fleet()?.all().map((f) => f.id) ?? []);
        for (const s of store.stats()) {
          depth.set({ flow: s.flow }, s.pending);
          dead.set({ flow: s.flow }, s.dead);
          oldest.set({ flow: s.flow }, s.oldestPendingAt === null ? 0 : (now - s.oldestPendingAt) / 1000);
          if (s.lastDeliveryAt !== null) silence.set({ flow: s.flow }, (now - s.lastDeliveryAt) / 1000);
          served.delete(s.flow);
        }
        for (const flow of served) depth.set({ flow }, 0);
      },
    });
    const oldest = new Gauge({ name: 'engine_queue_oldest_pending_seconds', help: 'Age of the oldest waiting record per flow.', labelNames: ['flow'], registers });
    const dead = new Gauge({ name: 'engine_dead_letters', help: 'Dead-lettered records per flow.', labelNames: ['flow'], registers });
    const silence = new Gauge({
      name: 'engine_seconds_since_last_delivery', help: 'Time since each flow last received a delivery (a customer whose webhooks stopped shows here).', labelNames: ['flow'], registers,
    });
    new Gauge({
      name: 'engine_flows_loaded', help: 'Flows currently served.', registers,
      collect() {
        this.set(fleet()?.all().length ?? 0);
      },
    });
  }

  hooks(): WorkerHooks {
    return {
      outcome: (flow, outcome) => this.outcomes.inc({ flow, outcome }),
      paused: (account) => this.paused.set({ account }, 1),
      resumed: (account) => this.paused.set({ account }, 0),
      response: (account, status) => this.mlResponses.inc({ account, status }),
    };
  }
}
