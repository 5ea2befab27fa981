import type { DestinationAdapter, SourceAdapter } from '../ports/adapter.ts';
import type { Destination } from '../ports/destination.ts';
import type { Source } from '../ports/source.ts';
import type { FlowConfig, PolicyConfig } from '../flow/types.ts';
import type { Decision, DecideInput } from '../policy/decide.ts';
import type { CompiledExpression } from '../expression/compile.ts';

/** A flow ready to run: adapters created, expressions and policy compiled — once, at load. */
export interface CompiledFlow {
  readonly id: string;
  readonly file: string;
  readonly config: FlowConfig;
  readonly source: Source;
  /** The source's definition and this flow's block of it (backfill, quirks, testing kit). */
  readonly sourceAdapter: SourceAdapter<any>;
  readonly sourceConfig: Record<string, unknown>;
  readonly destination: Destination;
  readonly destinationAdapter: DestinationAdapter<any>;
  /** The destination account this flow writes to: the unit of rate budgets and workers. */
  readonly accountKey: string;
  /** Records dated before it are skipped; null: none are. */
  readonly sinceMs: number | null;
  /**
   * Set on the copy of the flow `engine backfill` runs: older records brought in on purpose, so
   * the `since` cut-off does not apply to them.
   */
  readonly backfill?: true;
  readonly triggers: ReadonlySet<string>;
  readonly settleMs: number;
  readonly when: CompiledExpression | null;
  readonly mapping: CompiledExpression;
  readonly policy: PolicyConfig;
  readonly decide: (input: DecideInput) => Decision;
}
