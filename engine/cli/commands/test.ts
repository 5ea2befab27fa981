// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { formatResult, formatSummary, jsonReport } from '../../flowtest/report.ts';
import { runFlowTests } from '../../flowtest/run-tests.ts';

const usage = `Usage: engine test [paths…] [--filter TEXT] [--format text|json]

Runs flow-test cases (flows/<customer>/tests/*.yaml, format: schemas/flow-test.schema.json)
through the server's own code against a local MailerLite fake. A path is a folder of flows,
a flow folder or file, or one test file. Without paths, tests flows/.

Options:
  --filter TEXT        only cases whose name (or test file path) contains TEXT
  --format text|json   text (default): ✓/✗ per case and a diff of each failure; json for tools

Exit status: 0 every case passed, 1 a case failed (or none matched), 2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { filter: { type: 'string' }, format: { type: 'string', default: 'text' } },
    });
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
    let paths = positionals;
    if (paths.length === 0) {
      if (!existsSync('flows')) throw new UsageError('no paths given and there is no flows/ directory here');
      paths = ['flows'];
    }
    for (const p of paths) if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    const text = values.format === 'text';
    let lastFile = '';
    const summary = await runFlowTests(paths, {
      ...(values.filter !== undefined ? { filter: values.filter } : {}),
      onResult: (r) => {
        if (!text) return;
        if (r.file !== lastFile) {
          process.stdout.write(`${lastFile ? '\n' : ''}${r.file} (${r.flow})\n`);
          lastFile = r.file;
        }
        process.stdout.write(formatResult(r) + '\n');
      },
    });
    const failed = summary.results.some((r) => r.status !== 'passed');
    if (text) {
      if (summary.results.length === 0) process.stdout.write(values.filter !== undefined ? `no case matches "${values.filter}"\n` : 'no test cases found\n');
      process.stdout.write(`\n${formatSummary(summary)}\n`);
    } else {
      process.stdout.write(JSON.stringify(jsonReport(summary), null, 2) + '\n');
    }
    return failed || summary.results.length === 0 ? 1 : 0;
  },
};
