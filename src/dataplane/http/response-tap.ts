/**
 * Keeps a copy of what a response sends its client, up to a limit, for the request log: installed only on the
 * responses of keys with body capture on, so every other request pays nothing. It wraps the response's own
 * `write` and `end`, so JSON answers, event streams and error bodies are all seen as the client received them.
 */
import type { ServerResponse } from 'node:http';

export interface ResponseTap {
  /** The bytes sent so far as text (up to the limit). */
  text(): string;
  /** More was sent than the limit kept. */
  readonly cut: boolean;
}

type Chunk = string | Uint8Array | undefined | null | (() => void);

export function tapResponse(response: ServerResponse, maxBytes: number): ResponseTap {
  const kept: Buffer[] = [];
  let size = 0;
  let cut = false;
  const keep = (chunk: Chunk, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = maxBytes - size;
    if (bytes.length > room) cut = true;
    if (room <= 0) return;
    // A copy: the caller may reuse its buffer once the write is queued.
    const part = Buffer.from(bytes.subarray(0, room));
    kept.push(part);
    size += part.length;
  };
  const write = response.write;
  const end = response.end;
  response.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, chunk?: Chunk, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return {
    text: () => Buffer.concat(kept, size).toString('utf8'),
    get cut() {
      return cut;
    },
  };
}
