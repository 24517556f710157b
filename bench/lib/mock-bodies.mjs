// The fixed answers of the mock upstream and the small request bodies the load posts.
// No body may contain `$` or `'` (they are embedded in nginx `return` strings).

/** The text of the JSON answers (OpenAI and Anthropic alike). */
export const ANSWER_TEXT = 'Hello! I am doing well, thank you. How can I help you today?';

export const CHAT_JSON = JSON.stringify({
  id: 'chatcmpl-bench0000000000000000000001',
  object: 'chat.completion',
  created: 1735689600,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: ANSWER_TEXT,
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 19, completion_tokens: 16, total_tokens: 35 },
  system_fingerprint: 'fp_bench',
});

const WORDS = [
  'Hello',
  '!',
  ' I',
  ' am',
  ' doing',
  ' well',
  ',',
  ' thank',
  ' you',
  '.',
  ' How',
  ' can',
  ' I',
];
/** The text of the streamed answers: their deltas joined. */
export const STREAM_TEXT = WORDS.join('');

/** 15 `data:` events (role, 13 content deltas, finish with usage), then `data: [DONE]`. */
export function sseEvents() {
  const base = {
    id: 'chatcmpl-bench0000000000000000000002',
    object: 'chat.completion.chunk',
    created: 1735689600,
    model: 'gpt-4o-mini-2024-07-18',
    system_fingerprint: 'fp_bench',
  };
  const events = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    },
  ];
  for (const word of WORDS)
    events.push({
      ...base,
      choices: [{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }],
    });
  events.push({
    ...base,
    choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32 },
  });
  return events;
}

export const SSE_BODY = `${sseEvents()
  .map((event) => `data: ${JSON.stringify(event)}\n\n`)
  .join('')}data: [DONE]\n\n`;

// The same answer in Anthropic's Messages wire format, for the translation runs (T6): Junction turns the
// client's OpenAI request into a Messages request and these answers back into OpenAI ones.

export const ANTHROPIC_JSON = JSON.stringify({
  id: 'msg_bench00000000000000000001',
  type: 'message',
  role: 'assistant',
  model: 'claude-haiku-4-5-20251001',
  content: [{ type: 'text', text: ANSWER_TEXT }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 19,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 16,
    service_tier: 'standard',
  },
});

/**
 * The OpenAI stream's equivalent: message_start (the role), one text block opened, 13 text deltas (the same
 * words), closed, message_delta (stop reason and usage), message_stop. Each event carries its `event:` line.
 */
export function anthropicEvents() {
  const events = [
    {
      type: 'message_start',
      message: {
        id: 'msg_bench00000000000000000002',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-haiku-4-5-20251001',
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 19,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ];
  for (const word of WORDS)
    events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } });
  events.push(
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 13 },
    },
    { type: 'message_stop' },
  );
  return events;
}

export const ANTHROPIC_SSE_BODY = anthropicEvents()
  .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  .join('');

export const EMBED_DIMENSION = 16;
export const EMBEDDINGS_JSON = JSON.stringify({
  object: 'list',
  data: [
    {
      object: 'embedding',
      index: 0,
      embedding: Array.from({ length: EMBED_DIMENSION }, (_, i) => Number((Math.sin(i + 1) / 4).toFixed(6))),
    },
  ],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 5, total_tokens: 5 },
});

export const MODELS_JSON = JSON.stringify({
  object: 'list',
  data: [{ id: 'gpt-4o-mini', object: 'model', created: 1735689600, owned_by: 'bench' }],
});

const MESSAGES = [
  { role: 'user', content: 'Hello, how are you today? Please answer in one short sentence.' },
];

/** The chat body posted by every load (model name per target; stream on or off). */
export const chatBody = (model, stream = false) =>
  JSON.stringify(
    stream
      ? { model, messages: MESSAGES, max_tokens: 64, stream: true }
      : { model, messages: MESSAGES, max_tokens: 64 },
  );

export const embeddingsBody = (model) =>
  JSON.stringify({ model, input: 'The quick brown fox jumps over the lazy dog' });
