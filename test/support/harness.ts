/**
 * A whole engine on loopback for tests: the MailerLite fake, a flows folder, the server with a
 * SQLite file, and helpers to send signed Flipcause deliveries and wait for the worker.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { signBody } from '../../adapters/flipcause/index.ts';
import { startFakeMailerLite, type AccountSeed, type FakeMailerLite } from '../../adapters/mailerlite/index.ts';
import { createLogger } from '../../engine/log/logger.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../engine/server/server.ts';

export const SECRET = 'whsec_test_secret_for_loopback_only';
export const TOKEN = 'ml-test-token-1';

export interface Harness {
  fake: FakeMailerLite;
  server: RunningServer;
  dir: string;
  logLines: string[];
  send(flow: string, records: unknown, opts?: { secret?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Resolves when no record is pending (or rejects after `ms`). */
  settled(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export function flowYaml(id: string, mode: 'mailing_list' | 'all_contacts' | 'all_contacts_by_list', groups: Record<string, string[]>, extra = ''): string {
  const slots = Object.entries(groups).map(([k, v]) => `    ${k}: [${v.map((g) => JSON.stringify(g)).join(', ')}]`).join('\n');
  return `flow: ${id}
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:TEST_FLIPCAUSE_SECRET}
    since: 2026-01-01T00:00:00Z
    triggers: [new_activity, new_transaction, new_contact, update_contact]
policy:
  mode: ${mode}
  new_status: unconfirmed
  groups:
${slots}
destination:
  mailerlite:
    api_key: \${env:TEST_MAILERLITE_KEY}
settle_seconds: 0
${extra}`;
}

export async function startHarness(opts: {
  flows: Record<string, string>;
  account?: AccountSeed;
  server?: Partial<ServerOptions>;
}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-test-'));
  for (const [name, yaml] of Object.entries(opts.flows)) {
    mkdirSync(join(dir, 'flows', name), { recursive: true });
    writeFileSync(join(dir, 'flows', name, 'flow.yaml'), yaml);
  }
  const fake = await startFakeMailerLite({
    accounts: { [TOKEN]: opts.account ?? { groups: ['Newsletter', 'Donors'], fields: [{ name: 'Street address', key: 'street_address' }] } },
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const server = await startServer({
    flows: [join(dir, 'flows')],
    db: join(dir, 'engine.sqlite'),
    port: 0,
    log: createLogger({ destination: sink, level: 'debug' }),
    env: { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN },
    override: (flow) => ({ ...flow, destination: { mailerlite: { ...flow.destination.mailerlite, base_url: fake.url } } }),
    worker: { idleMs: 20, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 5 } },
    ...opts.server,
  });
  return {
    fake,
    server,
    dir,
    logLines,
    send(flow, records, o = {}) {
      const body = typeof records === 'string' ? records : JSON.stringify(records);
      return fetch(`${server.url}/hooks/${flow}`, {
        method: 'POST',
        headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': signBody(body, o.secret ?? SECRET), ...o.headers },
        body,
      });
    },
    async settled(ms = 10_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if ((await server.store.stats()).every((s) => s.pending === 0)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('records still pending');
    },
    async close() {
      await server.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
