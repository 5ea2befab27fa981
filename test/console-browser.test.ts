/**
 * The console in a real browser: Chromium from @sparticuz/chromium driven by playwright-core,
 * against a whole engine on loopback (the MailerLite fake, signed Flipcause deliveries). Log in,
 * watch a delivery's pending count fall and its record reach "created" without a reload, replay
 * a dead letter, reveal PII only on request, refuse a wrong token and a form without its CSRF
 * token, with the CSP in force and no console errors. Screenshots of each page go to
 * test-artifacts/console/ (git-ignored) for a person to look at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, SECRET, startHarness, TOKEN, type Harness } from './support/harness.ts';
import { fixturePii } from './support/pii.ts';
import '../adapters/index.ts';
import { until } from './support/until.ts';

const ADMIN = 'browser-admin-token-for-tests';
const ARTIFACTS = new URL('../test-artifacts/console/', import.meta.url).pathname;
// A settle window long enough for the fleet page's 3 s poll to see the delivery waiting.
const HOPE = flowYaml('hope-shelter', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }).replace('settle_seconds: 0', 'settle_seconds: 7');
const RIVERSIDE = flowYaml('riverside-food-bank', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] });
const EASTSIDE = flowYaml('eastside-youth-soccer', 'mailing_list', { new: ['Volunteers'], existing: ['Volunteers'] });
// Each flow signs with its own secret (a shared one is refused as a copied file).
const ownSecret = (yaml: string, env: string): string => yaml.replace('${env:TEST_FLIPCAUSE_SECRET}', `\${env:${env}}`);
const RIVERSIDE_SECRET = 'whsec_riverside_loopback_only';
const WORKER = { idleMs: 20, probeMs: 100, backoff: { baseMs: 50, maxMs: 200, maxAttempts: 3 } };

let h: Harness;
let browser: Browser;
let context: BrowserContext;
const problems: string[] = [];

function watch(page: Page): Page {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

async function logIn(page: Page, token: string): Promise<void> {
  await page.goto(`${h.server.url}/`);
  await page.waitForURL(/\/ui\/login/);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness({
    flows: {
      'hope-shelter': HOPE,
      'riverside-food-bank': ownSecret(RIVERSIDE, 'RIVERSIDE_SECRET'),
      'eastside-youth-soccer': ownSecret(EASTSIDE, 'EASTSIDE_SECRET'),
    },
    server: {
      worker: WORKER, adminToken: ADMIN,
      env: { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, RIVERSIDE_SECRET, EASTSIDE_SECRET: 'whsec_eastside_loopback_only' },
    },
  });
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--disable-background-networking'],
    headless: true,
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/Chicago', locale: 'en-US' });
  assert.deepEqual(h.server.fleet.problemsReport(), []);
});

after(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
});

test('a wrong token is refused at the login form', async () => {
  const page = watch(await context.newPage());
  await logIn(page, 'not-the-admin-token');
  await page.getByRole('alert').getByText('That is not the admin token.').waitFor();
  assert.match(page.url(), /\/ui\/login$/);
  assert.equal((await context.cookies()).filter((c) => c.name === 'engine_session').length, 0);
  await shot(page, 'login-refused');
  await page.close();
});

test('logged in, a signed delivery shows up pending on the fleet page and falls to zero, and its record reaches "created", without a reload', async () => {
  const fleet = watch(await context.newPage());
  await logIn(fleet, ADMIN);
  await fleet.waitForURL(`${h.server.url}/ui`);
  const cookie = (await context.cookies()).find((c) => c.name === 'engine_session');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
  const flowPage = watch(await context.newPage());
  const flowAnswer = await flowPage.goto(`${h.server.url}/ui/flows/hope-shelter`);
  assert.match(flowAnswer?.headers()['content-security-policy'] ?? '', /default-src 'none';\s*script-src 'self';\s*style-src 'self'/);
  // A reload would lose these marks.
  for (const p of [fleet, flowPage]) await p.evaluate(() => void ((globalThis as Record<string, unknown>)['stayed'] = 1));

  const pending = fleet.locator('tr[data-flow="hope-shelter"] [data-pending]');
  assert.equal(await pending.textContent(), '0');
  assert.equal((await h.send('hope-shelter', fixtureRecords('donation-with-opt-in'))).status, 200);
  await until('pending above 0', async () => Number(await pending.textContent()) > 0, 10_000);
  await shot(fleet, 'fleet-pending');
  await until('pending back to 0', async () => (await pending.textContent()) === '0', 20_000);
  await flowPage.locator('table.records [data-status]', { hasText: 'created' }).first().waitFor({ timeout: 10_000 });
  for (const p of [fleet, flowPage]) assert.equal(await p.evaluate(() => (globalThis as Record<string, unknown>)['stayed']), 1, 'not reloaded');

  // Times are shown in the browser's zone and relative.
  await fleet.locator('tr[data-flow="hope-shelter"] time[title]').first().waitFor();
  assert.match(await fleet.locator('tr[data-flow="hope-shelter"] time').first().textContent() ?? '', /now|second|minute/);
  await fleet.close();
  await flowPage.close();
  // A page opened now draws the hour's finished records.
  for (const [path, name] of [['/ui', 'fleet'], ['/ui/flows/hope-shelter', 'flow']] as const) {
    const p = watch(await context.newPage());
    await p.goto(`${h.server.url}${path}`);
    await p.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
    await p.locator('.u-legend', { hasText: 'created' }).waitFor();
    await shot(p, name);
    await p.close();
  }
});

test('a dead letter is opened from its flow page, replayed, and reaches "created"; its payload is masked until revealed', async () => {
  const refuse = h.fake.inject({
    scope: 'item', method: 'POST', path: '/api/subscribers', status: 422, times: Infinity,
    body: { message: 'The given data was invalid.', errors: { email: ['The email must be a valid email address.'] } },
  });
  assert.equal((await h.send('riverside-food-bank', fixtureRecords('new-contact'), { secret: RIVERSIDE_SECRET })).status, 200);
  await h.settled();
  h.fake.removeFault(refuse);

  const page = watch(await context.newPage());
  await page.goto(`${h.server.url}/ui/flows/riverside-food-bank#dead`);
  await page.locator('table.dead tr[data-dead] a').first().click();
  await page.waitForURL(/\/ui\/records\/\d+$/);
  await page.locator('[data-status]', { hasText: 'dead' }).waitFor();
  const payload = await page.locator('#payload').textContent() ?? '';
  for (const value of fixturePii()) assert.ok(!payload.includes(value), `masked: ${value}`);
  await shot(page, 'record-dead');

  await page.getByRole('button', { name: 'Replay this record' }).click();
  await page.getByText('Put back in the queue.').waitFor();
  await page.locator('[data-status]', { hasText: 'created' }).waitFor({ timeout: 15_000 });
  await page.locator('ol.timeline li', { hasText: 'Created (attempt' }).first().waitFor();
  await shot(page, 'record');

  await page.getByRole('button', { name: 'Show personal data (audited)' }).click();
  await page.locator('#payload[data-revealed]').waitFor();
  const email = String(fixtureRecords('new-contact')[0]!['email']);
  assert.ok((await page.locator('#payload').textContent())?.includes(email), 'shown in clear on request');
  await page.goto(`${h.server.url}/ui/audit`);
  for (const action of ['login', 'replay', 'reveal']) await page.locator(`tr[data-audit="${action}"]`).first().waitFor();
  await shot(page, 'audit');
  await page.close();
});

test('a form posted without its CSRF token is refused 403 and changes nothing', async () => {
  const [dead] = await h.server.store.records({ flow: 'riverside-food-bank', status: 'done' });
  assert.ok(dead);
  const page = watch(await context.newPage());
  await page.goto(`${h.server.url}/ui/records/${dead.id}`);
  await page.getByRole('button', { name: 'Replay this record' }).waitFor();
  const tokens = page.locator('input[name="_csrf"]');
  while ((await tokens.count()) > 0) await tokens.first().evaluate((el) => (el as { remove(): void }).remove());
  assert.equal(await page.locator('input[name="_csrf"]').count(), 0);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/ui/records/${dead.id}/replay`)),
    page.getByRole('button', { name: 'Replay this record' }).click(),
  ]);
  assert.equal(answer.status(), 403);
  await page.getByText('Refused: this form is missing its security token').waitFor();
  assert.equal((await h.server.store.record(dead.id))?.status, 'done');
  await shot(page, 'csrf-refused');
  await page.close();
});

test('no page logged an error or a CSP violation', () => {
  // The refused pages answer 401/403 on purpose; Chromium logs those loads as errors.
  const unexpected = problems.filter((p) => !/status of 40[13]/.test(p));
  assert.deepEqual(unexpected, []);
});
