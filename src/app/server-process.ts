import type { Config } from '../config/schema.ts';
import { createLogger } from '../shared/logger.ts';
import { startPortcullis } from './portcullis.ts';

/**
 * Runs the server until SIGINT or SIGTERM, then shuts it down gracefully: the public port stops
 * accepting at once, requests in flight get up to shutdownTimeoutSeconds to finish (listener.ts),
 * then everything else closes (key jobs, storage, the metrics port) and the process exits 0, or 1
 * if something failed to close. A second signal while this runs changes nothing: the wait is
 * already bounded.
 */
export async function runServer(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const portcullis = await startPortcullis(config, { logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, timeoutSeconds: config.shutdownTimeoutSeconds },
      'shutting down: finishing the requests in flight',
    );
    try {
      await portcullis.close();
    } catch (err) {
      logger.error({ err }, 'shutting down failed');
      process.exit(1);
    }
    logger.info('shut down');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
