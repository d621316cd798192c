import { ConfigError, loadConfig } from './config/load.ts';
import { createLogger } from './logger.ts';
import { startPortcullis } from './portcullis.ts';

/** The server process: read the configuration, start, and stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`portcullis: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`portcullis: failed to start: ${message}\n`);
  }
  process.exit(1);
});
