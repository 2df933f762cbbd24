import { fromErrorItems, parseSalesforceError } from '../../../connectors/salesforce/parse-error';
import { ConnectorError } from '../../../src/errors';

const httpApiError = (errorCode: string, message: string, data?: unknown): Error => Object.assign(new Error(message), { name: errorCode, errorCode, data });

describe('parseSalesforceError', () => {
  it.each([
    ['INVALID_SESSION_ID', 'auth', false],
    ['REQUEST_LIMIT_EXCEEDED', 'rate_limited', true],
    ['NOT_FOUND', 'not_found', false],
    ['ENTITY_IS_DELETED', 'not_found', false],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'validation', false],
    ['REQUIRED_FIELD_MISSING', 'validation', false],
    ['INVALID_FIELD', 'validation', false],
    ['STRING_TOO_LONG', 'validation', false],
    ['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'validation', false],
    ['DUPLICATE_VALUE', 'conflict', false],
    ['MULTIPLE_CHOICES', 'conflict', false],
    ['UNABLE_TO_LOCK_ROW', 'transient', true],
    ['SERVER_UNAVAILABLE', 'transient', true],
    ['ERROR_HTTP_502', 'transient', true],
    ['ERROR_HTTP_300', 'conflict', false],
    ['invalid_grant', 'auth', false],
    ['SOMETHING_NEW', 'unknown', false],
  ] as const)('%s → %s (retryable %s)', (crmCode, code, retryable) => {
    const err = parseSalesforceError(httpApiError(crmCode, 'boom', [{ message: 'boom', errorCode: crmCode, fields: ['Name'] }]));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code, retryable, crmCode, message: 'boom' });
  });

  it('reads fields from the REST error body and keeps the cause', () => {
    const original = httpApiError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', [{ message: 'Required fields are missing: [Name]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }]);
    const err = parseSalesforceError(original);
    expect(err.fields).toEqual(['Name']);
    expect(err.cause).toBe(original);
  });

  it('treats connection resets as transient', () => {
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(parseSalesforceError(reset)).toMatchObject({ code: 'transient', retryable: true, crmCode: 'UND_ERR_SOCKET' });
    expect(parseSalesforceError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toMatchObject({ code: 'transient' });
  });

  it('uses the first error of MULTIPLE_API_ERRORS for the code and joins the messages', () => {
    const err = parseSalesforceError(httpApiError('MULTIPLE_API_ERRORS', 'Multiple errors returned.', [
      { errorCode: 'STRING_TOO_LONG', message: 'Name too long', fields: ['Name'] },
      { errorCode: 'REQUIRED_FIELD_MISSING', message: 'CloseDate missing', fields: ['CloseDate'] },
    ]));
    expect(err).toMatchObject({ code: 'validation', crmCode: 'STRING_TOO_LONG', message: 'Name too long; CloseDate missing' });
    expect(err.fields).toEqual(['Name', 'CloseDate']);
  });

  it('passes ConnectorErrors through and wraps non-errors', () => {
    const ce = new ConnectorError({ code: 'auth', message: 'x' });
    expect(parseSalesforceError(ce)).toBe(ce);
    expect(parseSalesforceError('weird')).toMatchObject({ code: 'unknown', message: 'weird' });
  });
});

describe('fromErrorItems (collection rows)', () => {
  it('maps statusCode, message and fields', () => {
    const err = fromErrorItems([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Close date must be in the future', fields: ['CloseDate'] }]);
    expect(err).toMatchObject({ code: 'validation', retryable: false, crmCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Close date must be in the future' });
    expect(err.fields).toEqual(['CloseDate']);
  });
  it('marks UNABLE_TO_LOCK_ROW rows retryable', () => {
    expect(fromErrorItems([{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record' }])).toMatchObject({ code: 'transient', retryable: true });
  });
});
