// The fixed answers of the mock upstream and the small request bodies the load posts.
// No body may contain `$` or `'` (they are embedded in nginx `return` strings).

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
        content: 'Hello! I am doing well, thank you. How can I help you today?',
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
