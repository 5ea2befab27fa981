/**
 * Start-up cost of the CLI: CPU time (user + sys, as the child process itself reads it when it
 * exits) of `engine help` and `engine validate <one example flow>` from the build in dist/,
 * against a bare `node -e 0` measured in the same run, and the same two commands run from the
 * TypeScript sources through tsx (what the build saves). CPU time rather than
 * wall time: these machines are shared, and a start that waits for a core is not a slower start.
 *
 * Run alone: npm run build && node --import tsx bench/start-up.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, median, type Row } from './common.ts';

const RUNS = 9;
const GOAL_S = 0.5;
const FLOW = 'flows/hope-shelter/flow.yaml';

/** Preloaded into every child: writes its own CPU seconds to fd 3 as it exits. */
const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.resourceUsage(); writeSync(3, String((u.userCPUTime + u.systemCPUTime) / 1e6)); });",
)}`;

const FROM_SOURCES = "import { main } from './engine/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";

const subjects = {
  bare: ['-e', '0'],
  help: ['engine/cli/bin.js', 'help'],
  validate: ['engine/cli/bin.js', 'validate', FLOW],
  tsxHelp: ['--import', 'tsx', '--input-type=module', '-e', FROM_SOURCES, 'help'],
  tsxValidate: ['--import', 'tsx', '--input-type=module', '-e', FROM_SOURCES, 'validate', FLOW],
} satisfies Record<string, string[]>;
type Subject = keyof typeof subjects;

function cpuSeconds(args: readonly string[]): number {
  const child = spawnSync(process.execPath, ['--import', REPORT_CPU, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const seconds = Number(child.output[3]);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`node ${args.join(' ')} reported no CPU time`);
  return seconds;
}

export async function run(): Promise<Row[]> {
  const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, [] as number[]])) as Record<Subject, number[]>;
  // Warm-up (page cache, tsx's transform cache), then interleaved so drift in the machine's load hits every subject alike.
  for (const args of Object.values(subjects)) cpuSeconds(args);
  for (let i = 0; i < RUNS; i++) for (const [name, args] of Object.entries(subjects)) samples[name as Subject].push(cpuSeconds(args));
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<Subject, number>;
  const s = (x: number): string => fmt(x, 2);
  const ratio = (x: number): string => `${fmt(x / m.bare, 1)}×`;
  return [
    { bench: 'start-up', metric: `bare \`node -e 0\`, CPU s, user + sys (median of ${RUNS})`, value: s(m.bare) },
    { bench: 'start-up', metric: '`engine help` from dist/: CPU s (÷ bare node)', value: `${s(m.help)} (${ratio(m.help)})`, target: `< ${GOAL_S} s`, met: m.help < GOAL_S },
    { bench: 'start-up', metric: `\`engine validate ${FLOW}\` from dist/: CPU s (÷ bare node)`, value: `${s(m.validate)} (${ratio(m.validate)})`, target: `< ${GOAL_S} s`, met: m.validate < GOAL_S },
    { bench: 'start-up', metric: 'the same two from the TypeScript sources through tsx (its transform cache warm): help / validate, CPU s', value: `${s(m.tsxHelp)} / ${s(m.tsxValidate)}` },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) process.stdout.write(`${r.metric}: ${r.value}${r.met === undefined ? '' : r.met ? ' (met)' : ' (MISSED)'}\n`);
}
