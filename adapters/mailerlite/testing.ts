/**
 * The MailerLite adapter's testing kit: start the fake (loaded only when asked for), point a
 * flow's block at it, and read back what a test did to an account.
 */
import type { DestinationTestingKit, FakeDestination, FakeObservation } from '../../engine/ports/adapter.ts';
import type { MailerLiteDestinationConfig } from './config.ts';
import type { AccountSeed, FakeMailerLite, StartFakeOptions } from './fake/index.ts';

/** Starts the MailerLite fake; its code loads only here, never with the adapter itself. */
export async function startFakeMailerLite(options?: StartFakeOptions): Promise<FakeMailerLite> {
  const fake = await import('./fake/index.ts');
  return fake.startFakeMailerLite(options);
}

/** An account's subscribers, and its writes in order (batch items one by one), ids spelled group:<name> / subscriber:<email>. */
export function observeAccount(fake: FakeMailerLite, token: string): FakeObservation {
  const view = fake.account(token);
  const subscribers = view.subscribers().map((s) => ({
    email: s.email as string,
    status: s.status as string,
    groups: (s.groups as Array<{ name: string }>).map((g) => g.name),
    fields: s.fields as Record<string, unknown>,
  }));
  const names = new Map<string, string>();
  for (const g of view.groups()) names.set(String(g.id), `group:${String(g.name)}`);
  for (const s of view.subscribers()) names.set(String(s.id), `subscriber:${String(s.email)}`);
  const readable = (v: unknown): unknown => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(readable);
    return v;
  };
  const requests: FakeObservation['requests'] = [];
  for (const entry of fake.requests(token)) {
    for (const item of entry.items ?? [entry]) {
      if (item.method === 'GET' || item.path.replace(/^\//, '') === 'api/batch') continue;
      const path = item.path.replace(/^\//, '').split('/').map((seg) => names.get(seg) ?? seg).join('/');
      let body = item.body;
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
        body = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === 'groups' ? readable(v) : v]));
      }
      requests.push({ method: item.method, path, body: body ?? null });
    }
  }
  return { subscribers, requests };
}

export const mailerliteTesting: DestinationTestingKit = {
  async startFake(options) {
    const fake = await startFakeMailerLite(options as StartFakeOptions | undefined);
    const handle: FakeDestination = {
      url: fake.url,
      seed: (token, seed) => fake.seed(token, seed as AccountSeed),
      observe: (token) => observeAccount(fake, token),
      close: () => fake.close(),
    };
    return handle;
  },
  pointAt(config, target) {
    const block: MailerLiteDestinationConfig & Record<string, unknown> = { ...(config as unknown as MailerLiteDestinationConfig), api_key: target.credentialRef, base_url: target.url };
    return block;
  },
};
