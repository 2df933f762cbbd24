/**
 * `POST /webhooks/partner-center`: the signed pointer Partner Center sends when a referral is
 * created or updated. The signature is checked over the raw body; the referral is then fetched
 * and applied (a duplicate or late delivery finds it unchanged). A bad or unsigned request gets
 * 401 and one log line, nothing else.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log';
import type { WebhookVerifier } from '../partner-center/webhook-verify';

export interface PartnerCenterWebhookOptions {
  verify: WebhookVerifier;
  /** Fetches and applies the referral the event points to. */
  onReferral: (referralId: string) => Promise<unknown>;
  logger: Logger;
}

export function registerPartnerCenterWebhook(server: FastifyInstance, options: PartnerCenterWebhookOptions): void {
  void server.register(async (scope) => {
    // The signature covers the exact bytes: keep the body raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/webhooks/partner-center', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await options.verify({ body, headers: request.headers });
      if (!result.ok) {
        options.logger.warn('partner center webhook refused', { event: 'webhook.refused', reason: result.reason, ...(result.detail === undefined ? {} : { detail: result.detail }) });
        return reply.code(401).send({ error: 'unauthorized' });
      }
      try {
        const outcome = await options.onReferral(result.event.referralId);
        return reply.code(202).send({ accepted: true, outcome });
      } catch (error) {
        // The polling backstop will read it; the sender may retry.
        options.logger.warn('partner center webhook referral not applied', { event: 'webhook.failed', externalId: result.event.referralId, err: error });
        return reply.code(503).send({ error: 'unavailable' });
      }
    });
  });
}
