/**
 * The command line as Node users expect it, run as a child process from the build in dist/
 * (`npm test` builds first): `--help`/`-h` on every command, `--version`, exit 2 with a clear
 * message for an unknown command or option; and the lazy command table that keeps `engine help`
 * from loading any command.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMANDS } from '../engine/cli/main.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function engine(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['engine/cli/bin.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const commandFiles = readdirSync('engine/cli/commands')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

test('the command table lists exactly the files in engine/cli/commands/, each loading its own command', async () => {
  assert.deepEqual(Object.keys(COMMANDS).sort(), commandFiles);
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const { command } = await entry.load();
    assert.match(command.usage, new RegExp(`^Usage: engine ${name}\\b`), name);
    assert.ok(entry.summary.length > 0 && !entry.summary.includes('\n'), `${name}: one summary line`);
  }
});

test('engine help loads main.js and its static chunks only: no command, no ajv, JSONata, YAML or fastify', () => {
  const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as {
    outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
  };
  const loaded = new Set<string>();
  const visit = (out: string): void => {
    if (loaded.has(out)) return;
    loaded.add(out);
    for (const i of meta.outputs[out]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit('dist/main.js');
  const inputs = [...loaded].flatMap((out) => Object.keys(meta.outputs[out]?.inputs ?? {}));
  assert.ok(inputs.includes('engine/cli/main.ts'), 'the table itself is in main.js');
  const heavy = inputs.filter((i) => i.startsWith('engine/cli/commands/') || /node_modules\/(ajv|jsonata|yaml|fastify)\//.test(i));
  assert.deepEqual(heavy, []);
  // …while each command is a chunk of its own, imported only when asked for.
  const dynamic = (meta.outputs['dist/main.js']?.imports ?? []).filter((i) => i.kind === 'dynamic-import');
  assert.equal(dynamic.length, commandFiles.length);
});

test('engine <command> --help and -h print that command\'s usage and exit 0', async () => {
  await Promise.all(
    commandFiles.flatMap((name) =>
      ['--help', '-h'].map(async (flag) => {
        const { command } = await COMMANDS[name]!.load();
        const r = await engine(name, flag);
        assert.equal(r.status, 0, `${name} ${flag}: ${r.stderr}`);
        assert.equal(r.stdout, `${command.usage}\n`, `${name} ${flag}`);
        assert.equal(r.stderr, '', `${name} ${flag}`);
      }),
    ),
  );
});

test('--help after other arguments still asks for help; after -- it is an argument', async () => {
  const { command } = await COMMANDS['validate']!.load();
  const r = await engine('validate', 'no-such-file.yaml', '--format', 'json', '--help');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `${command.usage}\n`);
  const literal = await engine('validate', '--', '--help');
  assert.equal(literal.status, 1, 'validates a file named --help, which does not exist');
  assert.match(literal.stdout, /^--help:1:1: error FLOW_ERR_FILE_MISSING /);
});

test('engine help <command> prints the same usage; engine help, --help and -h print the command list', async () => {
  const { command } = await COMMANDS['explain']!.load();
  const one = await engine('help', 'explain');
  assert.equal(one.status, 0);
  assert.equal(one.stdout, `${command.usage}\n`);
  for (const args of [['help'], ['--help'], ['-h'], []]) {
    const r = await engine(...args);
    assert.equal(r.status, 0, args.join(' '));
    for (const name of commandFiles) assert.match(r.stdout, new RegExp(`^  ${name} +${COMMANDS[name]!.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), name);
  }
});

test('engine --version and -v print package.json\'s version', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = await engine(flag);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('engine help nonexistent exits 2 naming the unknown command, with the list', async () => {
  const r = await engine('help', 'nonexistent');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^engine help: unknown command 'nonexistent'\n\nUsage: engine <command>/);
  const typo = await engine('vaildate', 'flows');
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /^engine: unknown command 'vaildate' \(did you mean 'validate'\?\)\n/);
});

test('an unknown option exits 2 with the option quoted once, then the command\'s usage', async () => {
  const r = await engine('validate', '--frobnicate', 'flows');
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  const [first, blank, usage] = r.stderr.split('\n');
  assert.equal(first, "engine validate: unknown option '--frobnicate'");
  assert.equal(blank, '');
  assert.match(usage ?? '', /^Usage: engine validate /);
  const short = await engine('explain', '-x', 'hope-shelter');
  assert.equal(short.status, 2);
  assert.match(short.stderr, /^engine explain: unknown option '-x'\n/);
  const missing = await engine('validate', '--format');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^engine validate: Option '--format <value>' argument missing\n/);
});

test('engine serve --trust-proxy with an entry that is not an address or range exits 2 naming it, before opening anything', async () => {
  const r = await engine('serve', '--trust-proxy', '10.0.0.1,proxy.internal', '--db', ':memory:');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^engine serve: --trust-proxy: "proxy\.internal" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal\n/);
});
