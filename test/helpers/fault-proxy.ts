import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy in front of a real S3 server (SeaweedFS) that injects faults per request.
 * The Host header is forwarded unchanged, so SigV4 signatures made for the proxy's address still verify.
 *
 * Faults:
 * - `drop-reply`: forward the request, let the server apply it, then cut the connection before the
 *   reply reaches the client (a write that landed but whose answer was lost);
 * - `delay`: wait `ms` before forwarding;
 * - `status`: answer 503 SlowDown (or `status`) without forwarding;
 * - `reset`: destroy the connection without forwarding;
 * - `stall`: never answer (the socket stays open until the client gives up or the proxy closes).
 */
export type Fault = { kind: 'drop-reply' } | { kind: 'delay'; ms: number } | { kind: 'status'; status?: number } | { kind: 'reset' } | { kind: 'stall' };

export interface FaultRule {
  method?: string;
  /** Tested against the request's path without the query, e.g. /manifest\.json$/. */
  path?: RegExp;
  /** Tested against the query string (without "?"), e.g. /uploadId=/ for a multipart upload's requests. */
  query?: RegExp;
  /** How many matching requests get the fault (default 1); Infinity for every one. */
  times?: number;
  fault: Fault;
}

export interface SeenRequest {
  method: string;
  url: string;
  /** The fault injected, or 'forwarded'. */
  outcome: Fault['kind'] | 'forwarded';
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>: use as the S3 endpoint. */
  readonly endpoint: string;
  readonly requests: SeenRequest[];
  /** Adds a rule; rules are tried in order, a rule with no uses left is skipped. */
  inject(rule: FaultRule): void;
  /** Removes every rule and forgets the requests seen. */
  clear(): void;
  /** Faults injected so far. */
  injected(): number;
  close(): Promise<void>;
}

interface LiveRule extends FaultRule {
  left: number;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: LiveRule[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();

  const take = (req: IncomingMessage): Fault | undefined => {
    const [pathname = '', query = ''] = (req.url ?? '').split('?', 2);
    const rule = rules.find((r) => r.left > 0 && (!r.method || r.method === req.method) && (!r.path || r.path.test(pathname)) && (!r.query || r.query.test(query)));
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, dropReply: boolean) => {
    const headers = { ...req.headers };
    // The proxy answers 100-continue itself (Node's default); the upstream gets a plain request.
    delete headers.expect;
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (reply) => {
      if (dropReply) {
        // Read the whole reply, so the server has finished applying the request, then cut the client off.
        reply.resume();
        reply.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  };

  const server: Server = createServer((req, res) => {
    const fault = take(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', outcome: fault?.kind ?? 'forwarded' });
    if (!fault) return forward(req, res, false);
    switch (fault.kind) {
      case 'drop-reply':
        return forward(req, res, true);
      case 'delay':
        setTimeout(() => forward(req, res, false), fault.ms);
        return;
      case 'status':
        req.resume();
        res.writeHead(fault.status ?? 503, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected by the fault proxy</Message></Error>');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        req.resume();
        return;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    clear() {
      rules.length = 0;
      requests.length = 0;
    },
    injected: () => requests.filter((r) => r.outcome !== 'forwarded').length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
