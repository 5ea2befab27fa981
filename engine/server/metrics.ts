import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExchangeReport } from '../ports/destination.ts';
import type { FlowStats, Store } from '../store/types.ts';
import type { WorkerHooks } from '../worker/hooks.ts';
import type { Fleet } from '../runtime/fleet.ts';

/**
 * Seconds from a delivery's request to its answer. Flipcause gives up after 3 s, so the buckets
 * are fine below a second and have an edge at 3: `le="3"` counts the answers it still waited for.
 */
export const INTAKE_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];

/** Seconds of one MailerLite request, up to the client's 10 s default timeout and past it. */
export const MAILERLITE_BUCKETS: readonly number[] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processMetrics: Registry | undefined;

/**
 * Process and Node.js metrics (CPU, memory, event loop lag, GC, handles): collected once per
 * process, since they describe the process and each collection starts monitors that are never
 * stopped, and shown by every server's registry.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** Prometheus metrics; queue gauges are read from the store at scrape time. */
export class Metrics {
  readonly registry = Registry.merge([processRegistry(), new Registry()]);
  readonly deliveries = new Counter({
    name: 'engine_deliveries_total', help: 'Webhook deliveries by flow and HTTP status answered.', labelNames: ['flow', 'status'], registers: [this.registry],
  });
  readonly intakeDuration = new Histogram({
    name: 'engine_intake_duration_seconds',
    help: 'Seconds from a delivery\'s request to its answer, by flow (Flipcause gives up after 3 s).',
    labelNames: ['flow'], buckets: [...INTAKE_BUCKETS], registers: [this.registry],
  });
  readonly recordsIn = new Counter({
    name: 'engine_records_received_total', help: 'Records accepted (new) and absorbed (duplicate) at intake.', labelNames: ['flow', 'kind'], registers: [this.registry],
  });
  readonly outcomes = new Counter({
    name: 'engine_record_outcomes_total', help: 'Record outcomes (created, updated, skipped, failed = will retry, dead).', labelNames: ['flow', 'outcome'], registers: [this.registry],
  });
  readonly mlResponses = new Counter({
    name: 'engine_mailerlite_responses_total',
    help: 'MailerLite answers by account and status: every attempt, retried ones too, on every path (rounds, group and field loading); batch items counted one by one.',
    labelNames: ['account', 'status'], registers: [this.registry],
  });
  readonly mlDuration = new Histogram({
    name: 'engine_mailerlite_request_duration_seconds',
    help: 'Seconds of each MailerLite request (each attempt), by account and operation (batch, list_groups, list_fields, …).',
    labelNames: ['account', 'operation'], buckets: [...MAILERLITE_BUCKETS], registers: [this.registry],
  });
  readonly mlUnanswered = new Counter({
    name: 'engine_mailerlite_unanswered_total', help: 'MailerLite requests that got no answer (timeout, connection reset), by account and operation.',
    labelNames: ['account', 'operation'], registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: 'engine_account_paused', help: '1 while a MailerLite account is paused (its API key is refused).', labelNames: ['account'], registers: [this.registry],
  });

  /** The store read of the scrape under way, shared by every queue gauge. */
  private reading: Promise<FlowStats[]> | null = null;

  constructor(
    private readonly store: Store,
    fleet: () => Fleet | undefined,
  ) {
    const registers = [this.registry];
    const stats = (): Promise<FlowStats[]> => this.stats();
    const perFlow = (name: string, help: string, value: (s: FlowStats, now: number) => number | null, served = false): Gauge<'flow'> =>
      new Gauge({
        name, help, labelNames: ['flow'], registers,
        async collect() {
          const all = await stats();
          const now = Date.now();
          this.reset();
          const unseen = new Set(served ? fleet()?.all().map((f) => f.id) : []);
          for (const s of all) {
            const v = value(s, now);
            if (v !== null) this.set({ flow: s.flow }, v);
            unseen.delete(s.flow);
          }
          // A served flow with nothing stored yet has a queue too: an empty one.
          for (const flow of unseen) this.set({ flow }, 0);
        },
      });
    perFlow('engine_queue_pending', 'Records waiting per flow.', (s) => s.pending, true);
    perFlow('engine_queue_oldest_pending_seconds', 'Age of the oldest waiting record per flow (0: none waiting).', (s, now) =>
      s.oldestPendingAt === null ? 0 : (now - s.oldestPendingAt) / 1000);
    perFlow('engine_dead_letters', 'Dead-lettered records per flow.', (s) => s.dead);
    perFlow('engine_last_delivery_timestamp_seconds', 'When each flow last received a delivery, in Unix seconds (absent before its first).', (s) =>
      s.lastDeliveryAt === null ? null : s.lastDeliveryAt / 1000);
    new Gauge({
      name: 'engine_flows_loaded', help: 'Flows currently served.', registers,
      collect() {
        this.set(fleet()?.all().length ?? 0);
      },
    });
    new Gauge({
      name: 'engine_account_owned',
      help: 'Per MailerLite account this instance serves flows on: 1 while it drains the account (on a shared store, while it holds the account\'s lease), 0 while another instance, or none, does.',
      labelNames: ['account'], registers,
      collect() {
        this.reset();
        const f = fleet();
        for (const worker of f?.accounts() ?? []) this.set({ account: worker.accountKey }, f!.ownership.owns(worker.accountKey) ? 1 : 0);
      },
    });
  }

  /** One delivery answered: its status, and its time from request to answer. */
  delivered(flow: string, status: number, seconds: number): void {
    this.deliveries.inc({ flow, status });
    this.intakeDuration.observe({ flow }, seconds);
  }

  /** One MailerLite request of this account, answered or not. */
  exchanged(account: string, report: ExchangeReport): void {
    const { operation } = report;
    this.mlDuration.observe({ account, operation }, report.seconds);
    if (report.status === null) {
      this.mlUnanswered.inc({ account, operation });
      return;
    }
    if (!report.items) {
      this.mlResponses.inc({ account, status: report.status });
      return;
    }
    const byStatus = new Map<number, number>();
    for (const status of report.items) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    for (const [status, n] of byStatus) this.mlResponses.inc({ account, status }, n);
  }

  hooks(): WorkerHooks {
    return {
      outcome: (flow, outcome) => this.outcomes.inc({ flow, outcome }),
      paused: (account) => this.paused.set({ account }, 1),
      resumed: (account) => this.paused.set({ account }, 0),
      exchange: (account, report) => this.exchanged(account, report),
    };
  }

  /**
   * The store's per-flow counts, read once per scrape: every gauge's collect runs in the same
   * pass before any read resolves, so they all get this one read; the next scrape reads again.
   */
  private stats(): Promise<FlowStats[]> {
    if (!this.reading) {
      const read = (async () => await this.store.stats())();
      this.reading = read;
      void read.then(
        () => void (this.reading = null),
        () => void (this.reading = null),
      );
    }
    return this.reading;
  }
}
