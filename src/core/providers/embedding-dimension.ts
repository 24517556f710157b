/** Checks that an embeddings answer has the dimension the model is recorded with. */
import type { EmbeddingsResponse } from '../wire/openai.js';

/** The first vector whose length differs from `expected`, or undefined when all match (or none is expected). */
export function checkEmbeddingDimension(
  response: EmbeddingsResponse,
  expected: number | null | undefined,
): { expected: number; actual: number } | undefined {
  if (!expected || !Array.isArray(response.data)) return undefined;
  for (const item of response.data) {
    const actual = vectorLength(item?.embedding);
    if (actual !== undefined && actual !== expected) return { expected, actual };
  }
  return undefined;
}

/** A vector's length: array items, or float32 values in a base64 string. */
function vectorLength(embedding: unknown): number | undefined {
  if (Array.isArray(embedding)) return embedding.length;
  if (typeof embedding !== 'string') return undefined;
  const padding = embedding.endsWith('==') ? 2 : embedding.endsWith('=') ? 1 : 0;
  return Math.floor(((embedding.length * 3) / 4 - padding) / 4);
}
