import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';

/**
 * The line every command prints on stderr before it opens anything: which storage it uses, so
 * that a command run without the server's DATABASE_URL never writes elsewhere unnoticed. Hosts,
 * ports and database names only: never a user's password or any other part of a URL.
 */
export function storageLine(config: Config): string {
  const sql = config.databaseUrl
    ? `Postgres ${describeUrl(config.databaseUrl, 5432, 'database')}`
    : `embedded at ${resolve(config.dataDir)}`;
  const redis = config.redisUrl ? `; Redis ${describeUrl(config.redisUrl, 6379, 'db')}` : '';
  return `storage: ${sql}${redis}`;
}

/** `at host:port, database name`; a unix socket (`?host=/run/postgresql`) is named as such. */
function describeUrl(value: string, defaultPort: number, pathLabel: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(its URL does not parse)';
  }
  const socket = url.searchParams.get('host');
  const where = url.hostname
    ? `at ${url.hostname}:${url.port || defaultPort}`
    : `on the socket in ${socket ?? 'the default directory'}`;
  const name = decodeURIComponent(url.pathname.slice(1));
  return name ? `${where}, ${pathLabel} ${name}` : where;
}

const PROBE_TIMEOUT_MS = 500;

/**
 * Warns before a write to embedded storage that a server it is not sharing answers on the
 * configured port: that server runs on Postgres (or on another data directory), so it will
 * never see this change. A server on the same data directory is shared through its socket
 * (storage/database.ts) and is not asked. The discovery document tells a Portcullis server
 * from anything else on the port, cheaply and without revealing anything it does not publish.
 */
export async function foreignServerWarning(config: Config): Promise<string | undefined> {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  const issuer = await discoveredIssuer(`${origin}/.well-known/openid-configuration`);
  if (!issuer) return undefined;
  return (
    `a Portcullis server answers on port ${config.port} (issuer ${issuer}), but it does not use ` +
    `the embedded store at ${resolve(config.dataDir)}: it runs on Postgres or on another data ` +
    'directory, and will not see this change. To change its data, run the command with its ' +
    'DATABASE_URL (or node --env-file=<its env file>).'
  );
}

async function discoveredIssuer(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const document = (await response.json()) as { issuer?: unknown };
    return response.ok && typeof document.issuer === 'string' ? document.issuer : undefined;
  } catch {
    // Nothing answers, or not with a discovery document: no server of ours is there.
    return undefined;
  }
}
