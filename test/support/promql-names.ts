/**
 * The metric names a PromQL expression reads (a checker for the shipped alert rules and Grafana
 * dashboard, not a PromQL parser): strings, label matchers, ranges, label lists after by/on/…,
 * functions, keywords and Grafana's variables are set aside; what is left are metric names.
 */

/** Aggregations, set operators, modifiers and literals: words that are never metrics. */
const KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'atan2', 'offset',
  'inf', 'nan',
]);

export function metricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables
    .replace(/@\s*\S+/g, ' '); // @ modifiers
  const names = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const after = text.slice(m.index + word.length).trimStart();
    if (after.startsWith('(')) continue; // a function, or an aggregation before its argument
    if (KEYWORDS.has(word.toLowerCase())) continue;
    // Inside a number (1e3, 0x1f) or a duration (5m): not a name.
    if (m.index > 0 && /[0-9.]/.test(text[m.index - 1]!)) continue;
    names.add(word);
  }
  return [...names];
}

/** Grafana's `label_values(metric, label)` reads the metric (the label is no metric). */
export function templateQueryNames(query: string): string[] {
  const lv = /^\s*label_values\(\s*(.*?)\s*(?:,\s*\w+\s*)?\)\s*$/.exec(query);
  if (lv) return lv[1] ? metricNames(lv[1]) : [];
  const metrics = /^\s*metrics\((.*)\)\s*$/.exec(query);
  if (metrics) return [];
  return metricNames(query.replace(/^\s*query_result\((.*)\)\s*$/, '$1'));
}
