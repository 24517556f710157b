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
    maxAttempts: number(env.JUNCTION_MAX_ATTEMPTS, 3, 'JUNCTION_MAX_ATTEMPTS'),
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
    logLevel: env.JUNCTION_LOG_LEVEL ?? 'info',
    webDir: undefined,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[name] = value;
  }
  return config;
}
