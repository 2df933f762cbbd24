/**
 * Fault injection for API calls (/services/data/...): each fault fires on the next `times`
 * matching requests. Replies mirror a real org's: 403 REQUEST_LIMIT_EXCEEDED, 503
 * SERVER_UNAVAILABLE, 401 INVALID_SESSION_ID, or a socket destroyed mid-request.
 */
import { sfError, type SimResponse } from './http-util';

/** `hang`: the request is accepted and never answered. */
export type FaultKind = 'rate_limit' | 'server_error' | 'reset' | 'expire_session' | 'latency' | 'hang';

export interface FaultSpec {
  kind: FaultKind;
  times: number;
  /** Only requests whose path contains this text (default: every API request). */
  pathIncludes?: string;
  /** For 'latency'. */
  latencyMs?: number;
  /** For 'server_error' (default 503). */
  status?: number;
}

export type FaultAction = { kind: 'respond'; response: SimResponse } | { kind: 'reset' } | { kind: 'delay'; ms: number } | { kind: 'hang' };

export class FaultInjector {
  private faults: Array<FaultSpec & { remaining: number }> = [];

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times });
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes the faults matching this request, latency first. */
  take(path: string): FaultAction[] {
    const actions: FaultAction[] = [];
    let terminal = false;
    for (const f of this.faults) {
      if (f.remaining <= 0 || (f.pathIncludes !== undefined && !path.includes(f.pathIncludes))) continue;
      if (f.kind === 'latency') {
        f.remaining -= 1;
        actions.unshift({ kind: 'delay', ms: f.latencyMs ?? 100 });
        continue;
      }
      if (terminal) continue;
      terminal = true;
      f.remaining -= 1;
      actions.push(toAction(f));
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return actions;
  }
}

function toAction(f: FaultSpec): FaultAction {
  switch (f.kind) {
    case 'rate_limit':
      return { kind: 'respond', response: sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.') };
    case 'server_error': {
      const status = f.status ?? 503;
      return { kind: 'respond', response: sfError(status, status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please try again.') };
    }
    case 'expire_session':
      return { kind: 'respond', response: sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid') };
    case 'hang':
      return { kind: 'hang' };
    case 'reset':
    case 'latency':
      return { kind: 'reset' };
  }
}
