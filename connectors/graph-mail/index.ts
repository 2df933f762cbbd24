/**
 * Mail through Microsoft Graph `POST /users/{id}/sendMail`
 * (https://learn.microsoft.com/graph/api/user-sendmail), with @microsoft/microsoft-graph-client
 * and an app-only token from the client-credentials flow (@azure/msal-node, shared with the
 * Dynamics connector). The client runs a custom middleware chain: our bearer token, an observer
 * that keeps the raw status and headers for parse-error.ts, and the HTTP handler; the SDK's own
 * retry handler is left out on purpose, since retrying a POST that may have been taken would send
 * the mail twice. Each call has a timeout.
 */
import { Client, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { ConnectorError } from '../../src/errors';
import type { Logger } from '../../src/log';
import type { MailMessage, MailSender } from '../../src/ports/mail';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../../src/retry';
import { createTokenSource, type TokenSource } from '../dynamics/auth';
import { parseGraphMailError, type ObservedExchange } from './parse-error';

export interface GraphMailOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com/<tenantId>; a loopback http authority for the simulator. */
  authority?: string;
  /** Default https://graph.microsoft.com. */
  graphUrl?: string;
  /** The sending mailbox: user id or user principal name. */
  sender: string;
  timeoutMs?: number;
  saveToSentItems?: boolean;
  retry?: Partial<RetryPolicy>;
}

/** The sendMail body (Graph's message resource, JSON form). */
export function sendMailBody(message: MailMessage, saveToSentItems: boolean): Record<string, unknown> {
  return {
    message: {
      subject: message.subject,
      body: { contentType: message.contentType, content: message.body },
      toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems,
  };
}

class BearerToken implements Middleware {
  private next: Middleware | undefined;
  constructor(
    private readonly tokens: TokenSource,
    private readonly seen: { tokenError: unknown },
  ) {}
  async execute(context: Context): Promise<void> {
    let token: string;
    try {
      token = await this.tokens.token(false);
    } catch (error) {
      // The SDK wraps whatever a middleware throws; keep ours to rethrow it as it was.
      this.seen.tokenError = error;
      throw error;
    }
    const options = (context.options ??= {});
    if (options.headers instanceof Headers) options.headers.set('Authorization', `Bearer ${token}`);
    else options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` };
    await this.next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

class Observer implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly seen: ObservedExchange) {}
  async execute(context: Context): Promise<void> {
    try {
      await this.next?.execute(context);
    } catch (error) {
      this.seen.networkError = error;
      throw error;
    }
    const response = context.response;
    if (response) {
      this.seen.status = response.status;
      this.seen.headers = response.headers;
      if (!response.ok) this.seen.body = await response.clone().text();
    }
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function createGraphMailSender(options: GraphMailOptions, deps: { logger: Logger }): MailSender {
  const graphUrl = (options.graphUrl ?? 'https://graph.microsoft.com').replace(/\/$/, '');
  const tokens = createTokenSource(
    { tenantId: options.tenantId, clientId: options.clientId, clientSecret: options.clientSecret, ...(options.authority ? { authority: options.authority } : {}) },
    graphUrl,
    options.timeoutMs ?? 30_000,
    'graph mail',
  );
  const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, ...options.retry };
  const logger = deps.logger.child({ module: 'graph-mail' });
  const path = `/users/${encodeURIComponent(options.sender)}/sendMail`;

  const attempt = async (message: MailMessage, signal: AbortSignal | undefined): Promise<void> => {
    const seen: ObservedExchange & { tokenError: unknown } = { status: null, headers: null, body: null, networkError: null, tokenError: null };
    const client = Client.initWithMiddleware({ middleware: [new BearerToken(tokens, seen), new Observer(seen), new HTTPMessageHandler()], baseUrl: graphUrl, defaultVersion: 'v1.0' });
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    try {
      await client
        .api(path)
        .options({ signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
        .post(sendMailBody(message, options.saveToSentItems ?? true));
    } catch (error) {
      if (seen.tokenError !== null) {
        const detail = seen.tokenError instanceof Error ? seen.tokenError.message.replace(/^dynamics /, '') : String(seen.tokenError);
        throw new ConnectorError({ code: 'auth', message: `graph mail: ${detail}`, retryable: false, cause: seen.tokenError });
      }
      throw parseGraphMailError(seen, error);
    }
  };

  return {
    send(message, signal) {
      return withRetry(() => attempt(message, signal), {
        policy,
        ...(signal ? { signal } : {}),
        onRetry: ({ attempt: n, decision }) => logger.warn('graph mail retry', { event: 'mail.retry', attempt: n, reason: decision.reason, waitMs: decision.waitMs }),
      });
    },
    async close() {
      // The token cache lives in memory; nothing to release.
    },
  };
}
