// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { adapterBlock } from '../../flow/adapter-block.ts';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { checkFlow } from '../../setup/account-check.ts';
import { describeFinding } from '../../setup/findings.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { applySetup, describeAction, planSetup } from '../../setup/setup-plan.ts';

const usage = `Usage: engine setup <flow> [--yes] [--create-groups] [--flows DIR]

Creates in the flow's MailerLite account what \`engine check\` finds missing: the custom fields
the mapping sets (text, number or date, as the mapping's values imply) and, only with
--create-groups, the groups the policy names. Prints the plan first and changes nothing
without --yes. Safe to run again: a second run plans nothing.

Exit status: 0 nothing left to fix (or a plan printed without --yes), 1 problems remain, 2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        flows: { type: 'string', default: 'flows' },
        yes: { type: 'boolean', default: false },
        'create-groups': { type: 'boolean', default: false },
      },
    });
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError('name one flow');
    const flow = flowOrReport(target, { flowsDir: values.flows });
    if (!flow) return 1;
    const check = await checkFlow(flow);
    const plan = planSetup(check.findings, { createGroups: values['create-groups'] });
    const keyRef = String(adapterBlock(flow.config.destination, 'destination')[1][flow.destinationAdapter.credentialKey]);
    const out = (line: string) => process.stdout.write(`${flow.id}: ${line}\n`);
    if (plan.actions.length === 0) out('plan: nothing to create');
    else for (const a of plan.actions) out(`plan: ${describeAction(a)}`);
    for (const f of plan.left) out(`not fixed by setup: ${describeFinding(f, flow.id, keyRef)}`);
    if (!values.yes) {
      if (plan.actions.length > 0) out('nothing changed; run again with --yes to apply the plan');
      return plan.left.length > 0 ? 1 : 0;
    }
    const applied = await applySetup(flow, plan);
    for (const a of applied) out(`${a.ok ? 'done' : 'FAILED'}: ${describeAction(a.action)}: ${a.detail}`);
    return plan.left.length > 0 || applied.some((a) => !a.ok) ? 1 : 0;
  },
};
