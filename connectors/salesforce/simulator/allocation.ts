/**
 * The org's daily API request allocation ("API Request Limits and Allocations"): calls are
 * counted over the last 24 hours of the org's clock (in hourly buckets), reported in
 * Sforce-Limit-Info and /limits, and a call past the allocation is refused with 403
 * REQUEST_LIMIT_EXCEEDED. Other clients of the org spend the same allocation (`spend`).
 */
const HOUR = 3_600_000;
const WINDOW_HOURS = 24;

export class ApiAllocation {
  private readonly buckets = new Map<number, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Calls counted in the last 24 hours. */
  used(): number {
    const hour = Math.floor(this.now() / HOUR);
    let total = 0;
    for (const [at, n] of this.buckets) {
      if (at > hour - WINDOW_HOURS) total += n;
      else this.buckets.delete(at);
    }
    return total;
  }

  /** Counts one call, or refuses it (false) once the allocation is spent. */
  take(): boolean {
    if (this.used() >= this.limit) return false;
    this.spend(1);
    return true;
  }

  spend(calls: number): void {
    const hour = Math.floor(this.now() / HOUR);
    this.buckets.set(hour, (this.buckets.get(hour) ?? 0) + calls);
  }
}
