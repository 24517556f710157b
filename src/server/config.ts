/** Junction's runtime settings, from command-line flags over environment variables over defaults. */

export interface JunctionConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  adminToken: string | undefined;
  demo: boolean;
  demoKey: string | undefined;
  migrate: boolean;
  maxBodyBytes: number;
  maxAttempts: number;
  /** Failed authentications from one address within `authFailureWindowMs` that block it; 0 turns it off. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** How long a blocked address gets 429 on the data plane. */
  authBlockMs: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  streamIdleTimeoutMs: number;
  drainTimeoutMs: number;
  /** Verify an entry when it is created or changed, and unchecked entries at start. */
  autoVerify: boolean;
  /** Period of the scheduled re-check of every provider entry; 0 turns it off. */
  healthCheckIntervalMs: number;
  /** Budget of one provider check. */
  healthCheckTimeoutMs: number;
  /** Folder of the usage spool (default `<dataDir>/usage-spool`); local to this process. */
  spoolDir?: string;
  /** Most bytes of each captured body (request and answer) kept in the request log. */
  captureMaxBytes: number;
  /** Days captured bodies are kept before they are deleted; 0 keeps them. */
  captureRetentionDays: number;
  /**
   * Price usage rows that have no operator's model or deployment price from the default price table shipped with
   * Junction (`JUNCTION_DEFAULT_PRICES`: `on`, the default, or `off`).
   */
  defaultPrices: boolean;
  /**
   * Redis for budgets and per-minute limits shared by every replica (`JUNCTION_REDIS_URL`); without it they are
   * counted in this process.
   */
  redisUrl: string | undefined;
  /** What budgets and limits do when Redis cannot be reached: `open` admits (the default), `closed` refuses. */
  limitsOnRedisFailure: 'open' | 'closed';
  /**
   * How per-minute limits count (`JUNCTION_RATE_LIMIT_ALGORITHM`): `fixed-window` (the default) in fixed minutes,
   * `token-bucket` in a bucket of one minute's worth refilled continuously.
   */
  rateLimitAlgorithm: 'fixed-window' | 'token-bucket';
  /** How long a Redis command may take before it counts as a failure. */
  redisTimeoutMs: number;
  /** Completion tokens a budget reserves for a request without `max_tokens`. */
  budgetDefaultMaxTokens: number;
  /** Characters of request body per estimated prompt token when reserving (lower reserves more). */
  budgetCharsPerToken: number;
  /** Consecutive upstream failures that eject a backend from rotation until a probe succeeds. */
  ejectionFailures: number;
  /** The first ejection's length (it doubles on each ejection that follows soon after). */
  ejectionBaseMs: number;
  /** The longest ejection. */
  ejectionMaxMs: number;
  /** Absolute lifetime of a web app session (`JUNCTION_SESSION_HOURS`). */
  sessionHours: number;
  /** A web app session unused this long ends (`JUNCTION_SESSION_IDLE_MINUTES`). */
  sessionIdleMinutes: number;
  /**
   * Mark session cookies `Secure` even when the request reached Junction over plain http (`JUNCTION_SECURE_COOKIES`:
   * set it when a proxy in front terminates TLS). Requests over https always get `Secure` cookies.
   */
  secureCookies: boolean;
  /**
   * On PostgreSQL, how often a process reads the stored configuration version to pick up changes other processes
   * made (`JUNCTION_CONFIG_POLL_MS`, 2,000 by default; 0 turns it off).
   */
  configPollMs: number;
  logLevel: string;
  /** Serve the web app from this folder; undefined disables it. */
  webDir: string | undefined;
}

export type ConfigOverrides = Partial<JunctionConfig>;

const number = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return parsed;
};

/** Attempts per request: 1 to 5 (one try and at most four more), 3 by default. */
const attempts = (value: string | undefined): number => {
  const parsed = number(value, 3, 'JUNCTION_MAX_ATTEMPTS');
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 5)
    throw new Error(`JUNCTION_MAX_ATTEMPTS must be a whole number from 1 to 5, got ${JSON.stringify(value)}`);
  return parsed;
};

/** `on` or `off` (also `true` or `false`). */
const onOff = (value: string | undefined, fallback: boolean, name: string): boolean => {
  if (value === undefined || value === '') return fallback;
  const text = value.trim().toLowerCase();
  if (text === 'on' || text === 'true') return true;
  if (text === 'off' || text === 'false') return false;
  throw new Error(`${name} must be on or off, got ${JSON.stringify(value)}`);
};

/** `open` (the default) or `closed`. */
const openClosed = (value: string | undefined): 'open' | 'closed' => {
  if (value === undefined || value === '') return 'open';
  const text = value.trim().toLowerCase();
  if (text === 'open' || text === 'closed') return text;
  throw new Error(`JUNCTION_LIMITS_ON_REDIS_FAILURE must be open or closed, got ${JSON.stringify(value)}`);
};

/** `fixed-window` (the default) or `token-bucket`. */
const rateLimitAlgorithm = (value: string | undefined): 'fixed-window' | 'token-bucket' => {
  if (value === undefined || value === '') return 'fixed-window';
  const text = value.trim().toLowerCase();
  if (text === 'fixed-window' || text === 'token-bucket') return text;
  throw new Error(
    `JUNCTION_RATE_LIMIT_ALGORITHM must be fixed-window or token-bucket, got ${JSON.stringify(value)}`,
  );
};

const positive = (value: string | undefined, fallback: number, name: string): number => {
  const parsed = number(value, fallback, name);
  if (parsed <= 0) throw new Error(`${name} must be greater than 0, got ${JSON.stringify(value)}`);
  return parsed;
};

