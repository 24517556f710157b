/** Canary secrets and the encodings a scanner looks for them in (test plan §5.2-4). */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';

/** A provider-key-shaped canary, unique per call. */
export const canary = (): string => `sk-canary-${randomBytes(12).toString('hex')}`;

/** The secret and its encodings: raw, URL-encoded, hex in either case, base64 and base64url at every alignment. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(`Bearer ${secret}`),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ];
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) {
      // The first and last characters depend on the neighbouring bytes; the middle is fixed.
      forms.push(shifted.toString(encoding).slice(4, -4));
    }
  }
  return forms;
}

/** The forms of any of `secrets` found in `text`. */
export function leaksIn(text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => encodings(secret).filter((form) => text.includes(form)));
}

/** A logger at trace level whose lines are collected in `lines`, for scanning. */
export function traceLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level: 'trace', destination: sink }), lines };
}
