// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { duration, progressDisplay } from '../progress-display.ts';
import { createLogger } from '../../log/logger.ts';
import { ExportFormatError, runBackfill, type BackfillSummary, type ExportReport } from '../../setup/backfill.ts';
import type { BackfillRow } from '../../setup/backfill-rows.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { openSqliteStore } from '../../store/sqlite.ts';

const usage = `Usage: engine backfill <flow> <export.csv> [--dry-run] [--on-list] [--format text|json] [--db FILE] [--flows DIR]

Brings contacts from a Flipcause contacts export or transactions export (CSV) into MailerLite
through the flow itself: its mapping, its mode policy and the account's rate budget. Rows keep
their dates (a transactions export's date, amount and campaign reach the mapping as a live
transaction's would); the flow's \`since\` cut-off does not apply: older contacts are what
backfill is for. Needs only the destination's secrets (the MailerLite API key): an export is
read from a file, not received as a webhook; every variable that is not set is named at once.

The header row says which export the file is; columns are found by their Flipcause names in
any order, case or spacing. Which columns feed which fields, and which are ignored, is printed
once before the rows. Rows without a usable email, or with the wrong number of columns, are
reported once each, by line, and skipped.

MailerLite's rate limit, not the engine, sets how long a big backfill takes; a progress bar
(percentage, rate, time left) shows on a terminal, a plain line every 10 s otherwise.

  --dry-run        decide every row against the live account, send no writes, store nothing;
                   prints one line per row: its decision, the masked email, the fields it fills
  --on-list        every row joined the mailing list (an export of the mailing-list report);
                   otherwise a transactions export's "Transaction Type" (e.g. D,M) says so
  --format FORMAT  text (default) or json: one JSON document on stdout (the export's columns,
                   the bad rows, the outcomes, the timing; with --dry-run each row too)
  --db FILE        where progress is kept (default: <export.csv>.backfill.sqlite beside the file);
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
        format: { type: 'string', default: 'text' },
        db: { type: 'string' },
        flows: { type: 'string', default: 'flows' },
      },
    });
    const [target, csvPath] = positionals;
    if (!target || !csvPath || positionals.length > 2) throw new UsageError('name a flow and an export CSV');
    const format = values.format;
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format is text or json, not '${format}'`);
    if (!existsSync(csvPath)) {
      process.stderr.write(`engine backfill: no file ${csvPath}\n`);
      return 1;
    }
    const flow = flowOrReport(target, { flowsDir: values.flows, uses: 'destination' });
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
    const display = await progressDisplay({ label: `backfill ${flow.id}`, stream: process.stderr, unit: 'rows' });
    let started = false;
    try {
      const summary = await runBackfill(flow, readFileSync(csvPath), {
        store,
        dryRun,
        rows: dryRun,
        onList: values['on-list'],
        signal: controller.signal,
        onExport(e) {
          if (format === 'text') process.stderr.write(`${exportLine(csvPath, e)}\n`);
        },
        log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr }),
        onProgress(done, total) {
          if (!started) {
            started = true;
            const pace = flow.destinationAdapter.pace;
            if (pace) process.stderr.write(`${pace}: that limit, not the engine, sets how long a big backfill takes.\n`);
          }
          display.update(done, total);
        },
      });
      display.stop();
      for (const b of summary.bad) process.stderr.write(`${csvPath}:${b.line}: skipped: ${b.reason}\n`);
      process.stdout.write(format === 'json' ? `${JSON.stringify(asJson(flow.id, csvPath, summary, dryRun), null, 2)}\n` : report(summary, dryRun));
      return summary.pending > 0 || Object.keys(summary.outcomes).some((k) => k.startsWith('dead')) ? 1 : 0;
    } catch (err) {
      if (!(err instanceof ExportFormatError)) throw err;
      process.stderr.write(`engine backfill: ${csvPath}: ${err.message}\n`);
      return 1;
    } finally {
      display.stop();
      process.off('SIGINT', onSigint);
      await store.close();
    }
  },
};

/** Once per file: which export it is, and every column it has, read or ignored. */
function exportLine(csvPath: string, e: ExportReport): string {
  const ignored = e.ignored.length > 0 ? `; ignored (read into nothing): ${e.ignored.join(', ')}` : '';
  return `${csvPath}: ${e.format}; read: ${e.mapped.map((c) => c.column).join(', ')}${ignored}`;
}

function report(s: BackfillSummary, dryRun: boolean): string {
  const lines = (s.rows ?? []).map((r) => rowLine(r, dryRun));
  lines.push(`${dryRun ? 'dry run (nothing sent): ' : ''}${s.total} rows, ${s.bad.length} bad rows skipped${s.resumedDone > 0 ? `, ${s.resumedDone} already done by an earlier run` : ''}`);
  for (const [outcome, n] of Object.entries(s.outcomes).sort()) lines.push(`  ${dryRun ? 'would be ' : ''}${outcome}: ${n}`);
  if (s.pending > 0) lines.push(`  not finished: ${s.pending}${s.aborted ? ' (interrupted: run the same command again to go on)' : ' (waiting for a retry: run the same command again later)'}`);
  if (s.blocked) lines.push(`  the account is blocked: ${s.blocked}`);
  const own = Math.max(0, s.elapsedMs - s.destinationMs);
  lines.push(`  took ${duration(s.elapsedMs)}: ${duration(s.destinationMs)} waiting for the destination (its rate limit and its answers), ${duration(own)} the engine's own work`);
  return lines.join('\n') + '\n';
}

const WOULD: Readonly<Record<string, string>> = { created: 'would create', updated: 'would update', no_change: 'no change', skipped: 'skip', coalesced: 'decided', dead: 'would fail' };

/** `line 7: would create d***@example.org (name, city, last_name)`. */
function rowLine(r: BackfillRow, dryRun: boolean): string {
  const decision = (dryRun ? WOULD[r.decision] : undefined) ?? r.decision;
  const why = r.reason === null ? '' : r.decision === 'coalesced' ? ` ${r.reason}` : ` [${r.reason}]`;
  return `line ${r.line}: ${decision}${why} ${r.email ?? '-'} (${r.fields.length > 0 ? r.fields.join(', ') : 'no fields'})`;
}

function asJson(flowId: string, csvPath: string, s: BackfillSummary, dryRun: boolean) {
  return {
    flow: flowId,
    file: csvPath,
    dry_run: dryRun,
    export: s.export,
    rows: s.total,
    resumed_done: s.resumedDone,
    bad: s.bad,
    outcomes: s.outcomes,
    pending: s.pending,
    aborted: s.aborted,
    blocked: s.blocked,
    elapsed_ms: Math.round(s.elapsedMs),
    destination_ms: Math.round(s.destinationMs),
    ...(s.rows ? { decisions: s.rows } : {}),
  };
}
