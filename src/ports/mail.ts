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
