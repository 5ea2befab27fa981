/**
 * How a long command shows its progress: a bar with percentage, rate and time left on a
 * terminal (cli-progress: maintained, widely used, redraws one line in place and copes with
 * resizes; loaded only when a terminal shows it, so it costs no other command anything), and
 * a plain line every `plainEveryMs` otherwise (a log file or CI gets lines, not redraws).
 */

export interface ProgressDisplay {
  update(done: number, total: number): void;
  /** Draws the final state and leaves the cursor on a new line. */
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  stream: NodeJS.WriteStream;
  unit: string;
  /** Between plain lines (default 10 s). */
  plainEveryMs?: number;
  now?: () => number;
}

/** Rows per second over the last RATE_WINDOW_MS: a backfill's pace settles within one rate window. */
const RATE_WINDOW_MS = 60_000;

export async function progressDisplay(options: ProgressOptions): Promise<ProgressDisplay> {
  const now = options.now ?? (() => performance.now());
  const rate = rateMeter(now);
  if (options.stream.isTTY === true) {
    const { default: progress } = await import('cli-progress');
    const bar = new progress.SingleBar(
      {
        stream: options.stream,
        format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {rate} ${options.unit}/s | {left}`,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
      },
      progress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        const payload = { rate: rate.add(done).toFixed(1), left: timeLeft(rate.perSecond(), total - done) };
        if (!started) {
          bar.start(total, done, payload);
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, payload);
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const every = options.plainEveryMs ?? 10_000;
  let lastAt = -Infinity;
  let lastTotal = 0;
  let stopped = true;
  const line = (done: number, total: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    const perSecond = rate.perSecond();
    options.stream.write(`${options.label}: ${done}/${total} ${options.unit} (${pct}%), ${perSecond.toFixed(1)} ${options.unit}/s, ${timeLeft(perSecond, total - done)}\n`);
  };
  return {
    update(done, total) {
      rate.add(done);
      lastTotal = total;
      stopped = false;
      const t = now();
      if (t - lastAt < every) return;
      lastAt = t;
      line(done, total);
    },
    stop() {
      // The final state, once (nothing when nothing was shown).
      if (stopped) return;
      stopped = true;
      line(rate.lastDone(), lastTotal);
    },
  };
}

function rateMeter(now: () => number) {
  const samples: Array<{ at: number; done: number }> = [];
  const meter = {
    add(done: number): number {
      const at = now();
      samples.push({ at, done });
      while (samples.length > 2 && samples[1]!.at < at - RATE_WINDOW_MS) samples.shift();
      return meter.perSecond();
    },
    perSecond(): number {
      const first = samples[0];
      const last = samples[samples.length - 1];
      if (!first || !last || last.at - first.at < 1) return 0;
      return ((last.done - first.done) * 1000) / (last.at - first.at);
    },
    lastDone(): number {
      return samples[samples.length - 1]?.done ?? 0;
    },
  };
  return meter;
}

function timeLeft(perSecond: number, remaining: number): string {
  if (remaining <= 0) return 'done';
  if (perSecond <= 0) return 'time left: working it out';
  return `about ${duration((remaining / perSecond) * 1000)} left`;
}

/** "7 min 17 s", "42 s", "0.4 s", "1 h 3 min". */
export function duration(ms: number): string {
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
