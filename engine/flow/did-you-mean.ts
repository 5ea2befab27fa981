/** " (did you mean 'settle_seconds'?)" for a misspelt key, or '' when nothing is close. */

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function didYouMean(key: string, candidates: readonly string[]): string {
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
  if (best !== undefined && bestDistance <= allowed) return ` (did you mean '${best}'?)`;
  const listed = candidates.length > 0 && candidates.length <= 10 ? ` (allowed here: ${candidates.join(', ')})` : '';
  return listed;
}
