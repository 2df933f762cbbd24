/**
 * The sendMail action as Graph documents it (https://learn.microsoft.com/graph/api/user-sendmail):
 * a JSON body `{ message, saveToSentItems? }`, 202 with no body on success, Graph's error shape
 * `{"error":{"code","message"}}` otherwise. Checks what the docs require: a message with at
 * least one recipient among to/cc/bcc, each with an `emailAddress.address`, and a body content
 * type of Text or HTML.
 */

export interface SentMail {
  id: string;
  /** The sending mailbox as addressed in the URL. */
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  contentType: 'Text' | 'HTML';
  body: string;
  saveToSentItems: boolean;
  receivedAt: string;
}

export type SendMailCheck = { ok: true; mail: Omit<SentMail, 'id' | 'from' | 'receivedAt'> } | { ok: false; code: string; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function addresses(value: unknown, field: string): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `${field} must be a collection`;
  const out: string[] = [];
  for (const r of value) {
    const address = isObject(r) && isObject(r.emailAddress) ? r.emailAddress.address : undefined;
    if (typeof address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(address)) return `${field} holds a recipient without a valid emailAddress.address`;
    out.push(address);
  }
  return out;
}

export function checkSendMail(body: unknown): SendMailCheck {
  const bad = (message: string): SendMailCheck => ({ ok: false, code: 'ErrorInvalidRecipients', message });
  if (!isObject(body) || !isObject(body.message)) return { ok: false, code: 'RequestBodyRead', message: 'The request body must hold a message.' };
  const m = body.message;
  const to = addresses(m.toRecipients, 'toRecipients');
  const cc = addresses(m.ccRecipients, 'ccRecipients');
  const bcc = addresses(m.bccRecipients, 'bccRecipients');
  for (const list of [to, cc, bcc]) if (typeof list === 'string') return bad(list);
  if ((to as string[]).length + (cc as string[]).length + (bcc as string[]).length === 0) {
    return bad('At least one recipient is required, but none were found.');
  }
  const content = isObject(m.body) ? m.body : {};
  const contentType = content.contentType ?? 'Text';
  if (contentType !== 'Text' && contentType !== 'HTML' && contentType !== 'text' && contentType !== 'html') {
    return { ok: false, code: 'RequestBodyRead', message: `Requested value '${String(contentType)}' was not found.` };
  }
  if (m.subject !== undefined && typeof m.subject !== 'string') return { ok: false, code: 'RequestBodyRead', message: 'subject must be a string.' };
  // The docs' own example sends "false" as a string; Graph reads it as the Boolean.
  const save = body.saveToSentItems;
  return {
    ok: true,
    mail: {
      to: to as string[],
      cc: cc as string[],
      bcc: bcc as string[],
      subject: typeof m.subject === 'string' ? m.subject : '',
      contentType: String(contentType).toLowerCase() === 'html' ? 'HTML' : 'Text',
      body: typeof content.content === 'string' ? content.content : '',
      saveToSentItems: !(save === false || save === 'false'),
    },
  };
}
