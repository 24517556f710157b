/**
 * Writes a Reply descriptor onto the wire. Every wait goes through the per-request signal so that a client
 * hang-up or `close()` stops the writer and leaves no timer behind to keep vitest alive.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RecordedRequest, Reply } from './fake-upstream.js';

export interface ReplyContext {
  /** Aborted when the response closes (either side) or the fake shuts down. */
  signal: AbortSignal;
}

type BodyReply = Extract<Reply, { kind: 'json' | 'text' }>;
type SseReply = Extract<Reply, { kind: 'sse' }>;

/**
 * How long the fake lets the client read what was written before it sends an RST. On loopback the client
 * often shares this event loop; resetting in the same tick can discard bytes the test expects to have
 * arrived, which would make "reset after n chunks" flaky.
 */
const RESET_GRACE_MS = 20;

const cutByServer = new WeakSet<ServerResponse>();

/** Drops the connection with a TCP RST; the request's `clientAborted` then resolves false, not true. */
export function resetConnection(response: ServerResponse): void {
  cutByServer.add(response);
  const socket = response.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
  else response.destroy();
}

export function wasCutByServer(response: ServerResponse): boolean {
  return cutByServer.has(response);
}

/** Resolves true after `ms`, or false as soon as the signal aborts (clearing the timer). */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Writes one piece, waiting for 'drain' when the socket buffer is full; false when the response is gone. */
export function write(
  response: ServerResponse,
  chunk: string | Buffer,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted || response.destroyed) return Promise.resolve(false);
  if (response.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      response.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onAbort = (): void => finish(false);
    response.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Lower-cases the caller's header names so they override ours instead of being sent twice. */
export function mergeHeaders(
  defaults: OutgoingHttpHeaders,
  overrides: Record<string, string> | undefined,
): OutgoingHttpHeaders {
  const merged: OutgoingHttpHeaders = { ...defaults };
  for (const [name, value] of Object.entries(overrides ?? {})) merged[name.toLowerCase()] = value;
  return merged;
}

/** Status, headers and bytes of a json/text reply, shared with chaos modes that truncate bodies. */
export function renderBody(reply: BodyReply): {
  status: number;
  headers: OutgoingHttpHeaders;
  bytes: Buffer;
} {
  const bytes = Buffer.from(reply.kind === 'json' ? JSON.stringify(reply.body) : reply.body, 'utf8');
  const contentType =
    reply.kind === 'json' ? 'application/json' : (reply.contentType ?? 'text/plain; charset=utf-8');
  const headers = mergeHeaders(
    { 'content-type': contentType, 'content-length': bytes.length },
    reply.headers,
  );
  return { status: reply.status ?? 200, headers, bytes };
}

export function formatSseEvent(event: unknown): string {
  return `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`;
}

export async function sendReply(
  reply: Reply,
  request: RecordedRequest,
  response: ServerResponse,
  context: ReplyContext,
): Promise<void> {
  switch (reply.kind) {
    case 'json':
    case 'text': {
      if (!(await sleep(reply.delayMs ?? 0, context.signal))) return;
      const { status, headers, bytes } = renderBody(reply);
      response.writeHead(status, headers);
      response.end(bytes);
      return;
    }
    case 'sse':
      await sendSse(reply, response, context);
      return;
    case 'stall':
      // Deliberately nothing: the socket stays open until the client gives up or close() destroys it.
      return;
    case 'reset':
      resetConnection(response);
      return;
    case 'handler':
      await reply.handle(request, response);
      return;
    default: {
      const unknown: never = reply;
      throw new Error(`fake-upstream: unknown reply kind ${JSON.stringify(unknown)}`);
    }
  }
}

async function sendSse(reply: SseReply, response: ServerResponse, context: ReplyContext): Promise<void> {
  const { signal } = context;
  if (!(await sleep(reply.firstByteDelayMs ?? 0, signal))) return;
  response.writeHead(
    reply.status ?? 200,
    mergeHeaders(
      { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
      reply.headers,
    ),
  );
  // Headers go out now so clients can observe "headers arrived, body stalled" as a distinct state.
  response.flushHeaders();

  const end = reply.end ?? 'close';
  const interval = reply.intervalMs ?? 0;
  const count = Math.min(reply.afterEvents ?? reply.events.length, reply.events.length);
  const frames = reply.events.slice(0, count).map(formatSseEvent);
  // A stream that is cut short never gets its terminator; one that stalls or resets only gets it on request.
  if (count === reply.events.length && (reply.done ?? end === 'close')) frames.push('data: [DONE]\n\n');

  for (const [index, frame] of frames.entries()) {
    if (index > 0 && !(await sleep(interval, signal))) return;
    if (!(await write(response, frame, signal))) return;
  }

  if (end === 'close') {
    response.end();
  } else if (end === 'reset') {
    if (await sleep(RESET_GRACE_MS, signal)) resetConnection(response);
  }
  // 'stall': nothing more is ever written.
}
