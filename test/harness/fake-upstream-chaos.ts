/**
 * Header-driven chaos: a request carrying `x-chaos: <mode>` gets a broken answer, whatever routes say. This
 * lets end-to-end tests break one specific call through the gateway without reprogramming the fake.
 *
 * Modes that only cut a stream short (`stall-after-chunk:<n>`, `rst-after-chunk:<n>`, `eof-no-terminal`)
 * start from the reply the request would otherwise get (route or default) and damage it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RecordedRequest, Reply } from './fake-upstream.js';
import { renderBody, resetConnection } from './fake-upstream-replies.js';
import { openAIError } from './openai-fixtures.js';

export const CHAOS_HEADER = 'x-chaos';

export function chaosMode(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[CHAOS_HEADER];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

/** OpenAI's error type and code for a status, so clients that branch on them see the real shape. */
function errorShape(status: number): { type: string; code: string | null; message: string } {
  if (status === 401)
    return { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Invalid key' };
  if (status === 403) return { type: 'permission_error', code: null, message: 'Forbidden' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found', message: 'Not found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached' };
  if (status >= 500) return { type: 'server_error', code: null, message: 'The server had an error' };
  return { type: 'invalid_request_error', code: null, message: 'Bad request' };
}

const HTML_502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

export function chaosReply(mode: string, request: RecordedRequest, base: () => Reply): Reply {
  const status = /^status:(\d{3})(?::(\d+))?$/.exec(mode);
  if (status) {
    const code = Number(status[1]);
    const shape = errorShape(code);
    return {
      kind: 'json',
      status: code,
      headers: status[2] === undefined ? undefined : { 'retry-after': status[2] },
      body: openAIError(`${shape.message} (fake-upstream chaos ${code})`, shape.type, shape.code),
    };
  }
  const cut = /^(stall|rst)-after-chunk:(\d+)$/.exec(mode);
  if (cut) return cutAfter(base(), cut[1] === 'rst' ? 'reset' : 'stall', Number(cut[2]));

  switch (mode) {
    case 'stall-before-headers':
      return { kind: 'stall' };
    case 'reset':
      return { kind: 'reset' };
    case 'eof-no-terminal':
      return withoutTerminal(base());
    case 'garbage':
      return {
        kind: 'text',
        contentType: 'application/json',
        body: '{"id": "chatcmpl-garbage", <<not json>>',
      };
    case 'html-502':
      return { kind: 'text', status: 502, contentType: 'text/html', body: HTML_502 };
    case 'echo-auth': {
      // Mirrors providers that quote the rejected key back; a gateway must never relay this verbatim.
      const auth = request.headers.authorization;
      const shown = (Array.isArray(auth) ? auth.join(', ') : auth) ?? '(none)';
      return {
        kind: 'json',
        status: 401,
        body: openAIError(
          `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      };
    }
    default:
      return {
        kind: 'json',
        status: 400,
        body: openAIError(`fake-upstream: unknown ${CHAOS_HEADER} mode '${mode}'`, 'invalid_request_error'),
      };
  }
}

/**
 * SSE replies are cut after `events` events. A json/text reply has no events, so it sends its headers
 * (with the full Content-Length) and then stalls or resets before any body byte.
 */
function cutAfter(reply: Reply, end: 'stall' | 'reset', events: number): Reply {
  if (reply.kind === 'sse') return { ...reply, end, afterEvents: events, done: false };
  if (reply.kind !== 'json' && reply.kind !== 'text') return reply;
  const { status, headers } = renderBody(reply);
  return {
    kind: 'handler',
    handle: (_request, response) => {
      response.writeHead(status, headers);
      response.flushHeaders();
      if (end === 'reset') resetConnection(response);
    },
  };
}

function hasFinishReason(event: unknown): boolean {
  let value = event;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  if (typeof value !== 'object' || value === null || !('choices' in value)) return false;
  const { choices } = value;
  return (
    Array.isArray(choices) &&
    choices.some((choice: unknown) => {
      if (typeof choice !== 'object' || choice === null || !('finish_reason' in choice)) return false;
      return choice.finish_reason != null;
    })
  );
}

/**
 * The stream ends cleanly (no error, chunked terminator sent) but before the finish chunk and `[DONE]`, as a
 * provider that crashes mid-answer behind a well-behaved proxy would. A json/text body is cut in half.
 */
function withoutTerminal(reply: Reply): Reply {
  if (reply.kind === 'sse') {
    const finish = reply.events.findIndex(hasFinishReason);
    const events = finish === -1 ? reply.events : reply.events.slice(0, finish);
    return { ...reply, events, end: 'close', afterEvents: undefined, done: false };
  }
  if (reply.kind !== 'json' && reply.kind !== 'text') return reply;
  const { status, headers, bytes } = renderBody(reply);
  const half = bytes.subarray(0, Math.floor(bytes.length / 2));
  return {
    kind: 'handler',
    handle: (_request, response) => {
      response.writeHead(status, { ...headers, 'content-length': half.length });
      response.end(half);
    },
  };
}
