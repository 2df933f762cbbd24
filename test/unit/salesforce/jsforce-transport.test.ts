import jsforce from 'jsforce';
import { boundTransport } from '../../../connectors/salesforce/client';

/**
 * The connector reaches into jsforce's `Connection#_transport` to bound every request and to
 * switch off jsforce's own retries. A jsforce release that renames it, or stops passing the
 * per-request options through it, fails here.
 */
describe('jsforce transport hook', () => {
  it('exists on a Connection and receives the timeout and retry options of every request', async () => {
    const conn = new jsforce.Connection({ instanceUrl: 'http://127.0.0.1:9', accessToken: 'x', version: '62.0' });
    const transport = (conn as unknown as { _transport: { httpRequest: (req: unknown, options?: Record<string, unknown>) => unknown } })._transport;
    const seen: Array<Record<string, unknown> | undefined> = [];
    transport.httpRequest = (_req, options) => {
      seen.push(options);
      throw new Error('stop');
    };
    boundTransport(conn, 1234);
    await expect(conn.request('/services/data/v62.0/limits')).rejects.toThrow('stop');
    expect(seen).toEqual([expect.objectContaining({ timeout: 1234, retry: { maxRetries: 0 } })]);
  });

  it('refuses a Connection without the hook instead of running unbounded', () => {
    const conn = new jsforce.Connection({ instanceUrl: 'http://127.0.0.1:9', accessToken: 'x', version: '62.0' });
    (conn as unknown as { _transport: unknown })._transport = undefined;
    expect(() => boundTransport(conn, 1000)).toThrow(/_transport/);
  });
});
