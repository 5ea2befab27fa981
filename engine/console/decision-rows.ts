/**
 * A flow's decision table for the console: the rows `engine explain` prints (explainRows), each
 * with the id of the policy row it stands for, so a record's history can point at its row.
 */
import type { PolicyConfig } from '../flow/types.ts';
import { explainRows, MODE_TITLES } from '../policy/explain.ts';
import { tableFor } from '../policy/tables.ts';

export interface DecisionRow {
  id: string;
  contact: string;
  inMailerLite: string;
  whatHappens: string;
}

export function decisionRows(policy: PolicyConfig): DecisionRow[] {
  const ids = tableFor(policy.mode).map((r) => r.id);
  return explainRows(policy).map((r, i) => ({ id: ids[i] ?? '', contact: r.contact, inMailerLite: r.in_mailerlite, whatHappens: r.what_happens }));
}

export function modeTitle(policy: PolicyConfig): string {
  return MODE_TITLES[policy.mode];
}
