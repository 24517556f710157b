/**
 * The one structured logger. JSON lines, written asynchronously so the request path never waits on stdout;
 * credentials and authorisation headers are redacted wherever they appear in a logged object.
 */
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

const redactPaths = [
  'apiKey',
  'credential',
  'secret',
  'password',
  'token',
  'authorization',
  '*.apiKey',
  '*.credential',
  '*.secret',
  '*.password',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-goog-api-key"]',
  'headers["x-junction-api-key"]',
  'headers["x-junction-key"]',
  'headers["x-junction-provider-key"]',
  'req.headers.authorization',
  'req.headers["x-junction-api-key"]',
  'req.headers["x-junction-key"]',
  'req.headers["x-junction-provider-key"]',
  'awsCredentials',
  'serviceAccount',
  '*.awsCredentials',
  '*.serviceAccount',
];

export interface LoggerSettings {
  level?: string;
  /** Writes synchronously; used by the CLI for messages that must appear before the process exits. */
  sync?: boolean;
  destination?: NodeJS.WritableStream;
}

/** Creates the process logger. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.JUNCTION_LOG_LEVEL ?? 'info',
    base: { service: 'junction' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (settings.destination) return pino(options, settings.destination);
  return pino(options, pino.destination({ dest: 1, sync: settings.sync ?? false, minLength: 0 }));
}

/** A logger that drops everything (tests that assert nothing about logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
