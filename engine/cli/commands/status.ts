import { parseArgs } from 'node:util';
import { adminCall, adminTarget } from '../admin-client.ts';
import type { Command } from '../command.ts';
import { outputFormat, printJson } from '../output-format.ts';

const usage = `Usage: engine status [--url URL] [--token T] [--format text|json]

Shows every flow a running server hosts, from its admin API (GET /admin/flows): records pending,
done and dead, and whether the flow's MailerLite account is paused or the flow is not ready.

  --url URL     the server (default: $ENGINE_URL, else http://127.0.0.1:$PORT or :8080)
  --token T     admin bearer token (default: $ENGINE_ADMIN_TOKEN)
  --format F    text (default): a table, then each flow file's problems; json: the API's answer
  --json        the same as --format json

Exit status: 0 every flow file loads, 1 problems listed (or the server cannot be asked), 2 usage error.`;

interface FlowRow {
  flow: string;
  pending: number;
  done: number;
  dead: number;
  paused: { code: string } | null;
  not_ready: string | null;
  /** Several instances on PostgreSQL: false for a flow only other instances serve. */
  served_here?: boolean;
  served_by?: string[];
}

interface InstanceRow {
  id: string;
  this: boolean;
  flows: string[];
  accounts_drained: string[];
}

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, token: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const format = outputFormat(values.json ? 'json' : values.format, ['text', 'json']);
    const target = adminTarget(values);
    let answer: { flows: FlowRow[]; problems: { file: string; problems: string[] }[]; not_configured?: { flow: string; missing: string[] }[]; instances?: InstanceRow[] };
    try {
      answer = (await adminCall(target, 'GET', '/flows')) as typeof answer;
    } catch (err) {
      process.stderr.write(`engine status: ${target.url}: ${(err as Error).message}\n`);
      return 1;
    }
    const exit = answer.problems.length > 0 ? 1 : 0;
    if (format === 'json') {
      printJson(answer);
      return exit;
    }
    const rows = [['FLOW', 'PENDING', 'DONE', 'DEAD', 'STATE']];
    for (const f of answer.flows) {
      const state = f.served_here === false ? `served only by ${f.served_by?.join(', ') ?? 'other instances'}`
        : f.paused ? `paused (${f.paused.code})` : f.not_ready ? `not ready: ${f.not_ready}` : 'ok';
      rows.push([f.flow, String(f.pending), String(f.done), String(f.dead), state]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n');
    // Examples without their secrets are listed, not counted as problems (flow.yaml's `example: true`).
    for (const n of answer.not_configured ?? []) process.stdout.write(`${n.flow}: example, not configured (set ${n.missing.join(', ')})\n`);
    if (answer.instances) printInstances(answer.instances);
    for (const p of answer.problems) process.stdout.write(`\nproblem in ${p.file}:\n${p.problems.map((l) => `  ${l}`).join('\n')}\n`);
    return exit;
  },
};

/** Instances sharing one PostgreSQL store: what each serves and drains, and flow sets that differ. */
function printInstances(instances: readonly InstanceRow[]): void {
  process.stdout.write(`\n${instances.length} instance${instances.length === 1 ? '' : 's'} on this store:\n`);
  for (const i of instances) {
    process.stdout.write(`  ${i.id}${i.this ? ' (answering)' : ''}: ${i.flows.length} flow${i.flows.length === 1 ? '' : 's'}, drains ${i.accounts_drained.length} account${i.accounts_drained.length === 1 ? '' : 's'}\n`);
  }
  const all = [...new Set(instances.flatMap((i) => i.flows))].sort();
  for (const i of instances) {
    const missing = all.filter((f) => !i.flows.includes(f));
    if (missing.length > 0) process.stdout.write(`  ${i.id} does not serve: ${missing.join(', ')}\n`);
  }
}
