import { parseArgs } from 'node:util';
import { allErrors, type ResolvedErrorDef } from '../../errors.ts';
import { describeFailure, failureFacts, type FailureFacts } from '../../failure/describe-failure.ts';
import { UsageError, type Command } from '../command.ts';
// Every table of the project registers itself when its module loads (test/error-table.test.ts
// fails when one is missing from this list).
import '../../../adapters/index.ts';
import '../../flow/errors.ts';
import '../../pipeline/errors.ts';
import '../../server/admin-errors.ts';
import '../../operator/admin-query.ts';
import '../../expression/errors.ts';
import '../../runtime/intake.ts';

const usage = `Usage: engine errors [--format text|json]

Prints every error code of the project: its kind, the HTTP status it answers a request with,
what happens to a stored record that fails with it, and its message template. (Codes met where
a request is answered or a flow file is checked — intake, admin, validate — answer with their
status or are reported; ON FAILURE is what the worker does when a record meets one.)

On failure:
  retry: …           "in request": the MailerLite client retries first, within the request
                     (seconds); then the worker reschedules the record in the store: "backoff"
                     (exponential, with jitter, never sooner than Retry-After) or "every N s"
                     after reloading the account's groups and fields ("refresh directory"); at
                     the last attempt the record is dead-lettered with the code shown
  pause the account  the API key is unusable: the account's records wait, its key is probed
  dead-letter        the record ends dead with the code and reason (replayable from the admin API)

Options:
  --format text|json   text (default): one line per code; json: an array for tools`;

export interface ErrorEntry {
  code: string;
  kind: ResolvedErrorDef['kind'];
  status: number;
  onFailure: FailureFacts;
  message: string;
}

export function errorEntries(errors: ReadonlyMap<string, ResolvedErrorDef> = allErrors()): ErrorEntry[] {
  return [...errors]
    .map(([code, def]) => ({ code, kind: def.kind, status: def.status, onFailure: failureFacts(code, def), message: def.message }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

export function renderErrorTable(entries: readonly ErrorEntry[]): string {
  const rows = [
    ['CODE', 'KIND', 'STATUS', 'ON FAILURE', 'MESSAGE'],
    ...entries.map((e) => [e.code, e.kind, String(e.status), describeFailure(e.onFailure), e.message]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n');
}

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { format: { type: 'string', default: 'text' } } });
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
    const entries = errorEntries();
    process.stdout.write((values.format === 'json' ? JSON.stringify(entries, null, 2) : renderErrorTable(entries)) + '\n');
    return 0;
  },
};
