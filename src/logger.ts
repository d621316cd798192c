import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * One JSON line per event. Paths that could carry a credential are redacted as a last line of
 * defence; code should never pass such values to the logger in the first place.
 *
 * Lines go to stdout asynchronously: a synchronous write per line put a system call on the event
 * loop of every request (a third of the time of a JWKS request; docs/PERFORMANCE.md). pino writes
 * out what is pending when the process exits, after process.exit() and uncaught errors too; only
 * a hard kill (SIGKILL, out of memory) can lose the last lines.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'password',
          '*.password',
          'secret',
          '*.secret',
          'client_secret',
          '*.client_secret',
          'token',
          '*.token',
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
