/** OpenAI's `encoding_format: 'base64'` for answers translated from providers that only return floats. */

import { withFields } from '../objects.js';
import type { EmbeddingsResponse } from '../wire/openai.js';
import { float32Base64 } from './echo/generate.js';

/** The same answer with every float vector as base64 little-endian float32, as OpenAI sends it. */
export function encodeEmbeddingsBase64(response: EmbeddingsResponse): EmbeddingsResponse {
  return withFields(response, {
    data: response.data.map((item) =>
      Array.isArray(item.embedding) ? withFields(item, { embedding: float32Base64(item.embedding) }) : item,
    ),
  });
}
