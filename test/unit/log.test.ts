import { PassThrough } from 'node:stream';
import { createLogger, redact } from '../../src/log';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { logger: createLogger({ stream, format: 'json', level: 'debug' }), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logging never carries secrets, tokens or customer contact details', () => {
  it.each([
    ['an access token', { accessToken: 'eyJhbGciOi.secret.part' }, 'eyJhbGciOi'],
    ['a client secret', { auth: { clientSecret: 's3cr3t-value' } }, 's3cr3t-value'],
    ['an Authorization header', { headers: { Authorization: 'Bearer abc.def.ghi' } }, 'abc.def.ghi'],
    ['a bearer token inside a message', { detail: 'sent Bearer abc.def.ghi to the API' }, 'abc.def.ghi'],
    ['a contact email field', { contact: { name: 'Jo Buyer', email: 'jo@contoso.example' } }, 'jo@contoso.example'],
    ['an email inside free text', { reason: 'duplicate of jo@contoso.example' }, 'jo@contoso.example'],
    ['a team list', { team: [{ name: 'Ana', phone: '+33 1 23', email: 'ana@partner.example' }] }, '+33 1 23'],
    ['a password in an error', { err: new Error('login failed for password hunter2@x.example') }, 'hunter2@x.example'],
  ])('%s is redacted', (_label, meta, secret) => {
    const { logger, lines } = capture();
    logger.info('something happened', meta);
    const out = lines().join('\n');
    expect(out).toContain('something happened');
    expect(out).not.toContain(secret);
  });

  it('keeps the fields ops need', () => {
    const { logger, lines } = capture();
    logger.child({ connector: 'sf', runId: 'r1' }).warn('conflict recorded', { opportunityId: 'o1', externalId: 'e1', event: 'sync.conflict' });
    const entry = JSON.parse(lines()[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', message: 'conflict recorded', connector: 'sf', runId: 'r1', opportunityId: 'o1', externalId: 'e1', event: 'sync.conflict' });
  });

  it('redact() leaves plain values alone', () => {
    expect(redact({ amount: 5, stage: 'won', list: [1, 'a'] })).toEqual({ amount: 5, stage: 'won', list: [1, 'a'] });
  });
});
