import type { Readable } from 'node:stream';

/**
 * Destroys an upstream body the gateway gave up on. undici reports the abort as an 'error' event; without a
 * listener that would be an uncaught exception and take the process down.
 */
export function destroyBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
