import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { cleanMapped } from '../pipeline/mapped.ts';
import { sampleEvents } from './sample-events.ts';
import { addFailure, type ExpressionFailure } from './expression-failure.ts';

export type ValueKind = 'text' | 'number' | 'date';

export interface MappedField {
  /** The name the mapping uses (a field key or a field name). */
  name: string;
  /** Kinds of the non-empty values seen for it across the samples (empty when always blank). */
  kinds: Set<ValueKind>;
}

export interface MappedFieldsResult {
  fields: MappedField[];
  /** How the mapping failed on some samples: once per error code and place, with how many failed so. */
  failures: ExpressionFailure[];
  samples: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/;

export function kindOf(value: string | number): ValueKind {
  if (typeof value === 'number') return 'number';
  return DATE.test(value) ? 'date' : 'text';
}

/** The field type to create for values of these kinds: one kind throughout picks it, a mix (or none) is text. */
export function fieldTypeFor(kinds: ReadonlySet<ValueKind>): ValueKind {
  return kinds.size === 1 ? [...kinds][0]! : 'text';
}

/**
 * The fields a flow's mapping sets, learnt by running its compiled mapping over representative
 * sample events: a key counts even when its value is blank in every sample (the mapping would
 * send it for a contact that has one), and the kinds of the values decide number vs text vs date.
 */
export async function mappedFields(flow: CompiledFlow): Promise<MappedFieldsResult> {
  const byName = new Map<string, MappedField>();
  const failures = new Map<string, ExpressionFailure>();
  const events = sampleEvents(flow);
  for (const ev of events) {
    let output: unknown;
    try {
      output = await flow.mapping.evaluate(ev);
      const raw = (output as { fields?: unknown } | null)?.fields;
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        for (const name of Object.keys(raw)) if (!byName.has(name)) byName.set(name, { name, kinds: new Set() });
      }
      for (const [name, value] of Object.entries(cleanMapped(output).fields)) byName.get(name)?.kinds.add(kindOf(value));
    } catch (err) {
      addFailure(failures, err);
    }
  }
  return { fields: [...byName.values()], failures: [...failures.values()], samples: events.length };
}