/** Resolves the configuration from `overrides` (flags), then `env`, then defaults. */
export function resolveConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): JunctionConfig {
  const config: JunctionConfig = {
    host: env.JUNCTION_HOST ?? '0.0.0.0',
    port: number(env.JUNCTION_PORT, 8080, 'JUNCTION_PORT'),
    dataDir: env.JUNCTION_DATA_DIR ?? '.junction',
    databaseUrl: env.DATABASE_URL || undefined,
    masterKey: env.JUNCTION_MASTER_KEY || undefined,
    masterKeyFile: env.JUNCTION_MASTER_KEY_FILE || undefined,
    adminToken: env.JUNCTION_ADMIN_TOKEN || undefined,
    demo: false,
    demoKey: env.JUNCTION_DEMO_KEY || undefined,
    migrate: true,
    maxBodyBytes: number(env.JUNCTION_MAX_BODY_BYTES, 10 * 1024 * 1024, 'JUNCTION_MAX_BODY_BYTES'),
    maxAttempts: attempts(env.JUNCTION_MAX_ATTEMPTS),
    authFailureLimit: number(env.JUNCTION_AUTH_FAILURE_LIMIT, 50, 'JUNCTION_AUTH_FAILURE_LIMIT'),
    authFailureWindowMs: number(
      env.JUNCTION_AUTH_FAILURE_WINDOW_MS,
      60_000,
      'JUNCTION_AUTH_FAILURE_WINDOW_MS',
    ),
    authBlockMs: number(env.JUNCTION_AUTH_BLOCK_MS, 60_000, 'JUNCTION_AUTH_BLOCK_MS'),
    connectTimeoutMs: number(env.JUNCTION_CONNECT_TIMEOUT_MS, 10_000, 'JUNCTION_CONNECT_TIMEOUT_MS'),
    firstByteTimeoutMs: number(env.JUNCTION_UPSTREAM_TIMEOUT_MS, 300_000, 'JUNCTION_UPSTREAM_TIMEOUT_MS'),
    streamIdleTimeoutMs: number(
      env.JUNCTION_STREAM_IDLE_TIMEOUT_MS,
      120_000,
      'JUNCTION_STREAM_IDLE_TIMEOUT_MS',
    ),
    drainTimeoutMs: number(env.JUNCTION_DRAIN_TIMEOUT_MS, 30_000, 'JUNCTION_DRAIN_TIMEOUT_MS'),
    autoVerify: env.JUNCTION_AUTO_VERIFY !== 'false',
    healthCheckIntervalMs: number(
      env.JUNCTION_HEALTH_CHECK_INTERVAL_MS,
      300_000,
      'JUNCTION_HEALTH_CHECK_INTERVAL_MS',
    ),
    healthCheckTimeoutMs: number(
      env.JUNCTION_HEALTH_CHECK_TIMEOUT_MS,
      10_000,
      'JUNCTION_HEALTH_CHECK_TIMEOUT_MS',
    ),
    spoolDir: env.JUNCTION_SPOOL_DIR || undefined,
    captureMaxBytes: positive(env.JUNCTION_CAPTURE_MAX_BYTES, 256 * 1024, 'JUNCTION_CAPTURE_MAX_BYTES'),
    captureRetentionDays: number(env.JUNCTION_CAPTURE_RETENTION_DAYS, 30, 'JUNCTION_CAPTURE_RETENTION_DAYS'),
    defaultPrices: onOff(env.JUNCTION_DEFAULT_PRICES, true, 'JUNCTION_DEFAULT_PRICES'),
    redisUrl: env.JUNCTION_REDIS_URL || undefined,
    limitsOnRedisFailure: openClosed(env.JUNCTION_LIMITS_ON_REDIS_FAILURE),
    rateLimitAlgorithm: rateLimitAlgorithm(env.JUNCTION_RATE_LIMIT_ALGORITHM),
    redisTimeoutMs: number(env.JUNCTION_REDIS_TIMEOUT_MS, 100, 'JUNCTION_REDIS_TIMEOUT_MS'),
    budgetDefaultMaxTokens: number(
      env.JUNCTION_BUDGET_DEFAULT_MAX_TOKENS,
      4096,
      'JUNCTION_BUDGET_DEFAULT_MAX_TOKENS',
    ),
    budgetCharsPerToken: positive(env.JUNCTION_BUDGET_CHARS_PER_TOKEN, 2, 'JUNCTION_BUDGET_CHARS_PER_TOKEN'),
    ejectionFailures: number(env.JUNCTION_EJECTION_FAILURES, 3, 'JUNCTION_EJECTION_FAILURES'),
    ejectionBaseMs: number(env.JUNCTION_EJECTION_BASE_MS, 5_000, 'JUNCTION_EJECTION_BASE_MS'),
    ejectionMaxMs: number(env.JUNCTION_EJECTION_MAX_MS, 30_000, 'JUNCTION_EJECTION_MAX_MS'),
    sessionHours: positive(env.JUNCTION_SESSION_HOURS, 12, 'JUNCTION_SESSION_HOURS'),
    sessionIdleMinutes: positive(env.JUNCTION_SESSION_IDLE_MINUTES, 60, 'JUNCTION_SESSION_IDLE_MINUTES'),
    secureCookies: onOff(env.JUNCTION_SECURE_COOKIES, false, 'JUNCTION_SECURE_COOKIES'),
    configPollMs: number(env.JUNCTION_CONFIG_POLL_MS, 2_000, 'JUNCTION_CONFIG_POLL_MS'),
    logLevel: env.JUNCTION_LOG_LEVEL ?? 'info',
    webDir: undefined,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[name] = value;
  }
  return config;
}
