import { loadConfig } from '../config/load.ts';
import { exitWith } from './fatal.ts';
import { runServer } from './server-process.ts';

// loadConfig throws synchronously, so it runs inside the try too: a bad setting ends the process
// with exitWith's one clear message, not an uncaught stack trace.
try {
  await runServer(loadConfig());
} catch (error) {
  exitWith(error);
}
