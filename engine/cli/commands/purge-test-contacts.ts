// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { openSqliteStore } from '../../store/sqlite.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { maskEmail } from '../../log/mask-email.ts';
import { purgeCandidates, purgeSubscribers } from '../../setup/purge-test-contacts.ts';
import { parseTimeArg } from '../../setup/time-arg.ts';
import { outputFormat, printJson } from '../output-format.ts';

const usage = `Usage: engine purge-test-contacts <flow> --since <time> [--until <time>] [--match <pattern>] [--yes] [--db FILE] [--flows DIR] [--format text|json]

Lists the MailerLite subscribers this flow CREATED between --since and --until (from the
store's record of its effects), and deletes them only with --yes. A subscriber the flow did
not create (one that existed before and was only updated) is never touched.

  --since, --until   ISO 8601 time or date, or a span back from now: 90m, 24h, 7d, 2w
  --match            only emails matching a glob (*+test@example.org) or a /regex/; how many
                     created subscribers it left out is reported
  --db FILE          the store the server wrote (default: engine.sqlite)
  --format text|json text (default): one line per subscriber (masked email, subscriber id,
                     created at, and with --match the part it matched); json: the same for tools

Needs only the destination's secrets (the MailerLite API key). Emails are printed masked but for
the text --match spells. Exit status: 0 done (or listed), 1 a delete failed, 2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        match: { type: 'string' },
        yes: { type: 'boolean', default: false },
        db: { type: 'string', default: 'engine.sqlite' },
        flows: { type: 'string', default: 'flows' },
        format: { type: 'string' },
      },
    });
    const format = outputFormat(values.format, ['text', 'json']);
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError('name one flow');
    if (values.since === undefined) throw new UsageError('--since is required');
    const since = parseTimeArg(values.since);
    if (since === null) throw new UsageError(`--since: not a time: ${values.since}`);
    const until = values.until === undefined ? undefined : parseTimeArg(values.until);
    if (until === null) throw new UsageError(`--until: not a time: ${values.until}`);
    if (values.match !== undefined && /^\/.+\/[a-z]*$/.test(values.match)) {
      try {
        new RegExp(values.match.slice(1, values.match.lastIndexOf('/')));
      } catch (err) {
        throw new UsageError(`--match: ${(err as Error).message}`);
      }
    }
    if (!existsSync(values.db)) {
      process.stderr.write(`engine purge-test-contacts: no store at ${values.db} (give the server's --db)\n`);
      return 1;
    }
    const flow = flowOrReport(target, { flowsDir: values.flows, uses: 'destination' });
    if (!flow) return 1;
    const store = openSqliteStore({ file: values.db });
    try {
      const window = { since, ...(until === undefined ? {} : { until }), ...(values.match === undefined ? {} : { match: values.match }) };
      const { candidates, unmatched } = await purgeCandidates(store, flow.id, window);
      const text = format === 'text';
      const row = (c: (typeof candidates)[number]) => ({ email: maskEmail(c.email), subscriber_id: c.subscriberId, created_at: new Date(c.at).toISOString(), ...(values.match === undefined ? {} : { matched: c.shown }) });
      if (text) {
        for (const c of candidates) process.stdout.write(`${Object.values(row(c)).join('\t')}\n`);
        process.stderr.write(`${flow.id}: ${candidates.length} subscriber${candidates.length === 1 ? '' : 's'} created by this flow in the window${values.match === undefined ? '' : ` match ${values.match}; ${unmatched} created in the window did not match`}\n`);
      }
      const report = (results: Awaited<ReturnType<typeof purgeSubscribers>> | null) =>
        printJson({
          flow: flow.id,
          since: new Date(since).toISOString(),
          until: until === undefined ? null : new Date(until).toISOString(),
          match: values.match ?? null,
          candidates: candidates.map(row),
          unmatched,
          deleted: results && results.filter((r) => r.ok).map((r) => r.candidate.subscriberId),
          failed: results && results.filter((r) => !r.ok).map((r) => ({ subscriber_id: r.candidate.subscriberId, error: r.error })),
        });
      if (!values.yes) {
        if (!text) report(null);
        else if (candidates.length > 0) process.stderr.write('nothing deleted; run again with --yes to delete them\n');
        return 0;
      }
      const results = await purgeSubscribers(flow, store, candidates);
      const failed = results.filter((r) => !r.ok);
      if (!text) report(results);
      else {
        for (const r of failed) process.stderr.write(`FAILED ${maskEmail(r.candidate.email)} ${r.candidate.subscriberId}: ${r.error}\n`);
        process.stderr.write(`deleted ${results.length - failed.length}, failed ${failed.length}\n`);
      }
      return failed.length > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
