import { z } from 'zod';
import { issuerProblem } from './issuer.ts';
import { decodeKeyEncryptionKey } from './key-encryption-key.ts';
import { keyTimingProblems } from './key-timing.ts';

const seconds = (description: string) => z.number().int().positive().describe(description);

const ttlSchema = z
  .object({
    accessToken: seconds('Lifetime of access tokens issued to users, in seconds.'),
    clientCredentials: seconds('Lifetime of client-credentials access tokens, in seconds.'),
    idToken: seconds('Lifetime of ID tokens, in seconds.'),
    authorizationCode: seconds('Lifetime of authorization codes, in seconds.'),
    refreshToken: seconds(
      "Idle lifetime of a confidential client's refresh token: unused this long, it expires; each rotation starts it anew. In seconds.",
    ),
    refreshTokenAbsolute: seconds(
      "Longest a confidential client's refresh tokens last after the sign-in, however often they rotate, in seconds.",
    ),
    publicRefreshToken: seconds(
      "Idle lifetime of a public client's (SPA, native app) refresh token, in seconds.",
    ),
    publicRefreshTokenAbsolute: seconds(
      "Longest a public client's refresh tokens last after the sign-in, however often they rotate, in seconds.",
    ),
    session: seconds(
      'Longest a browser session at Portcullis lasts after its sign-in, however much it is used, in seconds.',
    ),
    sessionIdle: seconds(
      'A browser session not used for this long ends (each sign-in or authorization request with it is a use), in seconds.',
    ),
    interaction: seconds('Time a user has to complete login and consent, in seconds.'),
    grant: seconds('Lifetime of a grant (the consent record), in seconds.'),
  })
  .strict();

const count = (description: string) => z.number().int().positive().describe(description);

const throttleSchema = (subject: string, subjects: string) =>
  z
    .object({
      maxFailures: count(
        `Failures one ${subject} may have within lockoutSeconds before it is locked out.`,
      ),
      maxFailuresPerIp: count(
        `Failures one client IP may have within lockoutSeconds, whatever ${subjects} it tried.`,
      ),
      lockoutSeconds: seconds(
        `The window failures are counted in, and how long a lockout lasts (429 with Retry-After).`,
      ),
    })
    .strict();

const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
const signingAlgorithm = z.enum(SIGNING_ALGORITHMS);

const keysSchema = z
  .object({
    signingAlgorithm: signingAlgorithm.describe(
      'Algorithm that signs JWT access tokens by default. ID tokens stay RS256 unless a client registers another id_token_signed_response_alg (OpenID Connect Core).',
    ),
    algorithms: z
      .array(signingAlgorithm)
      .min(1)
      .describe(
        'Comma-separated algorithms a signing key is kept for. Must include RS256 (OpenID Connect requires it) and signingAlgorithm; add EdDSA to offer Ed25519.',
      ),
    rotationIntervalSeconds: seconds(
      'How long a key signs before the next one takes over (signing and cookie keys).',
    ),
    leadTimeSeconds: seconds(
      'How long a new key is published before it signs. At least jwksMaxAgeSeconds + watchIntervalSeconds + marginSeconds.',
    ),
    retentionSeconds: seconds(
      'How long a retired signing key stays in JWKS. At least the longest of ttl.idToken, ttl.accessToken, ttl.clientCredentials + jwksMaxAgeSeconds + watchIntervalSeconds + marginSeconds.',
    ),
    cookieRetentionSeconds: seconds(
      'How long a retired cookie key still verifies cookies. At least ttl.session + watchIntervalSeconds + marginSeconds.',
    ),
    jwksMaxAgeSeconds: seconds(
      'Cache-Control max-age of /jwks; also how long a resource server may keep trusting an emergency-revoked key.',
    ),
    jobIntervalSeconds: seconds(
      'How often each instance runs the rotation job (one instance acts at a time).',
    ),
    watchIntervalSeconds: seconds(
      'How often each instance checks the key table for changes (Postgres notifications usually tell it sooner).',
    ),
    marginSeconds: z
      .number()
      .int()
      .min(0)
      .describe('Slack added to every key-timing rule for clock skew and slow requests.'),
  })
  .strict();

