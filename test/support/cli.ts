import { runCli } from '../../src/cli/run.ts';
import { type Finished, portcullisEnv } from './processes.ts';

/**
 * Runs `portcullis <args>` in this process through runCli, with the environment a child process
 * would get (embedded storage in `dataDir`, nothing inherited), and collects what it prints.
 * For cases where the process boundary is not what is tested: it skips starting Node, loading the
 * CLI and opening PGlite's WebAssembly in a new process for every command.
 */
export async function runCliInProcess(
  args: string[],
  options: { dataDir: string; stdin?: string; env?: Record<string, string> },
): Promise<Finished> {
  const output = { stdout: '', stderr: '' };
  const code = await runCli(
    args,
    {
      stdout: (text) => {
        output.stdout += text;
      },
      stderr: (text) => {
        output.stderr += text;
      },
      stdin: async () => options.stdin ?? '',
    },
    portcullisEnv(options.dataDir, options.env),
  );
  return { code, ...output };
}
