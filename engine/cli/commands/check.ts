// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { adapterBlock } from '../../flow/adapter-block.ts';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { checkFlow } from '../../setup/account-check.ts';
import { describeFinding } from '../../setup/findings.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { outputFormat, printJson } from '../output-format.ts';

const usage = `Usage: engine check <flow> [--flows DIR] [--format text|json]

Checks a flow against its live MailerLite account: the API key works, every group the policy
names exists, every field the mapping sets exists (found by running the mapping over sample
Flipcause events), and each field's type takes what the mapping produces. Changes nothing.
<flow> is a flow id (looked up in --flows, default flows/), a flow file or a flow folder.

Needs only the destination's secrets (the MailerLite API key), not the source's; every
variable that is not set is named at once.

  --flows DIR          where to look a flow id up (default flows)
  --format text|json   text (default): one line per problem with its fix; json: the findings for tools

Exit status: 0 all good, 1 problems, 2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { flows: { type: 'string', default: 'flows' }, format: { type: 'string' } } });
    const format = outputFormat(values.format, ['text', 'json']);
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError('name one flow');
    const flow = flowOrReport(target, { flowsDir: values.flows, uses: 'destination' });
    if (!flow) return 1;
    const result = await checkFlow(flow);
    const keyRef = String(adapterBlock(flow.config.destination, 'destination')[1][flow.destinationAdapter.credentialKey]);
    const groups = Object.values(flow.policy.groups).flat().length;
    if (format === 'json') {
      printJson({
        flow: flow.id,
        ok: result.findings.length === 0,
        findings: result.findings.map((f) => ({ ...f, message: describeFinding(f, flow.id, keyRef) })),
        mapped_fields: result.mappedFields,
        group_references: groups,
        samples: result.samples,
      });
      return result.findings.length > 0 ? 1 : 0;
    }
    for (const f of result.findings) process.stdout.write(`${flow.id}: ${describeFinding(f, flow.id, keyRef)}\n`);
    if (result.findings.length > 0) {
      process.stderr.write(`${flow.id}: ${result.findings.length} problem${result.findings.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    process.stdout.write(`${flow.id}: ok (API key works; ${groups} group reference${groups === 1 ? '' : 's'} and ${result.mappedFields.length} mapped field${result.mappedFields.length === 1 ? '' : 's'} exist with fitting types)\n`);
    return 0;
  },
};
