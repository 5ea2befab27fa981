const AGO = /^(\d+)\s*(m|h|d|w)$/i;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time as typed on the command line: an ISO 8601 timestamp or date
 * (`2026-11-01T09:00:00Z`, `2026-11-01`), or a span back from now (`90m`, `24h`, `7d`, `2w`).
 * Null when it is neither.
 */
export function parseTimeArg(value: string, now: number = Date.now()): number | null {
  const ago = AGO.exec(value.trim());
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2]!.toLowerCase()]!;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}
