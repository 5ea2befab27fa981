// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { parseArgs } from 'node:util';
import { runDemo } from '../../demo/run-demo.ts';
import type { Command } from '../command.ts';

const usage = `Usage: engine demo [--flows DIR] [--settle N]

Starts the MailerLite fake and the webhook server with the example flows, sends sample
Flipcause deliveries over HTTP, waits for the workers and prints what happened. The samples
are dated today and every flow's go-live (since) is set a month back for the demo, so each
story holds on any date; each is then checked against its label (exit status 1 if one fails).

  --flows DIR   flows to serve (default: flows)
  --settle N    settle window in seconds for the demo (default: 2)`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { flows: { type: 'string', default: 'flows' }, settle: { type: 'string', default: '2' } } });
    return runDemo({ flowsDir: values.flows, settleSeconds: Number(values.settle), out: (l) => process.stdout.write(l + '\n') });
  },
};
