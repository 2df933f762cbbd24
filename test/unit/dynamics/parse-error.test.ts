import { isClosedRecordError, networkError, parseDataverseError, retryAfterMs } from '../../../connectors/dynamics/parse-error';

const body = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

describe('parseDataverseError', () => {
  it.each([
    [401, '', '', 'auth', false],
    [403, '0x80040220', 'Principal user is missing prvReadOpportunity privilege', 'auth', false],
    [404, '0x80040217', 'opportunity With Id = 1 Does Not Exist', 'not_found', false],
    [412, '0x80060882', "The version of the existing record doesn't match the RowVersion property provided.", 'conflict', false],
    [400, '0x80044331', 'A validation error occurred.', 'validation', false],
    [400, '0x80040265', 'Blocked by a plug-in', 'validation', false],
    [400, '0x80044352', 'Version stamp associated with the client has expired. Please perform a full sync.', 'cursor_expired', false],
    [429, '0x80072322', 'Number of requests exceeded the limit', 'rate_limited', true],
    [503, '0x80072326', 'Combined execution time…', 'rate_limited', true],
    [500, '0x80040216', 'An unexpected error occurred.', 'transient', true],
    [502, '', '', 'transient', true],
    [409, '', 'odd', 'unknown', false],
  ])('HTTP %i %s -> %s', (status, code, message, expected, retryable) => {
    const err = parseDataverseError({ status, body: code || message ? body(code, message) : '', operation: 'op' });
    expect(err.code).toBe(expected);
    expect(err.retryable).toBe(retryable);
    expect(err.httpStatus).toBe(status);
    if (code) expect(err.crmCode).toBe(code);
    if (message) expect(err.message).toContain(message);
  });

  it('keeps Retry-After as milliseconds', () => {
    const err = parseDataverseError({ status: 429, body: body('0x80072322', 'slow down'), retryAfter: '7', operation: 'op' });
    expect(err.retryAfterMs).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('treats network failures as transient', () => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    const err = networkError('read', cause);
    expect([err.code, err.retryable]).toEqual(['transient', true]);
    expect(err.message).toContain('ECONNRESET');
  });
});

describe('isClosedRecordError', () => {
  it.each([
    [400, 'The opportunity is closed (Won or Lost) and cannot be edited. Reopen it (statecode 0) first.', true],
    [400, 'A validation error occurred. The opportunity was closed yesterday.', false],
    [412, 'The opportunity is closed and cannot be edited.', false],
  ])('HTTP %i %s -> %s', (status, message, expected) => {
    expect(isClosedRecordError(parseDataverseError({ status, body: body('0x80040203', message), operation: 'write' }))).toBe(expected);
  });
});
