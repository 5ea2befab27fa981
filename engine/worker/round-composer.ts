/**
 * What goes in a round, under the destination's capacity: the decided writes that fit (oldest
 * first), then look-ups for at most half a round, so rounds stay mixed — their writes ride in the
 * next round with the next look-ups (for MailerLite: never a batch of upserts only, an import
 * limited to 5 a minute) — and full. A contact costs about two round items.
 */
import type { Intent } from '../ports/intents.ts';
import { leasedIds, type Job, type Lookup } from './work.ts';

export interface RoundShape {
  /** Writes that go in this round. */
  jobs: Job[];
  /** Look-ups the round has room for. */
  capacity: number;
  /** How many records to claim: a unit is one to three records, so twice the room, less those queued. */
  claimLimit: number;
}

export class RoundComposer {
  /** Decided writes waiting for the next round. */
  private writes: Job[] = [];
  /** Prepared units waiting for room in a round for their look-up. */
  private queued: Lookup[] = [];

  /** True while any work is held (its records leased). */
  get holding(): boolean {
    return this.writes.length > 0 || this.queued.length > 0;
  }

  /** Subjects with work in hand: not claimed again until that work is done. */
  busySubjects(): Set<string> {
    return new Set([...this.writes, ...this.queued].flatMap((j) => j.unit.records.map((p) => p.record.subject ?? '')));
  }

  /** Starts a round of `size` items: its writes, and how many look-ups may join them. */
  begin(size: number): RoundShape {
    const jobs = this.takeJobs(size);
    const writeCost = jobs.reduce((n, j) => n + j.cost, 0);
    const capacity = Math.max(0, Math.min(size - writeCost, Math.ceil(size / 2)));
    return { jobs, capacity, claimLimit: 2 * capacity - this.queued.length };
  }

  /** The round's look-ups: those queued first, then the newly prepared; what does not fit waits. */
  fill(prepared: readonly Lookup[], capacity: number): Lookup[] {
    const all = [...this.queued, ...prepared];
    const lookups = all.slice(0, capacity);
    this.queued = all.slice(lookups.length);
    return lookups;
  }

  /** The round's intents: writes first, then look-ups, in the order their results come back. */
  intents(jobs: readonly Job[], lookups: readonly Lookup[]): Intent[] {
    return [...jobs.map((j) => j.plan.intent), ...lookups.map((l): Intent => ({ kind: 'look_up', email: l.mapped.email }))];
  }

  /** Every piece of work held now. */
  heldWork(): (Job | Lookup)[] {
    return [...this.writes, ...this.queued];
  }

  /** A decided write, for the next round. */
  push(job: Job): void {
    this.writes.push(job);
  }

  /** Drops the queued look-ups (not yet sent, so no attempt to count); returns their record ids. */
  dropQueued(): number[] {
    const ids = leasedIds(this.queued);
    this.queued = [];
    return ids;
  }

  /** Drops every held piece of work; returns the record ids to release. */
  dropAll(): number[] {
    const ids = [...leasedIds(this.writes), ...this.dropQueued()];
    this.writes = [];
    return ids;
  }

  /**
   * The decided writes that fit in one round with room for a look-up, oldest first; the rest wait.
   * A write larger than a round on its own still goes (alone), so the destination names the problem.
   */
  private takeJobs(size: number): Job[] {
    let items = 0;
    let n = 0;
    for (const job of this.writes) {
      if (n > 0 && items + job.cost > size - 1) break;
      items += job.cost;
      n++;
    }
    return this.writes.splice(0, n);
  }
}
