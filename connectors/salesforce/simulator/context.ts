/** What every API route handler receives. */
import type { SimRequest, SimResponse } from './http-util';
import type { SimStore } from './store';

export interface SimContext {
  store: SimStore;
  /** API version of this request's path, e.g. '62.0'. */
  version: string;
  baseUrl: string;
}

export interface ApiRoute {
  method: string;
  /** Matched against the path after /services/data/vXX.X */
  pattern: RegExp;
  handle(ctx: SimContext, req: SimRequest, match: RegExpExecArray): SimResponse | Promise<SimResponse>;
}
