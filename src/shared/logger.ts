import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * One JSON line per event. Paths that could carry a credential are redacted as a last line of
 * defence; code should never pass such values to the logger in the first place.
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
    destination,
  );
}
