// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dryRun } from '../../runtime/dry-run.ts';
import { maskValues } from '../../log/mask-values.ts';
import { redact } from '../../log/redact.ts';
import { silentLogger } from '../../log/logger.ts';
import { IntakeQueue, toNewRecords } from '../../runtime/intake.ts';
import { loadFlow } from '../../runtime/load-flow.ts';
import { AccountWorker } from '../../worker/account-worker.ts';
import { openSqliteStore } from '../../store/sqlite.ts';
import { UsageError, type Command } from '../command.ts';

const usage = `Usage: engine run <flow> <delivery.json> [--dry-run [--show-pii]] [--flows DIR]

Processes one Flipcause delivery (a JSON file: an array of records, or one record) through the
flow against its MailerLite account (destination.mailerlite.base_url, or MailerLite itself),
with a temporary store; the settle window is not waited for. <flow> is a flow id (looked up
in --flows, default flows/), a flow file or a flow folder. Secrets come from the environment:
only the destination's (the MailerLite API key) are needed, since the delivery is the operator's
own file and is not authenticated; every variable that is not set is named at once.

Options:
  --dry-run     decide and print the MailerLite writes a real run would send, without sending
                them (groups, fields and subscribers are still read), with the values the
                mapping produced and groups by name
  --show-pii    with --dry-run: show personal values in clear (the operator's own terminal)
  --flows DIR   where to look a flow id up (default flows)

Personal values (e-mails, names, phones, addresses) are shown by their shape, never in clear
unless --show-pii: "Jane" as Xxxx, "(510) 555-0100" as (999) 999-9999, an email as
xxxx.xxx@example.org. Without --dry-run they are shown as [redacted].
Exit status: 0 done, 1 a record failed or the flow does not load, 2 usage error.`;

/** A request body with its group ids replaced by the groups' names, which is what people check. */
function withGroupNames(body: unknown, names: ReadonlyMap<string, string>): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const groups = (body as { groups?: unknown }).groups;
  if (!Array.isArray(groups)) return body;
  return { ...body, groups: groups.map((id) => names.get(String(id)) ?? id) };
}

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, 'show-pii': { type: 'boolean', default: false }, flows: { type: 'string', default: 'flows' } },
    });
    const [target, deliveryFile, ...extra] = positionals;
    if (!target || !deliveryFile) throw new UsageError('name a flow and a delivery file');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values['show-pii'] && !values['dry-run']) throw new UsageError('--show-pii goes with --dry-run');
    if (!existsSync(deliveryFile)) throw new UsageError(`no such file: ${deliveryFile}`);
    const loaded = loadFlow(target, { flowsDir: values.flows, uses: 'destination' });
    if (!loaded.ok) {
      for (const p of loaded.problems) process.stderr.write(`engine run: ${p}\n`);
      return 1;
    }
    const flow = loaded.flow;
    // The delivery is the operator's own file: parsed and checked like a webhook body, not authenticated.
    const records = flow.source.parse(readFileSync(deliveryFile));

    if (values['dry-run']) {
      const lines = await dryRun(flow, records);
      const groupNames = new Map((await flow.destination.listGroups()).map((g) => [g.id, g.name]));
      const shown = (body: unknown) => JSON.stringify(values['show-pii'] ? withGroupNames(body, groupNames) : maskValues(withGroupNames(body, groupNames)));
      for (const line of lines) {
        const why = [line.reason, line.rule && `rule ${line.rule}`, line.state && `MailerLite: ${line.state}`].filter(Boolean).join(', ');
        process.stdout.write(`${line.records.join(' + ')}: ${line.outcome}${why ? ` (${why})` : ''}\n`);
        for (const r of line.requests) process.stdout.write(`    would send ${r.request}${r.body === undefined ? '' : ` ${shown(r.body)}`}\n`);
      }
      process.stdout.write(`dry run: ${lines.reduce((n, l) => n + l.requests.length, 0)} write(s) not sent\n`);
      return lines.some((l) => l.outcome === 'error') ? 1 : 0;
    }

    const store = openSqliteStore({ file: ':memory:' });
    // No waiting for the settle window: the whole delivery is here already.
    const worker = new AccountWorker(flow.accountKey, [flow], store, silentLogger, {}, { now: () => Date.now() + flow.settleMs + 1000 });
    try {
      await new IntakeQueue(store).submit(toNewRecords(flow, records, Date.now()));
      await worker.drain();
      let failed = false;
      for (const r of await store.records({ flow: flow.id, limit: 10_000 })) {
        const outcome = r.outcome ?? 'pending';
        if (outcome === 'failed' || outcome === 'dead' || outcome === 'pending') failed = true;
        const why = [r.reason, r.errorCode].filter(Boolean).map((s) => redact(s)).join(', ');
        process.stdout.write(`${r.dedupeKey}: ${outcome}${why ? ` (${why})` : ''}\n`);
      }
      return failed ? 1 : 0;
    } finally {
      await worker.stop();
      await store.close();
    }
  },
};
