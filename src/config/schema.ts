import { z } from 'zod';

const seconds = (description: string) => z.number().int().positive().describe(description);

export const ttlSchema = z
  .object({
    accessToken: seconds('Lifetime of access tokens issued to users, in seconds.'),
    clientCredentials: seconds('Lifetime of client-credentials access tokens, in seconds.'),
    idToken: seconds('Lifetime of ID tokens, in seconds.'),
    authorizationCode: seconds('Lifetime of authorization codes, in seconds.'),
    refreshToken: seconds('Lifetime of refresh tokens, in seconds.'),
    session: seconds('Lifetime of a browser session at Portcullis, in seconds.'),
    interaction: seconds('Time a user has to complete login and consent, in seconds.'),
    grant: seconds('Lifetime of a grant (the consent record), in seconds.'),
  })
  .strict();

export const configSchema = z
  .object({
    env: z
      .enum(['development', 'test', 'production'])
      .describe('NODE_ENV: selects config/<env>.json. Defaults to development.'),
    port: z.number().int().min(0).max(65535).describe('PORT: the HTTP port to listen on.'),
    host: z.string().min(1).describe('HOST: the interface to bind.'),
    issuer: z
      .url({ protocol: /^https?$/ })
      .refine(
        (value) => !value.includes('?') && !value.includes('#'),
        'must not have a query or fragment',
      )
      .optional()
      .describe(
        'PORTCULLIS_ISSUER: the public URL of this server. Defaults to http://localhost:PORT.',
      ),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional()
      .describe(
        'DATABASE_URL: Postgres connection URL. Without it, embedded PGlite under dataDir.',
      ),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional()
      .describe(
        'REDIS_URL: Redis connection URL. Sessions, interactions, codes and the revoked-token deny-list live there; without it, in the SQL store.',
      ),
    redisKeyPrefix: z
      .string()
      .min(1)
      .describe(
        'REDIS_KEY_PREFIX: prefix of every Redis key Portcullis writes, so that it can share a Redis.',
      ),
    dataDir: z
      .string()
      .min(1)
      .describe('PORTCULLIS_DATA_DIR: directory for embedded data and generated dev secrets.'),
    trustProxy: z
      .boolean()
      .describe(
        'PORTCULLIS_TRUST_PROXY: trust X-Forwarded-* headers from a TLS-terminating proxy.',
      ),
    migrateOnStart: z
      .boolean()
      .describe('PORTCULLIS_MIGRATE_ON_START: apply database migrations when the server starts.'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .describe('LOG_LEVEL: minimum level of log lines written to stdout.'),
    keyEncryptionKey: z
      .string()
      .refine(
        (value) => Buffer.from(value, 'base64').length === 32,
        'must be 32 bytes, base64-encoded',
      )
      .optional()
      .describe(
        'PORTCULLIS_KEY_ENCRYPTION_KEY: base64 32-byte key that encrypts signing keys at rest.',
      ),
    cookieSecrets: z
      .array(z.string().min(32, 'each secret must be at least 32 characters'))
      .min(1)
      .optional()
      .describe('PORTCULLIS_COOKIE_SECRETS: comma-separated cookie signing secrets, newest first.'),
    requireSecretsFromEnv: z
      .boolean()
      .describe('Refuse to generate secrets into dataDir; production requires them from env.'),
    ttl: ttlSchema,
    refreshTokenReuseGraceSeconds: z
      .number()
      .int()
      .min(0)
      .describe(
        'PORTCULLIS_REFRESH_TOKEN_REUSE_GRACE_SECONDS: how long a rotated refresh token still works, for clients that refresh concurrently; reuse after it revokes the grant. 0 disables.',
      ),
    expiredPurgeIntervalSeconds: z
      .number()
      .int()
      .min(0)
      .describe('How often expired rows are purged from the SQL store; 0 disables the job.'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/** The issuer in force: the configured one, or localhost on the configured port. */
export function issuerOf(config: Config): string {
  return (config.issuer ?? `http://localhost:${config.port}`).replace(/\/$/, '');
}
