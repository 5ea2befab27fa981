// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { adapterBlock } from '../../flow/adapter-block.ts';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { checkFlow } from '../../setup/account-check.ts';
import { describeFinding } from '../../setup/findings.ts';
import { flowOrReport } from '../../runtime/load-flow.ts';
import { outputFormat, printJson } from '../output-format.ts';
import { applySetup, describeAction, planSetup, type AppliedAction } from '../../setup/setup-plan.ts';

const usage = `Usage: engine setup <flow> [--yes] [--create-groups] [--flows DIR] [--format text|json]

Creates in the flow's MailerLite account what \`engine check\` finds missing: the custom fields
the mapping sets (text, number or date, as the mapping's values imply) and, only with
--create-groups, the groups the policy names. Prints the plan first and changes nothing
without --yes. Safe to run again: a second run plans nothing. Needs only the destination's
secrets (the MailerLite API key); every variable that is not set is named at once.

  --yes                apply the plan
  --create-groups      also create the groups the policy names
  --flows DIR          where to look a flow id up (default flows)
  --format text|json   text (default): one line per step; json: the plan, what is left and what was done

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
        format: { type: 'string' },
      },
    });
    const format = outputFormat(values.format, ['text', 'json']);
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError('name one flow');
    const flow = flowOrReport(target, { flowsDir: values.flows, uses: 'destination' });
    if (!flow) return 1;
    const check = await checkFlow(flow);
    const plan = planSetup(check.findings, { createGroups: values['create-groups'] });
    const keyRef = String(adapterBlock(flow.config.destination, 'destination')[1][flow.destinationAdapter.credentialKey]);
    const text = format === 'text';
    const out = (line: string) => {
      if (text) process.stdout.write(`${flow.id}: ${line}\n`);
    };
    const report = (applied: AppliedAction[] | null) =>
      printJson({
        flow: flow.id,
        plan: plan.actions.map((a) => ({ ...a, message: describeAction(a) })),
        left: plan.left.map((f) => ({ ...f, message: describeFinding(f, flow.id, keyRef) })),
        applied: applied && applied.map((a) => ({ ...a.action, message: describeAction(a.action), ok: a.ok, detail: a.detail })),
      });
    if (plan.actions.length === 0) out('plan: nothing to create');
    else for (const a of plan.actions) out(`plan: ${describeAction(a)}`);
    for (const f of plan.left) out(`not fixed by setup: ${describeFinding(f, flow.id, keyRef)}`);
    if (!values.yes) {
      if (plan.actions.length > 0) out('nothing changed; run again with --yes to apply the plan');
      if (!text) report(null);
      return plan.left.length > 0 ? 1 : 0;
    }
    const applied = await applySetup(flow, plan);
    if (!text) report(applied);
    for (const a of applied) out(`${a.ok ? 'done' : 'FAILED'}: ${describeAction(a.action)}: ${a.detail}`);
    return plan.left.length > 0 || applied.some((a) => !a.ok) ? 1 : 0;
  },
};
