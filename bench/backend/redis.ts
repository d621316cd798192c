import { Redis } from 'ioredis';

export interface BenchRedis {
  url: string;
  prefix: string;
  where: string;
  version: string;
  /** Keys under the prefix, optionally only those starting with `within` (`Session:`). */
  countKeys(within?: string): Promise<number>;
  /** INFO memory used_memory, in bytes (the whole Redis, so read it as a difference). */
  usedMemory(): Promise<number>;
  /** Deletes every key under the prefix (SCAN, never FLUSHALL) and disconnects. */
  cleanup(): Promise<number>;
}

/** The benchmark's corner of a Redis server: a unique key prefix, cleaned up at the end. */
export async function openBenchRedis(url: string, runId: string): Promise<BenchRedis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const prefix = `portcullis_bench_${runId}:`;
  const info = async (section: string, field: string) => {
    const text = await client.info(section);
    return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  };
  const { hostname, port } = new URL(url);
  return {
    url,
    prefix,
    where: `${hostname}:${port || '6379'}`,
    version: await info('server', 'redis_version'),
    async countKeys(within = '') {
      let count = 0;
      for await (const keys of scan(client, `${prefix}${within}*`)) {
        count += keys.length;
      }
      return count;
    },
    usedMemory: async () => Number(await info('memory', 'used_memory')),
    async cleanup() {
      let deleted = 0;
      for await (const keys of scan(client, `${prefix}*`)) {
        if (keys.length) deleted += await client.unlink(...keys);
      }
      client.disconnect();
      return deleted;
    },
  };
}

async function* scan(client: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    yield keys;
  } while (cursor !== '0');
}
