import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import { createMetrics, type Metrics } from '../http/metrics.ts';
import { metricsEndpoint } from '../http/metrics-endpoint.ts';
import type { Logger } from '../shared/logger.ts';
import type { Cleanups } from './cleanups.ts';
import { closeServer } from './listener.ts';

/**
 * With metricsPort set, the server's metrics, served as /metrics on a listener of their own
 * (metricsPort on metricsHost, 127.0.0.1 by default), never on the public one; else nothing.
 * Bound before anything else opens, the listener is closed after everything else (the clean-up
 * stack unwinds newest first): a scrape during a shutdown still answers. `port` is the one bound
 * (metricsPort may be 0: any free port).
 */
export async function serveMetrics(
  config: Config,
  logger: Logger,
  cleanups: Cleanups,
): Promise<{ metrics: Metrics; port: number } | undefined> {
  if (config.metricsPort === undefined) return undefined;
  const metrics = createMetrics();
  const server = createServer(metricsEndpoint(metrics.registry, logger));
  cleanups.defer(() => closeServer(server, config.shutdownTimeoutSeconds * 1000));
  server.listen(config.metricsPort, config.metricsHost);
  await once(server, 'listening');
  return { metrics, port: (server.address() as AddressInfo).port };
}
