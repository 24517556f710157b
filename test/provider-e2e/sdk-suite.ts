/**
 * The end-to-end suite every provider runs: the official `openai` SDK talks to a running Junction, which talks
 * to that provider's fake upstream in the provider's own wire format. Text, streaming with usage, forced tool
 * calls (plain and streamed, arguments reassembled), upstream errors keeping their status, a stream cut
 * mid-way ending in an error rather than a clean end, embeddings at the recorded dimension, and the
 * credential the upstream saw.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../harness/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

export interface SdkProviderCase {
  label: string;
  /** Starts the provider's fake and creates the entry and models through the admin API. */
  setup(gateway: TestGateway): Promise<void>;
  teardown(): Promise<void>;
  chatModel: string;
  embeddingModel?: { id: string; dimension: number };
  /** Makes the fake's next chat answer fail with `status`, in the provider's error shape. */
  failNextChat(status: number): void;
  /** Makes the fake's next streamed chat answer stop after a few events, without its terminal event. */
  cutNextStream(): void;
  /** Prepares the fake's next chat answer to be a call of `get_weather` (when its default does not). */
  nextChatCallsTool?(stream: boolean): void;
  /** Every request the fake received. */
  requests(): RecordedRequest[];
  /** Checks the last chat request carried the entry's credential the provider's way. */
  expectAuthenticated(request: RecordedRequest): void;
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

/** Registers the suite for one provider. */
export function runSdkSuite(provider: SdkProviderCase): void {
  describe(`openai SDK through Junction to ${provider.label}`, () => {
    let gateway: TestGateway;
    let client: OpenAI;

    beforeAll(async () => {
      gateway = await startTestGateway();
      await provider.setup(gateway);
      const key = await gateway.createKey();
      client = new OpenAI({ apiKey: key.secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    });
    afterAll(async () => {
      await gateway?.close();
      await provider.teardown();
    });

    it('answers a chat in OpenAI format, with usage, authenticated the provider way', async () => {
      const completion = await client.chat.completions.create({
        model: provider.chatModel,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello there' },
        ],
      });
      expect(completion.object).toBe('chat.completion');
      // Relayed OpenAI-wire answers name the upstream's model; translated ones the model asked for.
      expect(completion.model).toBeTruthy();
      expect(completion.choices[0]?.message.content).toContain('hello there');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(completion.usage?.total_tokens).toBe(
        (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
      );
      provider.expectAuthenticated(provider.requests().at(-1)!);
    });

    it('streams a chat chunk by chunk, ending with a finish reason and a usage chunk', async () => {
      const stream = await client.chat.completions.create({
        model: provider.chatModel,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'stream me please' }],
      });
      let text = '';
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toContain('stream me please');
      expect(finish).toBe('stop');
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    it('returns a forced tool call with JSON arguments', async () => {
      provider.nextChatCallsTool?.(false);
      const completion = await client.chat.completions.create({
        model: provider.chatModel,
        messages: [{ role: 'user', content: 'weather in Paris?' }],
        tools: [weatherTool],
        tool_choice: 'required',
      });
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      const call = choice.message.tool_calls?.[0];
      expect(call?.type).toBe('function');
      if (call?.type !== 'function') return;
      expect(call.function.name).toBe('get_weather');
      expect(call.id).toBeTruthy();
      expect(typeof JSON.parse(call.function.arguments)).toBe('object');
    });

    it('streams a tool call whose arguments reassemble into JSON', async () => {
      provider.nextChatCallsTool?.(true);
      const stream = await client.chat.completions.create({
        model: provider.chatModel,
        stream: true,
        messages: [{ role: 'user', content: 'weather in Paris?' }],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      let name = '';
      let id = '';
      let args = '';
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        const call = chunk.choices[0]?.delta.tool_calls?.[0];
        if (call?.id) id = call.id;
        name += call?.function?.name ?? '';
        args += call?.function?.arguments ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(name).toBe('get_weather');
      expect(id).toBeTruthy();
      expect(typeof JSON.parse(args)).toBe('object');
      expect(finish).toBe('tool_calls');
    });

    it('keeps the status of an upstream error, in OpenAI error format', async () => {
      provider.failNextChat(429);
      const limited = await client.chat.completions
        .create({ model: provider.chatModel, messages: [{ role: 'user', content: 'x' }] })
        .catch((error: unknown) => error);
      expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
      provider.failNextChat(400);
      const refused = await client.chat.completions
        .create({ model: provider.chatModel, messages: [{ role: 'user', content: 'x' }] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).message).toContain('answered HTTP 400');
    });

    it('ends a stream cut mid-way with an error, never a clean end', async () => {
      provider.cutNextStream();
      const stream = await client.chat.completions.create({
        model: provider.chatModel,
        stream: true,
        messages: [{ role: 'user', content: 'one two three four five six seven eight' }],
      });
      const consume = async () => {
        for await (const _chunk of stream) {
          // read to the end
        }
      };
      await expect(consume()).rejects.toThrow();
    });

    if (provider.embeddingModel) {
      const { id, dimension } = provider.embeddingModel;
      it('embeds at the recorded dimension', async () => {
        const result = await client.embeddings.create({ model: id, input: ['one', 'two'] });
        expect(result.data).toHaveLength(2);
        expect(result.data[0]?.embedding).toHaveLength(dimension);
        expect(result.data[1]?.index).toBe(1);
      });
    }
  });
}

/** A chat model declared with every capability, served by one deployment. */
export function fullChatModel(id: string, providerId: string, upstreamModel: string) {
  return {
    id,
    kind: 'chat',
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true },
    deployments: [{ providerId, upstreamModel }],
  };
}

/** A Google service-account key file for `privateKey`, whose token URI is the fake's `/token` route. */
export function serviceAccountKey(
  privateKeyPem: string,
  clientEmail: string,
  upstreamUrl: string,
  keyId: string,
) {
  return {
    type: 'service_account',
    project_id: 'acme-prod',
    private_key_id: keyId,
    private_key: privateKeyPem,
    client_email: clientEmail,
    token_uri: `${upstreamUrl}/token`,
  };
}
