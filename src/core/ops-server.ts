// /health/, /ready/ and /metrics for the processes that serve no HTTP API (worker, scheduler), on their own
// port (OPS_PORT). Plain node:http: three fixed routes need no framework. /ready/ only looks at state the
// process already keeps (broker session flag, breaker) plus one pooled `SELECT 1`: cheap for every probe.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ReadinessCheck, runReadiness } from './ops.js';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(options: {
  host: string;
  port: number;
  log: Logger;
  registry: Registry;
  checks: () => Record<string, ReadinessCheck>;
  /** Extra members of the /ready/ body (e.g. the scheduler's role). */
  describe?: () => Record<string, unknown>;
}): Promise<OpsServer> {
  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0]?.replace(/\/?$/, '/');
    const route = async () => {
      if (path === '/health/') return send(200, { status: 'ok' });
      if (path === '/ready/') {
        const { ready, checks } = await runReadiness(options.checks());
        const body = { status: ready ? 'ready' : 'not_ready', checks, ...options.describe?.() };
        return send(ready ? 200 : 503, body);
      }
      if (path === '/metrics/') return send(200, await options.registry.metrics(), options.registry.contentType);
      return send(404, { status: 404, code: 'not_found' });
    };
    route().catch((error: unknown) => {
      options.log.warn({ err: error }, 'ops endpoint failed');
      if (!response.headersSent) send(500, { status: 500, code: 'server_error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.log.info({ port }, 'ops endpoints listening (/health/, /ready/, /metrics)');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
