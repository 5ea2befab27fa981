/**
 * Records per second through the Flipcause normaliser on one core (median of several runs), over
 * the sample deliveries. Run: node --import tsx bench/normalise.ts [runs] [records-per-run]
 */
import { fixtureNames, fixtureRecords } from '../adapters/flipcause/index.ts';
import { normalise } from '../adapters/flipcause/index.ts';

const runs = Number(process.argv[2] ?? 7);
const perRun = Number(process.argv[3] ?? 500_000);

const records = fixtureNames().flatMap((name) => fixtureRecords(name));

// Keeps results reachable so the work cannot be optimised away.
let sink = 0;

function run(n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const ev = normalise(records[i % records.length]!);
    sink += ev.event.activity_codes.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return n / seconds;
}

run(Math.min(perRun, 100_000)); // warm-up: let the JIT settle before measuring
const rates: number[] = [];
for (let r = 0; r < runs; r++) rates.push(run(perRun));
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
process.stdout.write(
  `normalise: ${fmt(median)} records/s (median of ${runs} runs of ${fmt(perRun)} records; ` +
    `min ${fmt(rates[0]!)}, max ${fmt(rates[rates.length - 1]!)}; ${records.length} sample records; node ${process.version})\n`,
);
if (sink < 0) process.stdout.write('');
