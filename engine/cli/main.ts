import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command } from './command.ts';

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command | undefined> {
  if (!commandNames().includes(name)) return undefined;
  const mod = (await import(`./commands/${name}.ts`)) as { command: Command };
  return mod.command;
}

async function help(): Promise<string> {
  const lines = ['Usage: engine <command> [options]', '', 'Commands:'];
  for (const name of commandNames()) {
    const cmd = await load(name);
    if (cmd) lines.push(`  ${name.padEnd(22)}${cmd.summary}`);
  }
  lines.push('', 'Run `engine help <command>` for its options.');
  return lines.join('\n');
}

/** Dispatches `engine <command> …`; commands are discovered from engine/cli/commands/. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = name === 'help' && rest[0] ? await load(rest[0]) : undefined;
    process.stdout.write((target ? target.usage : await help()) + '\n');
    return 0;
  }
  const cmd = await load(name);
  if (!cmd) {
    process.stderr.write(`engine: unknown command '${name}'\n\n${await help()}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`engine ${name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    // parseArgs throws TypeErrors with codes for unknown or malformed options.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`engine ${name}: ${(err as Error).message}\n\n${cmd.usage}\n`);
      return 2;
    }
    throw err;
  }
}
