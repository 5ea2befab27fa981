import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import '../../../adapters/index.ts';
import { registeredAdapterSchemas, renderFlowSchema } from '../../flow/index.ts';

const published = fileURLToPath(new URL('../../../schemas/flow.schema.json', import.meta.url));

const usage = `Usage: engine schema [--out file] [--check]

Generates the flow schema editors use (schemas/flow.schema.json): the flow-level schema with every
adapter's config schema inlined. Run it after changing an adapter's config.schema.json.

Options:
  --out file   where to write it (default: the project's schemas/flow.schema.json)
  --check      write nothing; exit 1 when the file differs from what would be generated`;

export const command: Command = {
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { out: { type: 'string', default: published }, check: { type: 'boolean', default: false } },
    });
    const out = values.out;
    const text = renderFlowSchema(registeredAdapterSchemas());
    if (values.check) {
      let current = '';
      try {
        current = readFileSync(out, 'utf8');
      } catch {
        // A missing file is simply out of date.
      }
      if (current === text) return 0;
      process.stderr.write(`${out} is out of date: run engine schema\n`);
      return 1;
    }
    writeFileSync(out, text);
    process.stderr.write(`wrote ${out}\n`);
    return 0;
  },
};
