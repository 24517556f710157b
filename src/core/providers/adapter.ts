/**
 * The provider adapter contract. An adapter turns one OpenAI request into one upstream request for its
 * provider, and the provider's answer (whole, or event by event) back into OpenAI's format. Adapters are pure:
 * they never do I/O and never authenticate; authentication is applied afterwards by the data plane's auth
 * decorator, so "Claude on Vertex" is the Anthropic translator plus Google authentication.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import type { ModelCapabilities } from '../snapshot/source.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  Usage,
} from '../wire/openai.js';

/** What an adapter knows of the deployment it builds a request for. */
export interface AdapterTarget {
  /** The provider entry's identifier (for messages). */
  readonly providerId: string;
  /** The model name the upstream expects (a Bedrock model id, an Azure deployment name, ...). */
  readonly upstreamModel: string;
  /** The entry's cloud region, when its type has one. */
  readonly region: string | null;
  /** The path of the entry's base URL, without a trailing slash (`/v1`, `/openai/v1`, or empty). */
  readonly basePath: string;
  /** Type-specific settings of the entry, validated by the catalog (e.g. `apiVersion` for Azure). */
  readonly settings: Readonly<Record<string, string>>;
  /** What the logical model is declared to support. */
  readonly capabilities: ModelCapabilities;
  /** The logical model's recorded embedding dimension. */
  readonly dimension: number | null;
}

/**
 * How a successful upstream answer is framed: `openai` answers (JSON or SSE) are already OpenAI's and are
 * relayed as received; the others are translated by the adapter's parser or stream mapper.
 */
export type UpstreamFraming = 'openai' | 'json' | 'sse' | 'aws-event-stream';

/** One request to send upstream, before authentication. */
export interface UpstreamRequest {
  readonly method: 'POST';
  /** Path and query, appended to the entry's origin (the adapter includes the base path where it applies). */
  readonly path: string;
  /** Headers other than authentication (`content-type`, `anthropic-version`, ...). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** How the answer comes back when it succeeds. */
  readonly framing: UpstreamFraming;
}

/** A request built, with what had to be left out, or the reason it cannot be sent to this provider. */
export type BuildResult =
  | { readonly ok: true; readonly request: UpstreamRequest; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: GatewayError };

/** What an adapter needs to know when it builds a request. */
export interface BuildInput<Request> {
  /** The client's parsed, validated body. */
  readonly request: Request;
  /** The client's body exactly as received (OpenAI-wire adapters forward it with only `model` patched). */
  readonly bodyText: string;
  readonly target: AdapterTarget;
}

/** What every translated answer is stamped with. */
export interface ResponseContext {
  /** The `model` the client asked for: answers report it, as OpenAI does. */
  readonly requestedModel: string;
  /** `chatcmpl-…` id to use when the upstream gives none usable. */
  readonly responseId: string;
  /** Unix seconds. */
  readonly created: number;
  /** Whether the client asked for a final usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  readonly target: AdapterTarget;
}

/** A parsed answer, or why the upstream's body could not be understood. */
export type ParseResult<Body> =
  | { readonly ok: true; readonly body: Body; readonly usage: Usage | undefined }
  | { readonly ok: false; readonly error: GatewayError };

/** One upstream stream event: an SSE event, or an AWS event-stream message with its payload as text. */
export type UpstreamEvent =
  | { readonly kind: 'sse'; readonly event: string | undefined; readonly data: string }
  | {
      readonly kind: 'aws';
      /** `:message-type`: `event` or `exception`. */
      readonly messageType: string;
      /** `:event-type` for events, `:exception-type` for exceptions. */
      readonly eventType: string;
      readonly payload: string;
    };

/** What one upstream event became. */
export interface StreamStep {
  /** OpenAI chunks to send, in order. */
  readonly chunks: readonly ChatCompletionChunk[];
  /** The upstream's terminal event arrived: the gateway sends `[DONE]` after these chunks. */
  readonly done?: boolean;
  /** The upstream reported a failure in the stream: the gateway sends it as an error event, and no `[DONE]`. */
  readonly error?: GatewayError;
}

/** Translates one upstream stream, event by event; one per request, holding that stream's state. */
export interface StreamMapper {
  push(event: UpstreamEvent): StreamStep;
  /** Usage reported so far. */
  usage(): Usage | undefined;
  /**
   * Whether `usage()` counts everything generated so far. Absent means it does (the usage arrives whole, or as
   * running totals). A provider that opens with a placeholder output count (Anthropic's `message_start`) says
   * false until the real one arrives, so a stream cut before it records the completion estimated from what was
   * delivered.
   */
  usageCoversCompletion?(): boolean;
}

/** The readable part of an upstream error body, and the OpenAI error type that fits it. */
export interface UpstreamErrorDetail {
  /** The provider's own message, when its body had one. */
  readonly message: string | undefined;
  /** The provider's error type or code, when it gave one. */
  readonly providerCode: string | undefined;
}

/**
 * One provider type's translators. `buildChat` is always there; the parsers are there when some request of the
 * type is answered in the provider's own format (a request whose `framing` is not `openai`).
 */
export interface ProviderAdapter {
  buildChat(input: BuildInput<ChatCompletionRequest>): BuildResult;
  /** Absent when the provider has no embeddings. */
  readonly buildEmbeddings?: (input: BuildInput<EmbeddingsRequest>) => BuildResult;
  readonly parseChat?: (text: string, context: ResponseContext) => ParseResult<ChatCompletion>;
  readonly createStreamMapper?: (context: ResponseContext) => StreamMapper;
  readonly parseEmbeddings?: (text: string, context: ResponseContext) => ParseResult<EmbeddingsResponse>;
  /**
   * Reads an upstream error body (JSON in the provider's own shape, or anything else); `headers` are the answer's
   * (lower-case names), for providers that put the error type there (Bedrock's `x-amzn-errortype`).
   */
  readError(
    status: number,
    text: string,
    headers?: Readonly<Record<string, string | string[] | undefined>>,
  ): UpstreamErrorDetail;
}
