/**
 * The simulator's referrals: each version gets a new opaque quoted ETag and a strictly later
 * `updatedDateTime`, as Partner Center does, so watermark reads can be tested exactly.
 */
import { randomUUID } from 'node:crypto';
import type { Referral } from '../../../src/ports/referral';

export interface Fault {
  kind: 'rate_limit' | 'server_error';
  times: number;
  retryAfterSeconds?: number;
}

export class ReferralState {
  readonly referrals = new Map<string, Referral>();
  faults: Fault[] = [];
  /** Organisation the authenticated user belongs to. */
  readonly organizationId = randomUUID();
  readonly organizationName = 'Simulated Partner Ltd';
  /** Partners Partner Center knows, by partner id (MPN id): what `GET /v1/profiles/mpn` answers. */
  readonly partners = new Map<string, { name: string }>();
  private lastTime = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Strictly increasing: two writes in the same millisecond still order. */
  stamp(): string {
    this.lastTime = Math.max(this.lastTime + 1, this.now());
    return new Date(this.lastTime).toISOString();
  }

  save(referral: Referral, origin: string): Referral {
    const stored: Referral = {
      ...referral,
      updatedDateTime: this.stamp(),
      eTag: `"${randomUUID()}"`,
      links: {
        self: { uri: `${origin}/v1.0/engagements/referrals/${referral.id}`, method: 'GET' },
        relatedReferrals: {
          uri: `${origin}/v1.0/engagements/referrals?$filter=engagementId eq '${String(referral.engagementId)}'`,
          method: 'GET',
        },
      },
    };
    this.referrals.set(stored.id, stored);
    return structuredClone(stored);
  }

  get(id: string): Referral | undefined {
    const r = this.referrals.get(id);
    return r === undefined ? undefined : structuredClone(r);
  }

  takeFault(): Fault | null {
    const fault = this.faults.find((f) => f.times > 0);
    if (!fault) return null;
    fault.times--;
    this.faults = this.faults.filter((f) => f.times > 0);
    return fault;
  }
}
