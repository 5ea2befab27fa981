import type { Field, FieldValue, Group } from '../ports/directory.ts';
import { PipelineErrors } from './errors.ts';

/**
 * An account's groups and fields, resolved once (at flow start, and again on reload): names as
 * the customer sees them → ids/keys. Lookups are case-insensitive maps, never API calls.
 */
export interface AccountDirectory {
  /** Group ids for names; throws ENGINE_ERR_UNKNOWN_GROUP naming the first missing one. */
  groupIds(names: readonly string[], slot: string): string[];
  /** Mapped fields with their names resolved to account keys; throws ENGINE_ERR_UNKNOWN_FIELD. */
  fieldKeys(fields: Record<string, Exclude<FieldValue, null>>): Record<string, FieldValue>;
  /** Group names that do not exist, for start-up checks. */
  missingGroups(names: readonly string[]): string[];
  readonly groups: readonly Group[];
  readonly fields: readonly Field[];
}

export function accountDirectory(groups: readonly Group[], fields: readonly Field[]): AccountDirectory {
  const groupByName = new Map(groups.map((g) => [g.name.trim().toLowerCase(), g.id]));
  const fieldKey = new Map<string, string>();
  // Names first, keys last: a key always wins over another field's identical name.
  for (const f of fields) fieldKey.set(f.name.trim().toLowerCase(), f.key);
  for (const f of fields) fieldKey.set(f.key.toLowerCase(), f.key);
  return {
    groups,
    fields,
    groupIds(names, slot) {
      return names.map((name) => {
        const id = groupByName.get(name.trim().toLowerCase());
        if (id === undefined) throw PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group: name, slot });
        return id;
      });
    },
    missingGroups: (names) => names.filter((n) => !groupByName.has(n.trim().toLowerCase())),
    fieldKeys(mapped) {
      const out: Record<string, FieldValue> = {};
      for (const [name, value] of Object.entries(mapped)) {
        const key = fieldKey.get(name.toLowerCase());
        if (key === undefined) throw PipelineErrors.ENGINE_ERR_UNKNOWN_FIELD({ field: name });
        out[key] = value;
      }
      return out;
    },
  };
}
