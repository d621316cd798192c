import type { Logger } from '../shared/logger.ts';
import type { KeyRotationService } from './key-rotation.service.ts';

/**
 * The rotation job every instance runs; the advisory lock lets one act at a time. When this
 * instance changed keys, `onChange` lets it pick them up without waiting for its next poll.
 */
export function scheduleKeyRotation(
  rotation: Pick<KeyRotationService, 'tick'>,
  intervalMs: number,
  logger: Logger,
  onChange: () => Promise<void>,
): () => void {
  const run = async () => {
    const steps = await rotation.tick('job');
    if (steps > 0) {
      logger.info({ steps }, 'key rotation job changed keys');
      await onChange();
    }
  };
  const timer = setInterval(() => {
    run().catch((err: unknown) => logger.warn({ err }, 'key rotation job failed'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
