// A fault-injection TCP proxy for resilience tests: put it between a process and PostgreSQL, Redis or
// RabbitMQ, then `cut()` (every open connection is reset and new ones are refused, as when a server
// restarts or fails over) and `restore()`. The real services are never touched.
import net from 'node:net';

export interface FaultProxy {
  /** Port the proxy listens on (stays the same across cut/restore). */
  port: number;
  /** `url` with its host:port replaced by the proxy's. */
  url(original: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  readonly isCut: boolean;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const closeListener = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    port,
    url(original) {
      const u = new URL(original);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async cut() {
      if (cut) return;
      cut = true;
      // stop listening first so new connections are refused (ECONNREFUSED), then reset the open ones
      const closed = closeListener();
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      await closed;
    },
    async restore() {
      if (!cut) return;
      await listen(port);
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get openConnections() {
      return sockets.size / 2;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!cut) await closeListener();
      cut = true;
    },
  };
}

/** host and port of a service URL (postgres://, redis://, amqp://). */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}
