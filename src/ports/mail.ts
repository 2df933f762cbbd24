/**
 * The mail port: what the notifier needs from a mail service. One message, one send; the adapter
 * (connectors/graph-mail) owns the transport, its auth, timeouts and which failures it may retry.
 */

export interface MailMessage {
  /** Recipient addresses; the notifier sends one message per recipient. */
  to: readonly string[];
  subject: string;
  body: string;
  contentType: 'Text' | 'HTML';
}

export interface MailSender {
  /** Sends or throws a SyncError (`retryable` says whether a later attempt may succeed). */
  send(message: MailMessage, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * The mail service may or may not have taken the message (a timeout, a reset, a 5xx after the
 * request went out). Sending it again could deliver it twice, so the notifier records it as in
 * doubt instead of retrying.
 */
export class MailDeliveryUnknownError extends Error {
  override name = 'MailDeliveryUnknownError';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export const isMailDeliveryUnknown = (error: unknown): error is MailDeliveryUnknownError => error instanceof MailDeliveryUnknownError;
