/** Gathers the fleet page's inputs: what the fleet serves, its workers' states, one store overview. */
import type { ConsoleContext } from './context.ts';
import type { AccountStateInput, FleetInput } from './fleet-view.ts';

export const DAY_MS = 86_400_000;

export async function fleetInput(ctx: ConsoleContext): Promise<FleetInput> {
  const now = ctx.now();
  const overview = await ctx.store.overview(now - DAY_MS);
  const accounts = new Map<string, AccountStateInput>(ctx.fleet.accounts().map((w) => [w.accountKey, w.status()]));
  return {
    flows: ctx.fleet.all().map((f) => ({ id: f.id, file: f.file, account: f.accountKey, mode: f.policy.mode })),
    accounts,
    notConfigured: ctx.fleet.notConfiguredReport(),
    problems: ctx.fleet.problemsReport(),
    overview,
    now,
    silentAfterMs: ctx.silentAfterMs,
  };
}