export const configSchema = z
  .object({
    env: z
      .enum(['development', 'test', 'production'])
      .describe('Selects config/<env>.json. Defaults to development.'),
    port: z.number().int().min(0).max(65535).describe('The HTTP port to listen on.'),
    host: z.string().min(1).describe('The interface to bind.'),
    issuer: z
      .url({ protocol: /^https?$/ })
      .refine(
        (value) => !value.includes('?') && !value.includes('#'),
        'must not have a query or fragment',
      )
      .optional()
      .describe('The public URL of this server. Defaults to http://localhost:PORT.'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional()
      .describe('Postgres connection URL. Without it, embedded PGlite under dataDir.'),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional()
      .describe(
        'Redis connection URL. Sessions, interactions and codes live there; without it, in the SQL store.',
      ),
    redisKeyPrefix: z
      .string()
      .min(1)
      .describe('Prefix of every Redis key Portcullis writes, so that it can share a Redis.'),
    dataDir: z.string().min(1).describe('Directory for embedded data and generated dev secrets.'),
    trustProxy: z
      .boolean()
      .describe(
        'Take the client IP from X-Forwarded-For, set by a proxy that is the sole way in. Scheme and host always come from the issuer.',
      ),
    migrateOnStart: z.boolean().describe('Apply database migrations when the server starts.'),
    preparedStatements: z
      .boolean()
      .describe(
        'Postgres: plan hot statements once per connection. Off behind a transaction-mode pooler (PgBouncer < 1.21).',
      ),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .describe('Minimum level of log lines written to stdout.'),
    keyEncryptionKey: z
      .string()
      .refine(
        (value) => decodeKeyEncryptionKey(value) !== undefined,
        'must be exactly 32 bytes in canonical base64 or base64url (openssl rand -base64 32)',
      )
      .optional()
      .describe('Base64 32-byte key that encrypts signing and cookie keys at rest.'),
    cookieSecrets: z
      .array(z.string().min(32, 'each secret must be at least 32 characters'))
      .min(1)
      .optional()
      .describe(
        'Comma-separated secrets that still verify cookies but never sign them; cookie keys rotate in the database.',
      ),
    requireSecretsFromEnv: z
      .boolean()
      .describe(
        'Refuse to generate the key-encryption key into dataDir; production requires it from env.',
      ),
    ttl: ttlSchema,
    keys: keysSchema,
    loginThrottle: throttleSchema('email address', 'email addresses'),
    clientAuthThrottle: throttleSchema('client', 'clients'),
    refreshTokenReuseGraceSeconds: z
      .number()
      .int()
      .min(0)
      .describe(
        'How long a rotated refresh token may be presented again (concurrent refreshes, retries); each replay gets the successor the first use got. Reuse after it revokes the grant. 0 disables.',
      ),
    requirePushedAuthorizationRequests: z
      .boolean()
      .describe(
        'Require every client to push its authorization requests first (PAR, RFC 9126); without it, only clients registered with --require-par must.',
      ),
    expiredPurgeIntervalSeconds: z
      .number()
      .int()
      .min(0)
      .describe('How often expired rows are purged from the SQL store; 0 disables the job.'),
    metricsPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe(
        'The port of the Prometheus endpoint (GET /metrics), apart from the public one. Unset: no metrics.',
      ),
    metricsHost: z
      .string()
      .min(1)
      .describe('The interface the metrics port binds; keep it off the public network.'),
    shutdownTimeoutSeconds: z
      .number()
      .positive()
      .describe(
        'On SIGTERM or SIGINT, how long requests in flight may take to finish before their connections are closed.',
      ),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const problem of keyTimingProblems(config)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
    if (config.metricsPort && config.metricsPort === config.port) {
      ctx.addIssue({
        code: 'custom',
        path: ['metricsPort'],
        message: 'must differ from port: metrics are never served on the public listener',
      });
    }
    const issuer = issuerProblem(config.env, config.issuer);
    if (issuer) ctx.addIssue({ code: 'custom', path: ['issuer'], message: issuer });
  });

export type Config = z.infer<typeof configSchema>;
export type KeysConfig = z.infer<typeof keysSchema>;
export type TtlConfig = z.infer<typeof ttlSchema>;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
