// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { createLogger } from '../../log/logger.ts';
import { runBackfill, type BackfillSummary } from '../../setup/backfill.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { openSqliteStore } from '../../store/sqlite.ts';

const usage = `Usage: engine backfill <flow> <export.csv> [--dry-run] [--on-list] [--db FILE] [--flows DIR]

Brings contacts from a Flipcause contacts or transactions export (CSV) into MailerLite through
the flow itself: its mapping, its mode policy and the account's rate budget. The flow's \`since\`
cut-off does not apply: older contacts are what backfill is for.

Columns are found by their Flipcause names (First Name, Last Name, Email, Address, City,
State/Province, Postal Code, Country, Phone, …) in any order, case or spacing; others are ignored.
Rows without a usable email, or with the wrong number of columns, are reported by line and skipped.

  --dry-run    decide every row against the live account, send no writes, store nothing
  --on-list    every row joined the mailing list (an export of the mailing-list report);
               otherwise a transactions export's "Transaction Type" (e.g. D,M) says so
  --db FILE    where progress is kept (default: <export.csv>.backfill.sqlite beside the file);
               a store of its own, not the server's live one

Interrupted (Ctrl-C), it finishes the round in flight and stops; run the same command again to
go on where it stopped: finished rows are not sent again.
Exit status: 0 every row finished, 1 rows still pending or failed, 2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        'on-list': { type: 'boolean', default: false },
        db: { type: 'string' },
        flows: { type: 'string', default: 'flows' },
      },
    });
    const [target, csvPath] = positionals;
    if (!target || !csvPath || positionals.length > 2) throw new UsageError('name a flow and an export CSV');
    if (!existsSync(csvPath)) {
      process.stderr.write(`engine backfill: no file ${csvPath}\n`);
      return 1;
    }
    const flow = flowOrReport(target, { flowsDir: values.flows });
    if (!flow) return 1;
    const dryRun = values['dry-run'];
    const store = openSqliteStore({ file: dryRun ? ':memory:' : (values.db ?? `${csvPath}.backfill.sqlite`) });
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping after the current round (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let last = 0;
    const tty = process.stderr.isTTY === true;
    try {
      const summary = await runBackfill(flow, readFileSync(csvPath), {
        store,
        dryRun,
        onList: values['on-list'],
        signal: controller.signal,
        log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }),
        onProgress(done, total) {
          const t = Date.now();
          if (done < total && t - last < (tty ? 100 : 1000)) return;
          last = t;
          process.stderr.write(`${tty ? '\r' : ''}backfill ${flow.id}: ${done}/${total} rows${tty ? '' : '\n'}`);
        },
      });
      if (tty) process.stderr.write('\n');
      for (const b of summary.bad) process.stderr.write(`${csvPath}:${b.line}: skipped: ${b.reason}\n`);
      process.stdout.write(report(summary, dryRun));
      return summary.pending > 0 || Object.keys(summary.outcomes).some((k) => k.startsWith('dead')) ? 1 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      store.close();
    }
  },
};

function report(s: BackfillSummary, dryRun: boolean): string {
  const lines = [`${dryRun ? 'dry run (nothing sent): ' : ''}${s.total} rows, ${s.bad.length} bad rows skipped${s.resumedDone > 0 ? `, ${s.resumedDone} already done by an earlier run` : ''}`];
  for (const [outcome, n] of Object.entries(s.outcomes).sort()) lines.push(`  ${dryRun ? 'would be ' : ''}${outcome}: ${n}`);
  if (s.pending > 0) lines.push(`  not finished: ${s.pending}${s.aborted ? ' (interrupted: run the same command again to go on)' : ' (waiting for a retry: run the same command again later)'}`);
  if (s.blocked) lines.push(`  the account is blocked: ${s.blocked}`);
  return lines.join('\n') + '\n';
}
