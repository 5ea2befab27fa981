import { UsageError } from './command.ts';

/** The one output switch of every command tools read: `--format text|json` (some add markdown). */
export type OutputFormat = 'text' | 'json' | 'markdown';

/** The format asked for, or a UsageError naming the ones this command prints. */
export function outputFormat<F extends OutputFormat>(value: string | undefined, allowed: readonly F[]): F {
  const format = value ?? 'text';
  if (!(allowed as readonly string[]).includes(format)) throw new UsageError(`--format must be ${allowed.join(' or ').replace(/ or (?=.* or )/g, ', ')}, not '${format}'`);
  return format as F;
}

/** One JSON document on stdout, for tools. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
