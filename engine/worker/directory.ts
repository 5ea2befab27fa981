/**
 * The account's groups and fields as the worker trusts them: loaded from the destination, kept for
 * a time to live, dropped when the account may have changed. A flow naming a group the account
 * lacks is not ready: its records stay stored (the seed's rule: the customer creates groups before
 * use) and it says which group and slot until the group exists.
 */
import type { EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Destination, ExchangeObserver } from '../ports/destination.ts';
import { accountDirectory, type AccountDirectory } from '../pipeline/account-directory.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { PipelineErrors } from '../pipeline/errors.ts';
import { asEngineError } from './outcomes.ts';

export class DirectoryCache {
  private directory: AccountDirectory | null = null;
  private loadedAt = 0;
  /** Counts invalidations: a load that an invalidation overtook is used once, then loaded again. */
  private generation = 0;
  /** Flow id → why it is not ready. */
  readonly notReady = new Map<string, string>();

  constructor(
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** The directory the last load gave (null before the first, or after `invalidate`). */
  get current(): AccountDirectory | null {
    return this.directory;
  }

  /** Group names, fields or the key itself may have changed: look again on the next round. */
  invalidate(): void {
    this.directory = null;
    this.generation++;
  }

  fresh(now: number): boolean {
    return this.directory !== null && now - this.loadedAt < this.ttlMs;
  }

  /** Flows whose records may be taken now, of these. */
  ready(flowIds: Iterable<string>): string[] {
    return [...flowIds].filter((id) => !this.notReady.has(id));
  }

  /**
   * Loads groups and fields unless the directory is fresh. Returns the load's failure (the caller
   * decides whether it pauses the account), null when the directory is usable. `observe` hears of
   * every request the load sends (a rate limit met while loading counts like any other).
   */
  async ensure(client: Destination, flows: Iterable<CompiledFlow>, now: number, observe?: ExchangeObserver): Promise<EngineError | null> {
    if (this.fresh(now)) return null;
    const list = [...flows];
    const generation = this.generation;
    const options = observe ? { observe } : {};
    let groups, fields;
    try {
      [groups, fields] = await Promise.all([client.listGroups(options), client.listFields(options)]);
    } catch (err) {
      const error = asEngineError(err);
      if (!this.directory) for (const flow of list) this.notReady.set(flow.id, `${error.code}: ${error.message}`);
      return error;
    }
    const directory = accountDirectory(groups, fields);
    this.directory = directory;
    // Invalidated while loading (flows reloaded, a group reported unknown): what was read may
    // predate the change, so it serves this round but is not fresh; the next round loads again.
    this.loadedAt = generation === this.generation ? now : -Infinity;
    this.notReady.clear();
    for (const flow of list) {
      const missing = Object.entries(flow.policy.groups as Record<string, string[]>).flatMap(([slot, names]) =>
        directory.missingGroups(names).map((group) => PipelineErrors.ENGINE_ERR_UNKNOWN_GROUP({ group, slot })),
      );
      if (missing.length === 0) continue;
      const problems = missing.map((e) => e.message);
      this.notReady.set(flow.id, problems.join('; '));
      this.log.error({ flow: flow.id, code: missing[0]!.code, problems }, 'flow not ready: missing groups');
    }
    return null;
  }
}
