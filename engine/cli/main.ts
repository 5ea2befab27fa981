import { didYouMean } from '../flow/did-you-mean.ts';
import { UsageError, type Command } from './command.ts';
import { packageVersion } from './version.ts';

interface Entry {
  /** One line for `engine help`. */
  summary: string;
  load(): Promise<{ command: Command }>;
}

/**
 * Every command (engine/cli/commands/<name>.ts) with its line in `engine help`. A static table so
 * that `engine help` imports no command and a command imports only its own module;
 * test/cli-conventions.test.ts keeps it in step with the files in commands/.
 */
export const COMMANDS: Readonly<Record<string, Entry>> = {
  backfill: { summary: 'bring older Flipcause contacts (an export CSV) in through a flow; resumable', load: () => import('./commands/backfill.ts') },
  check: { summary: 'check a flow against its live MailerLite account (key, groups, fields)', load: () => import('./commands/check.ts') },
  demo: { summary: 'run the example flows against the MailerLite fake with sample deliveries', load: () => import('./commands/demo.ts') },
  errors: { summary: 'list every error code: kind, HTTP status, what happens on failure, message', load: () => import('./commands/errors.ts') },
  explain: { summary: 'print a flow\'s decision table with its real group names', load: () => import('./commands/explain.ts') },
  'fake-mailerlite': { summary: 'run the MailerLite fake (a local HTTP server with the MailerLite API)', load: () => import('./commands/fake-mailerlite.ts') },
  'purge-test-contacts': { summary: 'list, then delete, the test subscribers a flow created in a time window', load: () => import('./commands/purge-test-contacts.ts') },
  replay: { summary: 'replay a flow\'s dead letters, or one record, on a running server', load: () => import('./commands/replay.ts') },
  run: { summary: 'process one delivery file through a flow (--dry-run: print the writes, send none)', load: () => import('./commands/run.ts') },
  schema: { summary: 'generate schemas/flow.schema.json from the flow and adapter schemas', load: () => import('./commands/schema.ts') },
  serve: { summary: 'serve every flow\'s webhooks and drain them into MailerLite', load: () => import('./commands/serve.ts') },
  setup: { summary: 'create the custom fields (and, if asked, groups) a flow needs in MailerLite', load: () => import('./commands/setup.ts') },
  status: { summary: 'show each served flow: pending/done/dead, paused or not ready', load: () => import('./commands/status.ts') },
  test: { summary: 'run the flows\' test cases against the MailerLite fake', load: () => import('./commands/test.ts') },
  validate: { summary: 'check flow files: schema, JSONata, secrets, duplicate ids', load: () => import('./commands/validate.ts') },
};

const names = Object.keys(COMMANDS).sort();

function entry(name: string): Entry | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function help(): string {
  return [
    'Usage: engine <command> [options]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(22)}${COMMANDS[name]!.summary}`),
    '',
    'Options:',
    '  -h, --help            this list; `engine <command> --help` (or `engine help <command>`): its options',
    '  -v, --version         the engine\'s version',
  ].join('\n');
}

function unknownCommand(name: string, prefix: string): number {
  process.stderr.write(`${prefix}: unknown command '${name}'${didYouMean(name, names)}\n\n${help()}\n`);
  return 2;
}

/** Options before a `--` (after it everything is a positional). */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** What went wrong in parseArgs' words, shortened: its unknown-option message ends in an unbalanced quote. */
function parseArgsMessage(err: Error & { code: string }): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /^Unknown option '([^']+)'/.exec(err.message)?.[1];
    if (option !== undefined) return `unknown option '${option}'`;
  }
  return err.message;
}

/** Dispatches `engine <command> …`: exit 0 done, 1 failure, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(help() + '\n');
      return 0;
    }
    const target = entry(topic);
    if (!target) return unknownCommand(topic, 'engine help');
    process.stdout.write((await target.load()).command.usage + '\n');
    return 0;
  }
  const target = entry(name);
  if (!target) return unknownCommand(name, 'engine');
  const { command } = await target.load();
  if (asksForHelp(rest)) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`engine ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    // parseArgs throws TypeErrors with codes for unknown or malformed options.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`engine ${name}: ${parseArgsMessage(err as Error & { code: string })}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  }
}
