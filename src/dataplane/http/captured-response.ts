/**
 * A response that keeps what is written to it instead of sending it: lets the management plane run a request
 * through the real data-plane path (plan, adapters, auth, upstream, translation) and read the answer, for
 * "verify from the developer side". It offers the part of ServerResponse the executor uses.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

export class CapturedResponse extends Writable {
  statusCode = 200;
  headersSent = false;
  readonly #headers = new Map<string, string | number | readonly string[]>();
  readonly #chunks: Buffer[] = [];

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.#headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): string | number | readonly string[] | undefined {
    return this.#headers.get(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  /** Node's `writeHead(status, [name, value, ...])`, the form the executor uses. */
  writeHead(status: number, headers: ReadonlyArray<string | number> = []): this {
    this.statusCode = status;
    for (let i = 0; i + 1 < headers.length; i += 2)
      this.setHeader(String(headers[i]), headers[i + 1] as string | number);
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {
    this.headersSent = true;
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.headersSent = true;
    this.#chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    done();
  }

  /** The body written so far. */
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  /** This object where the executor expects a ServerResponse. */
  asServerResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}
