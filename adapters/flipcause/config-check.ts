/**
 * Checks of a flow's `source.flipcause` block that its schema cannot express: the source can
 * authenticate deliveries, `since` is a real timestamp, trigger names are known (a near miss of a
 * known one is an error). They read the
 * block defensively, so they report even when the schema found other problems in the file. The
 * codes are flow diagnostics (FLOW_ERR_…): the file is wrong, at the path they name.
 */
import { defineErrors } from '../../engine/errors.ts';
import type { CheckTools, ConfigProblem } from '../../engine/ports/adapter.ts';
import { isIsoTimestamp } from './iso-timestamp.ts';
import { KNOWN_TRIGGERS } from './triggers.ts';

export const FlipcauseConfigErrors = defineErrors({
  FLOW_ERR_SINCE: { kind: 'input', message: "since '{value}' is not an ISO 8601 timestamp such as 2026-11-01T00:00:00Z (a date-time needs Z or an offset)" },
  FLOW_ERR_AUTH_MISSING: { kind: 'input', message: 'source.flipcause needs signing_secret or url_token (or both) to authenticate deliveries' },
  FLOW_ERR_TRIGGER_MISSPELT: {
    kind: 'input',
    message: "unknown trigger '{name}' (did you mean '{suggestion}'?): every {suggestion} record would be skipped",
  },
  FLOW_ERR_TRIGGER_UNKNOWN: {
    kind: 'input',
    message: "unknown trigger '{name}' (known: {known}); kept, since Flipcause has not published every trigger name",
  },
});

const triggerName = /^[a-z][a-z0-9_]*$/;
const known = [...KNOWN_TRIGGERS.keys()];

export function checkFlipcauseConfig(block: unknown, tools: CheckTools): ConfigProblem[] {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return [];
  const fc = block as Record<string, unknown>;
  const out: ConfigProblem[] = [];
  if (fc.signing_secret === undefined && fc.url_token === undefined) {
    out.push({ path: [], at: 'key', severity: 'error', error: FlipcauseConfigErrors.FLOW_ERR_AUTH_MISSING() });
  }
  if (typeof fc.since === 'string' && !isIsoTimestamp(fc.since)) {
    out.push({ path: ['since'], at: 'value', severity: 'error', error: FlipcauseConfigErrors.FLOW_ERR_SINCE({ value: fc.since }) });
  }
  if (Array.isArray(fc.triggers)) {
    fc.triggers.forEach((name, index) => {
      // Malformed names are the schema's to report.
      if (typeof name !== 'string' || !triggerName.test(name) || KNOWN_TRIGGERS.has(name)) return;
      // A name one typo from a known trigger is a mistake, not a trigger Flipcause has not published.
      const suggestion = tools.nearest(name, known);
      if (suggestion !== undefined) {
        const error = FlipcauseConfigErrors.FLOW_ERR_TRIGGER_MISSPELT({ name, suggestion });
        out.push({ path: ['triggers', index], at: 'value', severity: 'error', error });
        return;
      }
      const error = FlipcauseConfigErrors.FLOW_ERR_TRIGGER_UNKNOWN({ name, known: known.join(', ') });
      out.push({ path: ['triggers', index], at: 'value', severity: 'warning', error });
    });
  }
  return out;
}
