import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import '../../adapters/index.ts';
import { signBody, type FlipcauseSourceConfig } from '../../adapters/flipcause/index.ts';
import { startFakeMailerLite, type AccountSeed, type MailerLiteDestinationConfig } from '../../adapters/mailerlite/index.ts';
import { loadFlowDir } from '../flow/load-dir.ts';
import { parseSecretRef } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';
import { createLogger } from '../log/logger.ts';
import { startServer } from '../server/server.ts';
import { maskEmail } from '../log/mask-email.ts';
import { DEMO_EXISTING, demoDeliveries, demoGoLive, type DemoDelivery } from './scenario.ts';

export interface DemoOptions {
  flowsDir: string;
  settleSeconds: number;
  out: (line: string) => void;
  /** The moment the samples are dated against (default: now); the demo holds whatever it is. */
  now?: number;
}

interface Credentials {
  env: Record<string, string>;
  mlToken: Map<string, string>;
  signing: Map<string, string>;
  urlToken: Map<string, string>;
}

const flipcauseBlock = (f: FlowConfig): FlipcauseSourceConfig => f.source.flipcause as unknown as FlipcauseSourceConfig;
const mailerliteBlock = (f: FlowConfig): MailerLiteDestinationConfig => f.destination.mailerlite as unknown as MailerLiteDestinationConfig;

/** Invents the secrets each flow's references name, as a customer's deployment would provide them. */
function credentials(flows: FlowConfig[]): Credentials {
  const c: Credentials = { env: {}, mlToken: new Map(), signing: new Map(), urlToken: new Map() };
  const set = (ref: string | undefined, value: string): void => {
    const parsed = ref ? parseSecretRef(ref) : undefined;
    if (parsed?.kind === 'env') c.env[parsed.name] = value;
  };
  for (const f of flows) {
    const token = `demo-token-${f.flow}`;
    c.mlToken.set(f.flow, token);
    // The demo is Flipcause into MailerLite: it reads those adapters' blocks by their own types.
    set(mailerliteBlock(f).api_key, token);
    const fc = flipcauseBlock(f);
    if (fc.signing_secret) {
      c.signing.set(f.flow, `whsec_demo_${randomBytes(12).toString('hex')}`);
      set(fc.signing_secret, c.signing.get(f.flow)!);
    }
    if (fc.url_token) {
      c.urlToken.set(f.flow, randomBytes(24).toString('base64url'));
      set(fc.url_token, c.urlToken.get(f.flow)!);
    }
  }
  return c;
}

function accountSeed(flow: FlowConfig): AccountSeed {
  return {
    groups: [...new Set([...(Object.values(flow.policy.groups).flat() as string[]), 'Board'])],
    fields: [{ name: 'Street address', key: 'street_address' }, { name: 'Address line 2', key: 'address_line_2' }],
    subscribers: DEMO_EXISTING.filter((s) => s.flow === flow.flow).map(({ email, status, groups }) => ({ email, status, groups })),
  };
}

