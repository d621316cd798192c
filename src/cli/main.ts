import { text } from 'node:stream/consumers';
import { runCli } from './run.ts';

// A command that succeeds is left to end by itself (and `serve` keeps running until a signal);
// a failure exits at once with its code, as nothing else is left to wait for.
const code = await runCli(process.argv.slice(2), {
  stdout: (value) => process.stdout.write(value),
  stderr: (value) => process.stderr.write(value),
  stdin: () => text(process.stdin),
});
if (code !== 0) process.exit(code);
