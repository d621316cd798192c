import pg from 'pg';

export interface BenchDatabase {
  name: string;
  url: string;
  /** host:port, for the output (never the credentials). */
  where: string;
  version: string;
  drop(): Promise<void>;
}

/**
 * A database of the benchmark's own on the Postgres server `adminUrl` points at: created here,
 * dropped (with force) by `drop()`. Nothing else on that server is read or written.
 */
export async function createBenchDatabase(adminUrl: string, runId: string): Promise<BenchDatabase> {
  const name = `portcullis_bench_${runId}`;
  const version = await adminQuery(adminUrl, 'show server_version');
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    where: `${url.hostname}:${url.port || '5432'}`,
    version,
    drop: async () => {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(adminUrl: string, statement: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query<Record<string, string>>(statement);
    const first = result.rows[0];
    return first ? String(Object.values(first)[0]) : '';
  } finally {
    await client.end();
  }
}
