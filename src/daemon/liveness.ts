/**
 * Whether the scheduler is making progress. Work is due from the tick that asked for it until the
 * run it started ends; a page applied or a run ended is progress. The daemon is stalled when some
 * work has been due for longer than the bound with no progress on it: `/healthz` then fails, so a
 * supervisor restarts a process that is alive but no longer syncs (a hung run, a deadlocked pool).
 */

export const DEFAULT_STALLED_AFTER_MS = 600_000;

export interface LivenessReport {
  stalled: boolean;
  /** Work due without progress for longer than the bound, with how long. */
  waiting: Array<{ name: string; sinceMs: number }>;
}

export class Liveness {
  /** Per piece of work (connector instance, the sweep): when it became due or last progressed. */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly stalledAfterMs: number = DEFAULT_STALLED_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A tick asked for this work (whether it starts now or waits for a run still going). */
  due(name: string): void {
    if (!this.waitingSince.has(name)) this.waitingSince.set(name, this.now());
  }

  /** The work moved (a page applied): the clock on it restarts. */
  progress(name: string): void {
    if (this.waitingSince.has(name)) this.waitingSince.set(name, this.now());
  }

  /** The run ended, in any outcome: nothing of it is due any more. */
  done(name: string): void {
    this.waitingSince.delete(name);
  }

  report(): LivenessReport {
    const now = this.now();
    const waiting = [...this.waitingSince]
      .map(([name, since]) => ({ name, sinceMs: now - since }))
      .filter((w) => w.sinceMs > this.stalledAfterMs)
      .sort((a, b) => a.name.localeCompare(b.name));
    return { stalled: waiting.length > 0, waiting };
  }
}
