/**
 * What one upstream attempt returns, whoever served it (an HTTP provider or the in-process echo provider),
 * and how failures are classified for fallback.
 */
import type { Readable } from 'node:stream';
import type { CompiledModel, Deployment } from '../../core/snapshot/snapshot.js';

export interface UpstreamResponse {
  statusCode: number;
  contentType: string;
  body: Readable;
  /** The upstream's `Retry-After`, when it sent one. */
  retryAfter?: string;
  /** The answer's headers (read for error details). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AttemptContext {
  requestId: string;
  endpoint: 'chat' | 'embeddings';
  deployment: Deployment;
  model: CompiledModel;
  /** The client's body text with `model` already patched to the upstream name. */
  bodyText: string;
  /** The parsed client body (echo answers from it). */
  body: Record<string, unknown>;
  stream: boolean;
  signal: AbortSignal;
}

export interface UpstreamTimeouts {
  connectMs: number;
  /** From sending the request to receiving response headers. */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
}

/** Why an attempt produced no usable response. */
export type AttemptFailureKind = 'connect' | 'timeout' | 'reset' | 'aborted';

export class AttemptFailure extends Error {
  /** The connection broke while the request was in flight, after it was sent: it may have been processed. */
  readonly uncertain: boolean;

  constructor(
    readonly kind: AttemptFailureKind,
    message: string,
    options?: { cause?: unknown; uncertain?: boolean },
  ) {
    super(message, options);
    this.uncertain = options?.uncertain ?? false;
    this.name = 'AttemptFailure';
  }
}

/** Executes one attempt against one deployment. */
export type UpstreamCaller = (context: AttemptContext) => Promise<UpstreamResponse>;
