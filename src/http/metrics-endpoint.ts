import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.ts';

/**
 * The metrics port's only page: GET (or HEAD) /metrics in Prometheus' text format. Everything
 * else gets a 404 and nothing more: this listener is for a scraper on a private interface, not
 * for people, and it never shares a port with the public app.
 */
export function metricsEndpoint(registry: Registry, logger: Logger): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed\n');
      },
    );
  };
}
