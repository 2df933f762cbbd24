/** The notifications configuration block and the mail templates. */
import { DEFAULT_TEMPLATES, NOTIFICATIONS_SCHEMA, renderMail } from '../../../src/notify';

const mail = { kind: 'graph', tenantId: 't', clientId: 'c', clientSecret: 's', sender: 'n@x.example' };

describe('notifications settings', () => {
  it('is off by default, with the documented defaults', () => {
    expect(NOTIFICATIONS_SCHEMA.parse({})).toEqual({
      enabled: false, recipients: { inbound: [], ops: [], senders: {} }, expiryWarningDays: 3, connectorFailures: 3, deadLetterThreshold: 25, lookbackHours: 24, templates: {},
    });
  });

  it('refuses enabled notifications without a mail service', () => {
    const result = NOTIFICATIONS_SCHEMA.safeParse({ enabled: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['mail', 'notifications.enabled needs a mail block']]);
  });

  it('refuses a recipient that is not an address, naming where', () => {
    const result = NOTIFICATIONS_SCHEMA.safeParse({ enabled: true, mail, recipients: { ops: ['ops'] } });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['recipients.ops.0', 'expected an email address']]);
  });

  it('refuses a template placeholder the kind does not offer, and an unknown kind', () => {
    const result = NOTIFICATIONS_SCHEMA.safeParse({
      enabled: true, mail, templates: { 'new-inbound': { subject: 'New: {{dealNme}}', body: '{{dealName}}' }, 'no-such-kind': { subject: 'x', body: 'y' } },
    });
    const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toContainEqual('templates.new-inbound.subject: unknown placeholder {{dealNme}}');
    expect(issues.some((i) => i.startsWith('templates'))).toBe(true);
    expect(issues).toHaveLength(2);
  });
});

describe('renderMail', () => {
  const values = { dealName: 'Contoso rollout', customerName: 'Contoso', senderName: 'Microsoft seller', opportunityId: 'opp-1', receivedAt: 'r', expiresAt: 'e', daysLeft: '2' };
  it('fills the default template', () => {
    expect(renderMail({ kind: 'expiry-warning', recipient: 'a@b.example', values, templates: {} })).toEqual({
      to: ['a@b.example'],
      subject: 'Referral expires in 2 day(s): Contoso rollout',
      body: 'The referral Contoso rollout for Contoso from Microsoft seller expires at e unless it is accepted or declined.\nReference: opp-1',
      contentType: 'Text',
    });
  });
  it('prefers the configured template', () => {
    const templates = { 'expiry-warning': { subject: '[{{daysLeft}}d] {{ dealName }}', body: 'See {{opportunityId}}' } };
    expect(renderMail({ kind: 'expiry-warning', recipient: 'a@b.example', values, templates })).toMatchObject({ subject: '[2d] Contoso rollout', body: 'See opp-1' });
  });
  it('offers a default for every kind', () => {
    expect(Object.keys(DEFAULT_TEMPLATES).sort()).toEqual(
      ['connector-failing', 'dead-letters', 'declined', 'expired', 'expiry-warning', 'grant-expired', 'new-inbound', 'terminal-conflict'],
    );
  });
});
