import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * One JSON line per event. Paths that could carry a credential are redacted as a last line of
 * defence; code should never pass such values to the logger in the first place.
 *
 * Lines go to stdout in batches: a write per line put a system call on the event loop of every
 * request (a third of the time of a JWKS answer; docs/PERFORMANCE.md). A batch is written once it
 * holds 4 KiB, or after a second at the latest; pino writes out what is pending when the process
 * exits, after process.exit() and uncaught errors too. Only a hard kill (SIGKILL, out of memory)
 * can lose the last second of lines.
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
    destination ?? stdout(),
  );
}

const BATCH_BYTES = 4096;
const FLUSH_EVERY_MS = 1000;
let stdoutStream: pino.DestinationStream | undefined;

/** One batching writer for stdout, shared by every logger of the process. */
function stdout(): pino.DestinationStream {
  if (!stdoutStream) {
    const stream = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
    setInterval(() => stream.flush(), FLUSH_EVERY_MS).unref();
    stdoutStream = stream;
  }
  return stdoutStream;
}
