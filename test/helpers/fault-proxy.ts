/**
 * An HTTP proxy in front of a simulator that can answer in its place (a 429 with Retry-After, a
 * 503), reset the connection, or forward everything else. URLs of the simulator in its answers
 * (a token's instance_url) are rewritten to the proxy, so every later call goes through it too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyFault =
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'reset' }
  /** Forwarded to the simulator (which commits it); its answer is thrown away and the connection reset. */
  | { kind: 'drop' }
  /** Forwarded after a pause. */
  | { kind: 'slow'; ms: number };

export interface FaultProxy {
  url: string;
  /** Faults injected, by kind (`429`, `503`, `reset`, `drop`, `slow`). */
  injected: Map<string, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, decide: (req: { method: string; url: string }) => ProxyFault | null): Promise<FaultProxy> {
  const injected = new Map<string, number>();
  const count = (kind: string): void => void injected.set(kind, (injected.get(kind) ?? 0) + 1);
  let self = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = decide({ method: req.method ?? 'GET', url: req.url ?? '/' });
      if (fault?.kind === 'reset') {
        count('reset');
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'respond') {
        count(String(fault.status));
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify(fault.body ?? [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'injected' }]));
        return;
      }
      if (fault?.kind === 'drop' || fault?.kind === 'slow') count(fault.kind);
      const headers = { ...req.headers, host: new URL(target).host };
      const forward = (): void => {
        const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers }, (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            if (fault?.kind === 'drop') {
              req.socket.destroy();
              return;
            }
            const text = Buffer.concat(body).toString('utf8').split(target).join(self);
            const out = { ...up.headers };
            delete out['content-length'];
            delete out['transfer-encoding'];
            res.writeHead(up.statusCode ?? 502, out);
            res.end(text);
          });
        });
        upstream.on('error', () => req.socket.destroy());
        upstream.end(Buffer.concat(chunks));
      };
      if (fault?.kind === 'slow') setTimeout(forward, fault.ms);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    injected,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
