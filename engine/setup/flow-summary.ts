/**
 * What `engine explain` adds to the decision table: which records never reach MailerLite (and
 * why), and which fields the mapping sends — the questions a customer asks after reading it.
 */
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { mappedFields } from './mapped-fields.ts';

export interface SkipRule {
  /** The reason recorded for such a record (GET /admin/records shows it). */
  reason: 'trigger_not_enabled' | 'no_contact' | 'no_email' | 'invalid_email' | 'before_since' | 'filtered_by_when';
  text: string;
}

export interface FlowSummary {
  skipped: SkipRule[];
  /** Sent for every contact (the email identifies the subscriber). */
  identity: string[];
  /** Set by the mapping, as it names them (field keys or names). */
  fields: string[];
}

/** One line of a `when` expression, for quoting it in a sentence. */
function oneLine(expression: string): string {
  return expression.replace(/\s+/g, ' ').trim();
}

export async function flowSummary(flow: CompiledFlow): Promise<FlowSummary> {
  const skipped: SkipRule[] = [
    { reason: 'trigger_not_enabled', text: `records of other kinds than ${[...flow.triggers].sort().join(', ')}` },
    { reason: 'no_contact', text: 'records that carry no person (merchant-account payments)' },
    { reason: 'no_email', text: 'contacts without an email address' },
    { reason: 'invalid_email', text: 'contacts whose email address is not valid' },
  ];
  if (flow.sinceMs !== null) skipped.push({ reason: 'before_since', text: `records dated before ${new Date(flow.sinceMs).toISOString()} (source.since)` });
  if (flow.config.when !== undefined) skipped.push({ reason: 'filtered_by_when', text: `records for which the filter is false: ${oneLine(flow.config.when)}` });
  const mapped = await mappedFields(flow);
  return { skipped, identity: ['email'], fields: mapped.fields.map((f) => f.name) };
}

export function summaryLines(summary: FlowSummary, bullet: string): string[] {
  return [
    'Not sent to MailerLite:',
    ...summary.skipped.map((s) => `${bullet}${s.text}`),
    '',
    `Sent to MailerLite for each contact: ${[...summary.identity, ...summary.fields].join(', ')}.`,
  ];
}
