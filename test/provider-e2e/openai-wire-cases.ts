/**
 * The hooks of the end-to-end suite for providers that speak OpenAI's wire format (OpenAI, Azure OpenAI,
 * Mistral, OpenAI-compatible servers): their fakes answer in OpenAI's shapes, and tool calls, errors and cut
 * streams are queued on the fake in those shapes.
 */
import type { FakeUpstream, Reply } from '../harness/fake-upstream.js';
import { chatChunk, chatStream, openAIError } from '../harness/openai-fixtures.js';
import type { SdkProviderCase } from './sdk-suite.js';

const CHAT_PATH = /\/chat\/completions/;

/** An answer calling get_weather, whole or streamed with its arguments in two pieces. */
function toolCallReply(stream: boolean): Reply {
  const model = 'fake-model';
  if (!stream) {
    return {
      kind: 'json',
      body: {
        id: 'chatcmpl-tool',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      },
    };
  }
  const piece = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...chatChunk({ model }),
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  return {
    kind: 'sse',
    events: [
      piece({ role: 'assistant', content: null }),
      piece({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      }),
      piece({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      piece({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      piece({}, 'tool_calls'),
    ],
  };
}

/** The hooks shared by every OpenAI-wire provider's suite. */
export function openaiWireHooks(
  upstream: () => FakeUpstream,
): Pick<SdkProviderCase, 'failNextChat' | 'cutNextStream' | 'nextChatCallsTool' | 'requests'> {
  return {
    failNextChat(status) {
      upstream().enqueue('POST', CHAT_PATH, {
        kind: 'json',
        status,
        body: openAIError(
          status === 429 ? 'Rate limit reached' : 'Invalid request',
          status === 429 ? 'rate_limit_error' : 'invalid_request_error',
        ),
      });
    },
    cutNextStream() {
      const events = chatStream({ model: 'fake-model', words: ['one ', 'two ', 'three ', 'four'] });
      upstream().enqueue('POST', CHAT_PATH, { kind: 'sse', events, afterEvents: 3, end: 'reset' });
    },
    nextChatCallsTool(stream) {
      upstream().enqueue('POST', CHAT_PATH, toolCallReply(stream));
    },
    requests: () => upstream().requests,
  };
}
