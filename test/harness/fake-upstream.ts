/**
 * A programmable stand-in for a provider, speaking OpenAI's HTTP wire format on 127.0.0.1. Tests program it
 * with routes (or rely on the defaults), then assert on what the gateway sent and how it coped with what
 * came back. Replies are a discriminated union so other wire formats (Anthropic SSE, AWS event-stream) can
 * be added as new kinds without touching the routing or recording.
 *
 * Pieces: fake-upstream-replies.ts writes replies, fake-upstream-defaults.ts computes the no-route answers,
 * fake-upstream-chaos.ts implements the `x-chaos` header.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chaosMode, chaosReply } from './fake-upstream-chaos.js';
import { defaultReply, notFound } from './fake-upstream-defaults.js';
import { sendReply, wasCutByServer } from './fake-upstream-replies.js';

export interface RecordedRequest {
  method: string;
  /** Includes the query string. */
  path: string;
  /** As received (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text. */
  body: string;
  /** The parsed body when it is JSON, otherwise undefined. */
  json: unknown | undefined;
  receivedAt: number;
  /**
   * Resolves true when the client closed the connection before the reply finished, false when the reply
   * completed or the fake itself cut the connection (reset replies, `close()`).
   */
  clientAborted: Promise<boolean>;
}

export type Reply =
  | { kind: 'json'; status?: number; headers?: Record<string, string>; body: unknown; delayMs?: number }
  | {
      /** Arbitrary bytes as text: garbage, HTML error pages, plain text. */
      kind: 'text';
      status?: number;
      headers?: Record<string, string>;
      body: string;
      /** Default `text/plain; charset=utf-8`. */
      contentType?: string;
      delayMs?: number;
    }
  | {
      kind: 'sse';
      status?: number;
      headers?: Record<string, string>;
      /** Objects are sent as `data: <JSON>\n\n`; strings verbatim as `data: <string>\n\n`. */
      events: Array<unknown | string>;
      /** Pause between consecutive events (and before `[DONE]`). */
      intervalMs?: number;
      /** Pause before the status line and headers. */
      firstByteDelayMs?: number;
      /**
       * Send `data: [DONE]\n\n` after the last event. Defaults to true for end 'close' and false for 'stall'
       * and 'reset'; never sent when `afterEvents` cuts the stream short.
       */
      done?: boolean;
      /** After the events: 'close' ends cleanly (default), 'stall' goes silent forever, 'reset' sends an RST. */
      end?: 'close' | 'stall' | 'reset';
      /** Apply `end` after this many events instead of after all of them. */
      afterEvents?: number;
    }
  /** Accept the request and never send headers. */
  | { kind: 'stall' }
  /** Reset the connection (RST) right after reading the request, with no response. */
  | { kind: 'reset' }
  | {
      kind: 'handler';
      handle: (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;
    };

export interface Route {
  /** Case-insensitive; any method when omitted. */
  method?: string;
  /** A string matches the pathname or the full path exactly; a RegExp is tested against both. */
  path?: string | RegExp;
  reply: Reply | ((request: RecordedRequest) => Reply);
  /** Removed after this many uses; unlimited by default. */
  times?: number;
}

export interface FakeUpstream {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Adds a route; routes added later take precedence. */
  on(route: Route): FakeUpstream;
  /**
   * Replies to the next matching requests in order. Enqueueing again for the same method and path appends
   * to the pending queue rather than jumping ahead of it.
   */
  enqueue(method: string, path: string | RegExp, ...replies: Reply[]): FakeUpstream;
  /** Forgets routes and recorded requests. */
  reset(): void;
  /** Sockets currently open, for leak assertions. */
  openConnections(): number;
  /** Resolves with every request recorded so far once there are at least `count` (default timeout 2 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Destroys all sockets (stalled ones included) and closes the server. */
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Answer unmatched requests like OpenAI would (default true); false makes them a loud 404. */
  defaultReplies?: boolean;
}

interface ActiveRoute {
  method: string | undefined;
  path: string | RegExp | undefined;
  remaining: number;
  take: (request: RecordedRequest) => Reply;
  /** Set for enqueue() routes, so a later enqueue for the same key can append. */
  queue?: { key: string; replies: Reply[] };
}

interface Waiter {
  count: number;
  resolve: (requests: RecordedRequest[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function pathKey(path: string | RegExp): string {
  return typeof path === 'string' ? `s:${path}` : `r:${path.source}/${path.flags}`;
}

function parseJson(text: string): unknown | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  const pathname = path.split('?', 1)[0] ?? path;
  if (typeof pattern === 'string') return pattern === pathname || pattern === path;
  // A global or sticky RegExp keeps lastIndex between calls; reset it so matching stays stateless.
  pattern.lastIndex = 0;
  if (pattern.test(pathname)) return true;
  pattern.lastIndex = 0;
  return pattern.test(path);
}

class FakeUpstreamServer implements FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly routes: ActiveRoute[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Aborted by close(): stops every pending sleep and write in every reply. */
  private readonly lifetime = new AbortController();
  private readonly defaultReplies: boolean;
  private nextId = 0;
  private closing: Promise<void> | undefined;
  private address: AddressInfo | undefined;

  constructor(options: FakeUpstreamOptions) {
    this.defaultReplies = options.defaultReplies ?? true;
    this.server = createServer({ noDelay: true }, (request, response) => this.receive(request, response));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
  }

  get port(): number {
    if (!this.address) throw new Error('fake-upstream is not listening');
    return this.address.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  on(route: Route): FakeUpstream {
    const { reply } = route;
    this.routes.push({
      method: route.method?.toUpperCase(),
      path: route.path,
      remaining: route.times ?? Number.POSITIVE_INFINITY,
      take: typeof reply === 'function' ? reply : () => reply,
    });
    return this;
  }

  enqueue(method: string, path: string | RegExp, ...replies: Reply[]): FakeUpstream {
    const key = `${method.toUpperCase()} ${pathKey(path)}`;
    const pending = this.routes.find((route) => route.queue?.key === key);
    if (pending?.queue) {
      pending.queue.replies.push(...replies);
      pending.remaining += replies.length;
      return this;
    }
    if (replies.length === 0) return this;
    const queue = { key, replies: [...replies] };
    this.routes.push({
      method: method.toUpperCase(),
      path,
      remaining: replies.length,
      take: () => {
        const next = queue.replies.shift();
        if (!next) throw new Error(`fake-upstream: queue for ${key} ran dry`);
        return next;
      },
      queue,
    });
    return this;
  }

  reset(): void {
    this.routes.length = 0;
    this.requests.length = 0;
  }

  openConnections(): number {
    return this.sockets.size;
  }

  waitForRequests(count: number, timeoutMs = 2_000): Promise<RecordedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve([...this.requests]);
    if (this.closing) return Promise.reject(new Error('fake-upstream is closed'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
          reject(new Error(`fake-upstream: waited ${timeoutMs} ms for ${count} requests, got: ${seen}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.lifetime.abort();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('fake-upstream closed while waiting for requests'));
    }
    this.waiters.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsGone = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([closed, ...socketsGone]);
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client that hangs up mid-body leaves nothing worth recording.
    request.on('error', () => {});
    request.on('end', () => {
      void this.respond(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private async respond(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const perResponse = new AbortController();
    let settle: (aborted: boolean) => void = () => {};
    const clientAborted = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    response.once('close', () => {
      perResponse.abort();
      const cutByUs = wasCutByServer(response) || this.closing !== undefined;
      settle(!response.writableFinished && !cutByUs);
    });

    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: { ...request.headers },
      body,
      json: parseJson(body),
      receivedAt: Date.now(),
      clientAborted,
    };
    this.requests.push(recorded);
    this.notifyWaiters();

    const signal = AbortSignal.any([perResponse.signal, this.lifetime.signal]);
    try {
      await sendReply(this.chooseReply(recorded), recorded, response, { signal });
    } catch (error) {
      // A throwing route or handler is a bug in the test; make it visible instead of hanging the client.
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const message = `fake-upstream reply failed: ${error instanceof Error ? error.message : String(error)}`;
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(message);
    }
  }

  private chooseReply(request: RecordedRequest): Reply {
    const mode = chaosMode(request.headers);
    if (mode !== undefined) return chaosReply(mode, request, () => this.routedReply(request));
    return this.routedReply(request);
  }

  private routedReply(request: RecordedRequest): Reply {
    for (let index = this.routes.length - 1; index >= 0; index--) {
      const route = this.routes[index];
      if (!route || route.remaining <= 0) continue;
      if (route.method !== undefined && route.method !== request.method.toUpperCase()) continue;
      if (!pathMatches(route.path, request.path)) continue;
      route.remaining -= 1;
      if (route.remaining <= 0) this.routes.splice(index, 1);
      return route.take(request);
    }
    if (!this.defaultReplies) return notFound(request, 'fake-upstream: no route matches');
    return defaultReply(request, () => `chatcmpl-fake-${++this.nextId}`);
  }

  private notifyWaiters(): void {
    for (const waiter of this.waiters) {
      if (this.requests.length < waiter.count) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve([...this.requests]);
    }
  }
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const upstream = new FakeUpstreamServer(options);
  await upstream.listen();
  return upstream;
}
