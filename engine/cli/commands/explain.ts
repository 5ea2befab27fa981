// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { parseArgs } from 'node:util';
import { explainPolicy, explainRows, MODE_TITLES } from '../../policy/explain.ts';
import { loadFlow } from '../../runtime/load-flow.ts';
import { flowSummary, summaryLines } from '../../setup/flow-summary.ts';
import { UsageError, type Command } from '../command.ts';
import { outputFormat, printJson } from '../output-format.ts';

const usage = `Usage: engine explain <flow> [--flows DIR] [--format text|markdown|json]

Prints the flow's decision table with its real group names and new-contact status, in words
the customer understands (paste it into the confirmation email), then what is never sent to
MailerLite (other triggers, no email, dated before since, the when filter) and which fields
are. <flow> is a flow id, a flow file or a flow folder. Needs no secret.

  --flows DIR                   where to look a flow id up (default flows)
  --format text|markdown|json   text (default) for a plain email, markdown, or json for tools`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { flows: { type: 'string', default: 'flows' }, format: { type: 'string' } },
    });
    const target = positionals[0];
    if (!target) throw new UsageError('name a flow');
    const format = outputFormat(values.format, ['text', 'markdown', 'json']);
    const found = loadFlow(target, { flowsDir: values.flows, uses: 'none' });
    if (!found.ok) {
      process.stderr.write(`engine explain: ${found.problems.join('\n')}\n`);
      return 1;
    }
    const { flow } = found;
    const summary = await flowSummary(flow);
    if (format === 'json') {
      printJson({
        flow: flow.id,
        description: flow.config.description ?? null,
        mode: flow.policy.mode,
        mode_title: MODE_TITLES[flow.policy.mode],
        new_status: flow.policy.new_status,
        table: explainRows(flow.policy),
        ...summary,
      });
      return 0;
    }
    const title = flow.config.description ? `${flow.id} (${flow.config.description})` : flow.id;
    const table = explainPolicy(flow.policy, { flowName: title, format });
    process.stdout.write(`${table}\n${summaryLines(summary, format === 'markdown' ? '- ' : '  - ').join('\n')}\n`);
    return 0;
  },
};
