import { randomBytes } from 'node:crypto';
import type { FlowConfig } from '../flow/types.ts';
import type { FakeDestination } from '../ports/adapter.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { buildApp } from '../server/app.ts';
import { Fleet } from '../runtime/fleet.ts';
import { Metrics } from '../server/metrics.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { AccountSpec, TestCase } from './case-file.ts';
import { deliveryRecords } from './delivery.ts';
import { flowTestEnv } from './flow-env.ts';
import { observeOutcomes, type Observed } from './observe.ts';

export interface CaseTarget {
  flowFile: string;
  config: FlowConfig;
  testFile: string;
}

function seedOf(account: AccountSpec = {}): AccountSpec {
  const seed: AccountSpec = {};
  if (account.groups) seed.groups = account.groups;
  if (account.fields) seed.fields = account.fields;
  if (account.subscribers) seed.subscribers = account.subscribers;
  return seed;
}

/**
 * Runs one case through the server's own code: the flow loads into a Fleet (in-memory store),
 * each delivery is signed (by the source's testing kit) and posted to the real webhook app, and the account's worker drains
 * against the fake over loopback HTTP. The settle window is skipped by running the worker on a
 * clock set past it; the flow itself is not changed, only pointed at the fake.
 */
export async function runCase(fake: FakeDestination, target: CaseTarget, tc: TestCase, log: Logger = silentLogger): Promise<Observed> {
  // A fresh token per case: its own account, request log and rate window.
  const token = `flowtest-${randomBytes(8).toString('hex')}`;
  fake.seed(token, seedOf(tc.account));
  const secrets = flowTestEnv(target.config, token, fake.url);
  const store = openSqliteStore({ file: ':memory:' });
  const settleMs = target.config.settle_seconds * 1000;
  const fleet = new Fleet({
    paths: [target.flowFile],
    store,
    log,
    env: secrets.env,
    override: secrets.override,
    worker: { now: () => Date.now() + settleMs + 1000 },
  });
  const { app } = buildApp({ fleet, store, log, metrics: new Metrics(store, () => fleet) });
  try {
    fleet.load();
    const flow = fleet.flow(target.config.flow);
    if (!flow) {
      const problems = fleet.problemsReport().flatMap((p) => p.problems);
      throw new Error(`the flow does not load: ${problems.join('; ') || 'unknown reason'}`);
    }
    const statuses: number[] = [];
    for (const spec of tc.deliveries) {
      if (spec.later) await fleet.drain();
      const body = JSON.stringify(deliveryRecords(secrets.kit, spec, target.testFile));
      const signed = secrets.kit.sign(body, secrets.sourceSecrets);
      const headers: Record<string, string> = { 'content-type': 'application/json', ...signed.headers };
      const url = `/hooks/${flow.id}${signed.token ? `/${signed.token}` : ''}`;
      const res = await app.inject({ method: 'POST', url, headers, payload: body });
      statuses.push(res.statusCode);
    }
    await fleet.drain();
    return { deliveries: statuses, outcomes: await observeOutcomes(store, flow.id), ...fake.observe(token) };
  } finally {
    await fleet.stop();
    await app.close();
    await store.close();
  }
}
