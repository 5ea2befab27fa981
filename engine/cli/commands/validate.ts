// A command that loads flows is a composition root: it registers the built-in adapters.
import '../../../adapters/index.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { formatDiagnostic, loadFlowDir } from '../../flow/index.ts';

const usage = `Usage: engine validate [paths…] [--format text|json] [--resolve-secrets] [--strict]

Checks flow files and reports every problem at once, as path:line:col: severity CODE message (yaml.path).
A path is a flow file or a directory (every flow.yaml and *.flow.yaml below it, not tests/).
Without paths, validates flows/.

Options:
  --format text|json   text (default) for people and problem matchers, json for tools
  --resolve-secrets    also check that every \${env:…} / \${file:…} reference resolves here
  --strict             warnings fail too (for CI): an unknown raw field, a function given the
                       wrong type of value, an unknown trigger name

Exit status: 0 no errors (warnings allowed unless --strict), 1 errors (or warnings with --strict),
2 usage error.`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        'resolve-secrets': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
      },
    });
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not '${values.format}'`);
    let paths = positionals;
    if (paths.length === 0) {
      if (!existsSync('flows')) throw new UsageError('no paths given and there is no flows/ directory here');
      paths = ['flows'];
    }
    const result = loadFlowDir(paths, values['resolve-secrets'] ? { resolveSecrets: { env: process.env } } : {});
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    if (values.format === 'json') {
      process.stdout.write(JSON.stringify({ files: result.files, errors, warnings, diagnostics: result.diagnostics }, null, 2) + '\n');
    } else {
      for (const d of result.diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const failing = values.strict && warnings > 0 ? ' (--strict: warnings fail)' : '';
      process.stderr.write(`${plural(result.files.length, 'flow file')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${failing}\n`);
    }
    return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
  },
};
