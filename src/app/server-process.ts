import type { Config } from '../config/schema.ts';
import { createLogger } from '../shared/logger.ts';
import { startPortcullis } from './portcullis.ts';

/** Runs the server until SIGINT or SIGTERM, then closes connections and storage cleanly. */
export async function runServer(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const portcullis = await startPortcullis(config, { logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await portcullis.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
