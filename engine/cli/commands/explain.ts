// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { parseArgs } from 'node:util';
import { findFlow } from '../../runtime/load-flow.ts';
import { explainPolicy } from '../../policy/explain.ts';
import { UsageError, type Command } from '../command.ts';

const usage = `Usage: engine explain <flow> [--flows DIR] [--format text|markdown]

Prints the flow's decision table with its real group names and new-contact status, in words
the customer understands (paste it into the confirmation email). <flow> is a flow id, a flow
file or a flow folder.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { flows: { type: 'string', default: 'flows' }, format: { type: 'string', default: 'text' } },
    });
    const target = positionals[0];
    if (!target) throw new UsageError('name a flow');
    if (values.format !== 'text' && values.format !== 'markdown') throw new UsageError('--format is text or markdown');
    const found = findFlow(target, values.flows);
    if ('problems' in found) {
      process.stderr.write(`engine explain: ${found.problems.join('\n')}\n`);
      return 1;
    }
    const loaded = found.flow;
    const title = loaded.flow.description ? `${loaded.flow.flow} (${loaded.flow.description})` : loaded.flow.flow;
    process.stdout.write(explainPolicy(loaded.flow.policy, { flowName: title, format: values.format }) + '\n');
    return 0;
  },
};
