/**
 * Self-hosted and third-party servers that speak OpenAI's API (vLLM, Ollama's `/v1`, TGI, llama.cpp server,
 * LM Studio). Junction cannot know which OpenAI parameters a given server honours, and these servers
 * generally ignore what they do not know, so the client's body goes through untouched apart from `model`,
 * with no warnings: exactly what the OpenAI adapter does. Their error bodies vary (`{error:{...}}`,
 * `{error:"..."}`, `{detail}`, `{message}`); the shared reader understands all of them.
 */
import type { ProviderAdapter } from '../adapter.js';
import { openaiAdapter } from '../openai/index.js';

/** The adapter for OpenAI-compatible servers. */
export const openaiCompatibleAdapter: ProviderAdapter = openaiAdapter;
