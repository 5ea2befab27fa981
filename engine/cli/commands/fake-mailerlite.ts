/**
 * `engine fake-mailerlite`: the MailerLite fake as a process, for the demo, manual runs and flow
 * tests in another process. Prints its base URL and the tokens it accepts, runs until SIGINT or
 * SIGTERM. Seed file: `{ "accounts": { "<token>": { groups, fields, subscribers } }, "options": {…} }`.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { startFakeMailerLite, type AccountSeed, type FakeOptions } from '../../../adapters/mailerlite/index.ts';

interface SeedFile {
  accounts?: Record<string, AccountSeed>;
  options?: Partial<FakeOptions>;
}

export const command: Command = {
  usage: [
    'Usage: engine fake-mailerlite [--port N] [--host H] [--token T]… [--seed file.json]',
    '',
    '  --port N        port to listen on (default 8787; 0 picks a free one)',
    '  --host H        address to bind (default 127.0.0.1)',
    '  --token T       an API token to accept (repeatable); each gets an empty account',
    '  --seed FILE     JSON: { "accounts": { "<token>": { "groups": [...], "fields": [...],',
    '                  "subscribers": [...] } }, "options": { "requestsPerMinute": 120, ... } }',
    '',
    'Without --token or --seed, one random token is made up. Stops on SIGINT/SIGTERM.',
    '',
    'The MailerLite API is served under /api (Authorization: Bearer <token>). Test helpers live',
    'under /_fake/ — outside that API: no token, not rate-limited, not in the request log:',
    '',
    '  GET    /_fake/accounts                 the tokens served: {"data": ["<token>", ...]}',
    '  GET    /_fake/accounts/<token>         that account as the API renders it:',
    '                                         {"data": {"groups", "fields", "subscribers"}} (404: no such token)',
    '  PUT    /_fake/accounts/<token>         replace the account with a seed (body as one "accounts" entry',
    '                                         of --seed); a new token is accepted from then on → 204',
    '  POST   /_fake/accounts/<token>/status  {"email", "status"}: the person changes their own status',
    '                                         (unsubscribes, bounces…), which the API cannot do → 204',
    '  GET    /_fake/requests[?token=T]       the request log, oldest first: method, path, body, status,',
    '                                         token, headers, and each item of a batch with its code',
    '  DELETE /_fake/requests                 empty the request log → 204',
    '  POST   /_fake/reset                    every account back to its first seed; log, faults and',
    '                                         rate windows emptied → 204',
    '  POST   /_fake/faults                   arm a fault → 201 {"id"}: {"status": 503|429|…, "nth": 1,',
    '                                         "times": 1, "method", "path": "/api/…", "token",',
    '                                         "scope": "request"|"item" (batch items), "retryAfter", "delayMs", "body"}',
    '  DELETE /_fake/faults                   disarm every fault → 204',
    '  PATCH  /_fake/options                  change options (below) while running → the options now in force',
    '',
    'Options (in --seed "options" or PATCH /_fake/options; in brackets the default, or the choices, default first):',
    '  requestsPerMinute [120], importsPerMinute [5]   per rate window and token',
    '  rateWindow ["fixed"|"sliding"], rateWindowSeconds [60], timeScale [1] (a fake second = 1000 × timeScale ms)',
    '  Switches for what MailerLite leaves unknown:',
    '  batchCounting ["one"|"per-item"]                  a batch takes one request slot, or one per item',
    '  bouncedJunk ["like-unsubscribed"|"importable"]    bounced/junk subscribers refused on upsert like unsubscribed ones',
    '  refusalNamesSubscriber ["always"|"never"]         the 422 refusing an unsubscribed subscriber carries "subscriber"',
    '  groupJoinWhenUnsubscribed ["allowed"|"refused"]   adding a group to an unsubscribed subscriber is refused (422)',
    '  unknownFieldKeys ["ignore"|"reject"]              an unknown key in "fields" is dropped, or refused (422)',
    '  defaultStatus ["active"], maxGroups [250], requestLogLimit [10000]',
  ].join('\n'),

  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string', multiple: true },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, not ${values.port}`);

    let file: SeedFile = {};
    if (values.seed) {
      try {
        file = JSON.parse(await readFile(values.seed, 'utf8')) as SeedFile;
      } catch (err) {
        throw new UsageError(`cannot read --seed ${values.seed}: ${(err as Error).message}`);
      }
    }
    const accounts: Record<string, AccountSeed> = { ...file.accounts };
    for (const t of values.token ?? []) accounts[t] ??= {};
    if (Object.keys(accounts).length === 0) accounts[`fake-${randomBytes(6).toString('hex')}`] = {};

    const fake = await startFakeMailerLite({ port, host: values.host, accounts, options: file.options ?? {} });
    process.stdout.write(`MailerLite fake listening on ${fake.url}\n`);
    for (const t of fake.tokens()) process.stdout.write(`  token: ${t}\n`);

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await fake.close();
    return 0;
  },
};
