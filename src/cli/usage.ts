import { PortcullisError } from '../shared/errors.ts';

/** A command line the CLI cannot run: it exits 2 and prints the usage (see exit-status.ts). */
export class UsageError extends PortcullisError {
  constructor(message: string) {
    super('usage', message, 400);
  }
}

/**
 * The one id a command takes beside `--json`. Kids and client_ids are base64url, so one in 64
 * begins with '-': every argument that is not `--json` (or `--`) is the id, and a second is a
 * usage error.
 */
export function idArgument(args: string[]): string | undefined {
  const ids = args.filter((arg) => arg !== '--json' && arg !== '--');
  if (ids.length > 1) throw new UsageError(`expected one id, got: ${ids.join(' ')}`);
  return ids[0];
}

export const USAGE = `Usage: portcullis <command> [options]

Commands:
  serve                                   start the server
  migrate                                 apply pending database migrations
  users create --email E [--name N] [--password-stdin] [--role R ...] [--email-verified] [--json]
  users list [--json]
  users disable <id> | users enable <id>
  clients create --name N [--redirect-uri U ...] [--post-logout-redirect-uri U ...] [--public]
                 [--allowed-origin O ...]
                 [--grant-types a,b] [--scope "s1 s2"] [--first-party]
                 [--token-endpoint-auth-method client_secret_basic|client_secret_post]
                 [--require-par] [--refresh-token-ttl S] [--refresh-token-absolute-ttl S]
                 [--json]
  clients list [--json]
  clients show <client_id> [--json]
  clients delete <client_id>
  clients rotate-secret <client_id> [--json]
  keys list [--json]                      signing keys and cookie keys, with state and dates
  keys rotate [--json]                    publish a next key now; it signs after the lead time
  keys revoke <kid|cookie-key-id> [--json]
                                          emergency: unpublish and stop using a key at once,
                                          sign with a new key, and print what that breaks
  audit list [--since 24h|7d|ISO-time] [--type T] [--account ID] [--client ID] [--limit N] [--json]
                                          security events, newest first (100 unless --limit);
                                          --type login.failed, or a prefix such as token.

Every command reads the same configuration as the server (config/*.json and the environment).
With --json, a command prints exactly one JSON object on stdout.`;
