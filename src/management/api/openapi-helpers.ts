/** Small builders that keep route declarations short and every route's error answers documented. */
import { z } from '@hono/zod-openapi';
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

export const security = [{ bearer: [] as string[] }];