/**
 * `npm run demo`: the MailerLite fake, the webhook server with the example flows, sample
 * Flipcause deliveries over HTTP, then what happened to each record and the final MailerLite state.
 */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const { out } = opts;
  const loaded = loadFlowDir([opts.flowsDir]);
  const configs = loaded.flows.map((f) => f.flow);
  if (configs.length === 0) {
    out(`no valid flows in ${opts.flowsDir}; run \`npx engine validate ${opts.flowsDir}\``);
    return 1;
  }
  const now = opts.now ?? Date.now();
  const goLive = demoGoLive(now);
  const creds = credentials(configs);
  const fake = await startFakeMailerLite({ accounts: Object.fromEntries(configs.map((f) => [creds.mlToken.get(f.flow)!, accountSeed(f)])) });
  const dir = mkdtempSync(join(tmpdir(), 'engine-demo-'));
  const logFile = join(dir, 'engine.log');
  const server = await startServer({
    flows: [opts.flowsDir],
    db: join(dir, 'engine.sqlite'),
    port: 0,
    log: createLogger({ destination: pino.destination({ dest: logFile, sync: true }) }),
    env: creds.env,
    watch: false,
    override: (f) => ({
      ...f,
      settle_seconds: opts.settleSeconds,
      // The samples are dated today; a flow's real go-live may be ahead of them or long after
      // the fixtures' dates, so the demo gives every flow one a month back.
      source: { flipcause: { ...flipcauseBlock(f), since: goLive } },
      destination: { mailerlite: { ...mailerliteBlock(f), base_url: fake.url } },
    }),
  });
  try {
    out(`MailerLite fake   ${fake.url}   (one account per customer)`);
    out(`Engine            ${server.url}   serving ${configs.map((f) => f.flow).join(', ')}`);
    out(`Store and log     ${dir}   (settle window ${opts.settleSeconds}s for the demo)`);
    out(`Dates             samples dated ${new Date(now).toISOString().slice(0, 10)}; every flow's go-live (since) set to ${goLive.slice(0, 10)} for the demo`);
    out('');
    out('Flipcause deliveries (HTTP status, answer, what it is):');
    const sent: { delivery: DemoDelivery; status: number; ids: number[] }[] = [];
    let lastId = (await server.store.records({ limit: 1 })).at(-1)?.id ?? 0;
    for (const d of demoDeliveries(now)) {
      if (!server.fleet.flow(d.flow)) continue;
      const body = JSON.stringify(d.records);
      const token = creds.urlToken.get(d.flow);
      const secret = creds.signing.get(d.flow);
      const headers: Record<string, string> = { 'content-type': 'application-json' };
      if (secret) headers['x-flipcause-hmac-sha256'] = signBody(body, d.forge ? 'whsec_forged' : secret);
      const res = await fetch(`${server.url}/hooks/${d.flow}${token ? `/${token}` : ''}`, { method: 'POST', headers, body });
      const json = (await res.json()) as { code?: string };
      const answer = json.code ? `{"code":"${json.code}"}` : JSON.stringify(json);
      out(`  ${res.status}  ${answer.padEnd(34)}  ${d.flow}: ${d.what}`);
      const stored = (await server.store.records({ afterId: lastId, limit: 1000 })).map((r) => r.id);
      lastId = stored.at(-1) ?? lastId;
      sent.push({ delivery: d, status: res.status, ids: stored });
    }
    out('');
    out(`Waiting for the workers (settle window ${opts.settleSeconds}s, then MailerLite batches)…`);
    const deadline = Date.now() + 60_000;
    while ((await server.store.stats()).some((s) => s.pending > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    out('');
    out('What happened to each record:');
    for (const r of await server.store.records({ limit: 1000 })) {
      const history = await server.store.history(r.id);
      const detail = (history.at(-1)?.detail ?? {}) as { rule?: string; groups?: string[]; into?: number; requests?: string[] };
      const why = r.outcome === 'skipped' && r.reason === 'coalesced'
        ? `decided with record #${detail.into} (one transaction, one decision)`
        : [r.reason ?? r.errorCode, detail.rule, detail.groups?.length ? `groups +${detail.groups.join(', +')}` : '']
            .filter(Boolean).join(' · ');
      out(`  #${String(r.id).padEnd(3)} ${r.flow.padEnd(22)} ${r.dedupeKey.padEnd(24)} ${(r.outcome ?? r.status).padEnd(8)} ${why}`);
    }
    out('');
    out('MailerLite afterwards (emails masked):');
    for (const f of configs) {
      out(`  ${f.flow} — ${f.policy.mode}, new contacts ${f.policy.new_status}`);
      for (const s of fake.account(creds.mlToken.get(f.flow)!).subscribers() as { email: string; status: string; groups: { name: string }[]; fields: Record<string, unknown> }[]) {
        const fields = ['city', 'state', 'z_i_p'].map((k) => s.fields[k]).filter(Boolean).join(' ');
        out(`    ${maskEmail(s.email).padEnd(22)} ${s.status.padEnd(13)} groups: ${s.groups.map((g) => g.name).join(', ') || '—'}${fields ? `   (${fields})` : ''}`);
      }
    }
    const ml = fake.requests();
    out('');
    out(`MailerLite requests: ${ml.length} HTTP calls (${ml.filter((r) => r.path.includes('batch')).length} batches) for ${(await server.store.records({ limit: 1000 })).length} records.`);
    out('');
    out('Each story against its label:');
    let broken = 0;
    for (const { delivery: d, status, ids } of sent) {
      const outcomes: string[] = [];
      for (const id of ids) outcomes.push(storyOutcome(await server.store.record(id)));
      const got = { status, outcomes };
      const held = JSON.stringify(got) === JSON.stringify(d.expect);
      if (!held) broken++;
      out(`  ${held ? '✓' : '✗'} ${d.flow}: ${d.what}${held ? '' : `\n      expected ${describe(d.expect)}, got ${describe(got)}`}`);
    }
    out('');
    if (broken > 0) {
      out(`${broken} stor${broken === 1 ? 'y' : 'ies'} did not go as labelled.`);
      return 1;
    }
    out(`Try: npx engine explain hope-shelter   ·   npx engine test flows   ·   less ${logFile}`);
    return 0;
  } finally {
    await server.close();
    await fake.close();
  }
}

/** A stored record's end as a story states it: `created`, `skipped:no_email`, … */
function storyOutcome(r: { outcome: string | null; reason: string | null; errorCode: string | null; status: string } | undefined): string {
  if (!r) return 'missing';
  const why = r.reason ?? r.errorCode;
  return `${r.outcome ?? r.status}${r.outcome === 'skipped' && why ? `:${why}` : ''}`;
}

function describe(s: { status: number; outcomes: string[] }): string {
  return `${s.status} ${s.outcomes.length ? s.outcomes.join(', ') : '(nothing stored)'}`;
}
