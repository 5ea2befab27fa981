import { ABSENT, type Difference } from './difference.ts';
import type { CaseResult, RunSummary } from './run-tests.ts';

function show(v: unknown): string {
  if (v === ABSENT || v === undefined) return '(absent)';
  return JSON.stringify(v);
}

/** A difference as three lines: where, what the case expects, what happened. */
export function formatDifference(d: Difference, indent = '      '): string {
  return `${indent}${d.path}\n${indent}  expected: ${show(d.expected)}\n${indent}  actual:   ${show(d.actual)}`;
}

/** One case's line(s) for people: ✓ name, or ✗ name and its differences. */
export function formatResult(r: CaseResult): string {
  const name = r.name ?? '(file not run)';
  if (r.status === 'passed') return `  ✓ ${name} (${r.ms} ms)`;
  const lines = [`  ✗ ${name}`];
  if (r.error) lines.push(...r.error.split('\n').map((l) => `      error: ${l}`));
  for (const d of r.differences) lines.push(formatDifference(d));
  return lines.join('\n');
}

export function formatSummary(s: RunSummary): string {
  const passed = s.results.filter((r) => r.status === 'passed').length;
  const failed = s.results.length - passed;
  const files = `${s.testFiles} test file${s.testFiles === 1 ? '' : 's'}`;
  return `${passed} passed, ${failed} failed (${files})`;
}

/** The machine-readable report of `--format json`: absent values are null with a note. */
export function jsonReport(s: RunSummary): unknown {
  const plain = (v: unknown): unknown => (v === ABSENT ? '(absent)' : v);
  return {
    passed: s.results.filter((r) => r.status === 'passed').length,
    failed: s.results.filter((r) => r.status !== 'passed').length,
    cases: s.results.map((r) => ({
      ...r,
      differences: r.differences.map((d) => ({ path: d.path, expected: plain(d.expected), actual: plain(d.actual) })),
    })),
  };
}
