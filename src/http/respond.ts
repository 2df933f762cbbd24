/** Route handlers that turn every failure into the status and body the admin API promises. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeFailure } from '../cli/operations/errors';
import type { Logger } from '../log';

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler<R extends FastifyRequest> = (request: R) => Promise<Reply>;

/** `label` names the attempted action in refusals: `refused by R16: accept opportunity opp-1: ...`. */
export function guarded<R extends FastifyRequest>(logger: Logger, label: (request: R) => string, handler: Handler<R>) {
  return async (request: R, reply: FastifyReply): Promise<void> => {
    try {
      const out = await handler(request);
      for (const [k, v] of Object.entries(out.headers ?? {})) void reply.header(k, v);
      await reply.code(out.status ?? 200).send(out.body);
    } catch (error) {
      const failure = describeFailure(error, label(request));
      // Bodies are never logged: they may carry customer contact details.
      if (failure.httpStatus === 500) logger.error('admin API request failed', { event: 'http.error', route: request.routeOptions.url, err: error });
      await reply.code(failure.httpStatus).send(failure.body);
    }
  };
}

/** First value of a query parameter that may repeat. */
export function queryValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
