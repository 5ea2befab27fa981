/**
 * `engine fake-mailerlite`: the MailerLite fake as a process, for the demo, manual runs and flow
 * tests in another process. Prints its base URL and the tokens it accepts, runs until SIGINT or
 * SIGTERM. Seed file: `{ "accounts": { "<token>": { groups, fields, subscribers } }, "options": {…} }`.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { startFakeMailerLite, type AccountSeed, type FakeOptions } from '../../../adapters/mailerlite/fake/index.ts';

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
