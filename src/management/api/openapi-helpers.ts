/** Small builders that keep route declarations short and every route's error answers documented. */
import { z } from '@hono/zod-openapi';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../services/listing.js';
import { ProblemSchema } from './schemas.js';

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: ProblemSchema } },
  description,
});

/** The error answers every authenticated route may give. */
export const problemResponses = {
  400: problem('The request is not valid'),
  401: problem('No valid admin credential'),
  404: problem('Not found'),
  409: problem('Conflicts with the stored configuration'),
  413: problem('The body is too large'),
  422: problem('The change would make the configuration invalid'),
} as const;

export const idParam = (description: string) =>
  z.object({
    id: z
      .string()
      .min(1)
      .max(128)
      .openapi({ param: { name: 'id', in: 'path' }, description }),
  });

/** An admin token, or a browser session (cookie plus `x-csrf-token` on changes). */
export const security: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

/** Query fields of a keyset-paged read: `limit` and the previous page's `nextCursor`. */
export const pageQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT)
    .default(DEFAULT_PAGE_LIMIT)
    .openapi({ description: `Rows per page (1 to ${MAX_PAGE_LIMIT})` }),
  cursor: z.string().max(1000).optional().openapi({ description: '`nextCursor` of the previous page' }),
};

/** A page of `schema` rows with the cursor of the next page (null on the last). */
export const pageResponse = <T extends z.ZodType>(schema: T, description: string) =>
  jsonResponse(z.object({ data: z.array(schema), nextCursor: z.string().nullable() }), description);

/**
 * A streamed download from an async generator of text chunks (pages of an export). The first chunk is read
 * before answering, so a bad filter is still a problem+json 400 rather than a broken download.
 */
export async function downloadStream(chunks: AsyncGenerator<string>): Promise<ReadableStream<Uint8Array>> {
  const first = await chunks.next();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** A download's file name: `<name>-<UTC time to the second>.<extension>`. */
export function downloadName(name: string, extension: string): string {
  return `${name}-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.${extension}`;
}
