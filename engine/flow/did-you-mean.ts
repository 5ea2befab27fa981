/** " (did you mean 'settle_seconds'?)" for a misspelt key, or '' when nothing is close. */

/** Edits between a and b: insertions, deletions, substitutions and swaps of neighbours ("emial"). */
function distance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The candidate `key` is most likely a misspelling of, or undefined when none is close. */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // Allow about one typo per four characters, so unrelated keys get no suggestion.
  const allowed = Math.max(1, Math.floor(key.length / 4));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

export function didYouMean(key: string, candidates: readonly string[]): string {
  const best = nearest(key, candidates);
  if (best !== undefined) return ` (did you mean '${best}'?)`;
  const listed = candidates.length > 0 && candidates.length <= 10 ? ` (allowed here: ${candidates.join(', ')})` : '';
  return listed;
}
