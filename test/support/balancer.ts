import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer for tests: one URL (the issuer) in front of several server processes, which
 * are added once they run (they need the issuer URL to start). Every request goes to the instance
 * last chosen with `route()`, so a test decides which instance serves each step, and `served`
 * shows which one did.
 */
export interface Balancer {
  url: string;
  add(name: string, url: string): void;
  route(name: string): void;
  served: Array<{ instance: string; method: string; path: string }>;
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  const instances: Record<string, string> = {};
  let current = '';
  const served: Balancer['served'] = [];
  const server = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? '/', instances[current]);
    served.push({ instance: current, method: incoming.method ?? 'GET', path: target.pathname });
    const upstream = request(
      target,
      { method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      outgoing.writeHead(502).end();
    });
    incoming.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    add(name, url) {
      instances[name] = url;
      current ||= name;
    },
    route(name) {
      if (!(name in instances)) throw new Error(`no instance ${name}`);
      current = name;
    },
    served,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
