/**
 * `npm run bench`: every benchmark in one run, then one table of the figures (each a ratio or a
 * median measured in this run) and the machine they were measured on.
 */
import { cpus, totalmem } from 'node:os';
import { availableParallelism } from 'node:os';
import { run as consolePage } from './console-page.ts';
import { run as cluster } from './cluster.ts';
import { run as drain } from './drain.ts';
import { run as fleet } from './fleet.ts';
import { run as intake } from './intake.ts';
import { run as intakeBacklog } from './intake-backlog.ts';
import { run as latency } from './latency.ts';
import { run as perRecord } from './per-record.ts';
import { run as startUp } from './start-up.ts';
import { fmt, type Row } from './common.ts';

const benches: [string, () => Promise<Row[]>][] = [
  ['intake', intake],
  ['intake-backlog', intakeBacklog],
  ['per-record', perRecord],
  ['drain', drain],
  ['latency', latency],
  ['fleet', fleet],
  ['start-up', startUp],
  ['console', consolePage],
  ['cluster', cluster],
];

const started = performance.now();
const rows: Row[] = [];
for (const [name, bench] of benches) {
  const t0 = performance.now();
  process.stderr.write(`${name}…`);
  rows.push(...(await bench()));
  process.stderr.write(` ${fmt((performance.now() - t0) / 1000, 1)} s\n`);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const lines = [
  `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB memory, node ${process.version}, ${process.platform}; ${new Date().toISOString()}; whole run ${fmt((performance.now() - started) / 1000, 0)} s`,
  '',
  '| benchmark | figure | value | target | met |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.bench} | ${cell(r.metric)} | ${cell(r.value)} | ${cell(r.target ?? '')} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`),
];
process.stdout.write(lines.join('\n') + '\n');
// The servers' and workers' timers are closed; exit anyway so a stray handle cannot hold the run.
process.exit(0);
