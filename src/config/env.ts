/**
 * How environment variables map onto configuration keys, and the one place their names are
 * written: README's configuration table and the messages that tell an operator which variable to
 * fix take the name from here (envNameFor), the schema's descriptions never repeat it. Each entry
 * names the variable, the path it sets and how its text is read; the schema then validates the
 * merged result.
 */
type EnvReader = (text: string) => unknown;

const text: EnvReader = (value) => value;
const integer: EnvReader = (value) => (/^-?\d+$/.test(value.trim()) ? Number(value) : value);
const number: EnvReader = (value) => (/^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);
const boolean: EnvReader = (value) => {
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
  return value;
};
const list: EnvReader = (value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export const envBindings: ReadonlyArray<{ name: string; path: string[]; read: EnvReader }> = [
  { name: 'NODE_ENV', path: ['env'], read: text },
  { name: 'PORT', path: ['port'], read: integer },
  { name: 'HOST', path: ['host'], read: text },
  { name: 'PORTCULLIS_ISSUER', path: ['issuer'], read: text },
  { name: 'DATABASE_URL', path: ['databaseUrl'], read: text },
  { name: 'REDIS_URL', path: ['redisUrl'], read: text },
  { name: 'REDIS_KEY_PREFIX', path: ['redisKeyPrefix'], read: text },
  { name: 'PORTCULLIS_DATA_DIR', path: ['dataDir'], read: text },
  { name: 'PORTCULLIS_TRUST_PROXY', path: ['trustProxy'], read: boolean },
  { name: 'PORTCULLIS_MIGRATE_ON_START', path: ['migrateOnStart'], read: boolean },
  { name: 'PORTCULLIS_PREPARED_STATEMENTS', path: ['preparedStatements'], read: boolean },
  { name: 'LOG_LEVEL', path: ['logLevel'], read: text },
  { name: 'PORTCULLIS_KEY_ENCRYPTION_KEY', path: ['keyEncryptionKey'], read: text },
  { name: 'PORTCULLIS_COOKIE_SECRETS', path: ['cookieSecrets'], read: list },
  {
    name: 'PORTCULLIS_REFRESH_TOKEN_REUSE_GRACE_SECONDS',
    path: ['refreshTokenReuseGraceSeconds'],
    read: integer,
  },
  {
    name: 'PORTCULLIS_REQUIRE_PAR',
    path: ['requirePushedAuthorizationRequests'],
    read: boolean,
  },
  { name: 'PORTCULLIS_METRICS_PORT', path: ['metricsPort'], read: integer },
  { name: 'PORTCULLIS_METRICS_HOST', path: ['metricsHost'], read: text },
  {
    name: 'PORTCULLIS_SHUTDOWN_TIMEOUT_SECONDS',
    path: ['shutdownTimeoutSeconds'],
    read: number,
  },
  { name: 'PORTCULLIS_SIGNING_ALG', path: ['keys', 'signingAlgorithm'], read: text },
  { name: 'PORTCULLIS_SIGNING_ALGS', path: ['keys', 'algorithms'], read: list },
  {
    name: 'PORTCULLIS_KEY_ROTATION_INTERVAL_SECONDS',
    path: ['keys', 'rotationIntervalSeconds'],
    read: integer,
  },
  { name: 'PORTCULLIS_KEY_LEAD_TIME_SECONDS', path: ['keys', 'leadTimeSeconds'], read: integer },
  { name: 'PORTCULLIS_KEY_RETENTION_SECONDS', path: ['keys', 'retentionSeconds'], read: integer },
  {
    name: 'PORTCULLIS_COOKIE_KEY_RETENTION_SECONDS',
    path: ['keys', 'cookieRetentionSeconds'],
    read: integer,
  },
  { name: 'PORTCULLIS_JWKS_MAX_AGE_SECONDS', path: ['keys', 'jwksMaxAgeSeconds'], read: integer },
  {
    name: 'PORTCULLIS_KEY_JOB_INTERVAL_SECONDS',
    path: ['keys', 'jobIntervalSeconds'],
    read: integer,
  },
  {
    name: 'PORTCULLIS_KEY_WATCH_INTERVAL_SECONDS',
    path: ['keys', 'watchIntervalSeconds'],
    read: integer,
  },
  { name: 'PORTCULLIS_KEY_MARGIN_SECONDS', path: ['keys', 'marginSeconds'], read: integer },
  ...throttleBindings('PORTCULLIS_LOGIN', 'loginThrottle'),
  ...throttleBindings('PORTCULLIS_CLIENT_AUTH', 'clientAuthThrottle'),
];

function throttleBindings(prefix: string, key: string) {
  return [
    { name: `${prefix}_MAX_FAILURES`, path: [key, 'maxFailures'], read: integer },
    { name: `${prefix}_MAX_FAILURES_PER_IP`, path: [key, 'maxFailuresPerIp'], read: integer },
    { name: `${prefix}_LOCKOUT_SECONDS`, path: [key, 'lockoutSeconds'], read: integer },
  ];
}

/** The variable that sets the configuration key at `path`, if one does. */
export function envNameFor(path: readonly PropertyKey[]): string | undefined {
  const joined = path.join('.');
  return envBindings.find((binding) => binding.path.join('.') === joined)?.name;
}
