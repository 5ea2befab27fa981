import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { duration, progressDisplay } from './progress-display.ts';

function sink(tty: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

test('off a terminal: a plain line per interval with count, percentage, rate and time left, and the final state once', async () => {
  let t = 0;
  const s = sink(false);
  const d = await progressDisplay({ label: 'backfill f', stream: s.stream, unit: 'rows', plainEveryMs: 10_000, now: () => t });
  d.update(0, 20_000);
  for (t = 1_000; t <= 30_000; t += 1_000) d.update(t * 0.05, 20_000); // 50 rows a second
  d.stop();
  d.stop();
  assert.deepEqual(s.text().split('\n').filter(Boolean), [
    'backfill f: 0/20000 rows (0%), 0.0 rows/s, time left: working it out',
    'backfill f: 500/20000 rows (2%), 50.0 rows/s, about 6 min 30 s left',
    'backfill f: 1000/20000 rows (5%), 50.0 rows/s, about 6 min 20 s left',
    'backfill f: 1500/20000 rows (7%), 50.0 rows/s, about 6 min 10 s left',
    'backfill f: 1500/20000 rows (7%), 50.0 rows/s, about 6 min 10 s left',
  ]);
});

test('on a terminal: a bar with percentage, rate and time left', async () => {
  let t = 0;
  const s = sink(true);
  const d = await progressDisplay({ label: 'backfill f', stream: s.stream, unit: 'rows', now: () => t });
  d.update(0, 1000);
  t = 4_000;
  d.update(250, 1000);
  d.stop();
  const last = s.text().split(/\r|\n/).filter((l) => l.includes('backfill f')).at(-1) ?? '';
  // Escape codes aside, the final redraw carries every figure.
  assert.match(last, /backfill f \[[█░]{30}\] 25% \| 250\/1000 rows \| 62\.5 rows\/s \| about 12 s left/);
});

test('cli-progress is a chunk of its own: neither engine help nor the backfill command loads it before a terminal shows a bar', () => {
  const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as {
    outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown>; entryPoint?: string }>;
  };
  const staticClosure = (start: string): string[] => {
    const seen = new Set<string>();
    const visit = (out: string): void => {
      if (seen.has(out)) return;
      seen.add(out);
      for (const i of meta.outputs[out]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    visit(start);
    return [...seen].flatMap((out) => Object.keys(meta.outputs[out]?.inputs ?? {}));
  };
  const chunkOf = (input: string) => Object.keys(meta.outputs).find((out) => Object.hasOwn(meta.outputs[out]!.inputs, input));
  const backfill = chunkOf('engine/cli/commands/backfill.ts');
  const progress = chunkOf('node_modules/cli-progress/cli-progress.js');
  assert.ok(backfill && progress, 'both are built');
  assert.notEqual(progress, backfill);
  for (const start of ['dist/main.js', backfill]) {
    assert.deepEqual(staticClosure(start).filter((i) => i.includes('node_modules/cli-progress/')), [], `${start} does not load cli-progress`);
  }
});

test('durations read as a person says them', () => {
  assert.deepEqual([400, 42_000, 437_000, 3_780_000].map(duration), ['0.4 s', '42 s', '7 min 17 s', '1 h 3 min']);
});
