import type { Source, Destination } from '../registry.ts';
import type { FlowConfig, PolicyConfig } from '../flow/types.ts';
import type { Decision, DecideInput } from '../policy/decide.ts';
import type { CompiledExpression } from './expression.ts';

/** A flow ready to run: adapters created, expressions and policy compiled — once, at load. */
export interface CompiledFlow {
  readonly id: string;
  readonly file: string;
  readonly config: FlowConfig;
  readonly source: Source;
  readonly destination: Destination;
  /** The MailerLite account (API key + base URL) this flow writes to: the unit of rate budgets and workers. */
  readonly accountKey: string;
  readonly sinceMs: number;
  readonly triggers: ReadonlySet<string>;
  readonly settleMs: number;
  readonly when: CompiledExpression | null;
  readonly mapping: CompiledExpression;
  readonly policy: PolicyConfig;
  readonly decide: (input: DecideInput) => Decision;
}
