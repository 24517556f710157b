/**
 * `POST /routing/explain`: how a key's request would be routed right now, without sending it: the matching rule,
 * every target left out and why (unknown, audience, environment, kind, capability, health), and the ordered plan
 * with each member's weight and priority. It runs the data plane's own planner on the snapshot in service.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { explainRoute } from '../../core/routing/explain.js';
import { planRoute } from '../../core/routing/plan-route.js';
import { refusal } from '../../core/routing/refusal.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../../core/wire/openai.js';
import { permission, teamScope } from './access.js';
import type { AdminApp, AdminDependencies } from './app.js';
import { jsonBody, jsonResponse, problemResponses, security } from './openapi-helpers.js';

const ExplainRequestSchema = z
  .object({
    keyId: z.string().min(1).max(64),
    endpoint: z.enum(['chat', 'embeddings']).optional(),
    model: z.string().min(1).max(256),
    headers: z.record(z.string().min(1).max(128), z.string().max(1024)).optional(),
    metadata: z.record(z.string().min(1).max(64), z.string().max(256)).optional(),
    tags: z.array(z.string().min(1).max(64)).max(20).optional(),
    stream: z.boolean().optional(),
    tools: z.boolean().optional().openapi({ description: 'The request would carry tools' }),
    images: z.boolean().optional().openapi({ description: 'The request would carry image parts' }),
    jsonOutput: z.boolean().optional().openapi({ description: 'The request would ask for JSON output' }),
  })
  .strict()
  .openapi('RoutingExplainRequest');

const ExplanationSchema = z
  .object({
    ok: z.boolean(),
    rule: z
      .string()
      .nullable()
      .openapi({ description: 'The matching rule, `default`, or null (the model as named)' }),
    plan: z.array(
      z.object({
        backend: z.string(),
        provider: z.string(),
        model: z.string(),
        version: z.string(),
        weight: z.number().int(),
        priority: z.number().int(),
        health: z.string().openapi({
          description:
            "The entry's status (healthy, unhealthy, unverified, deferred), or `ejected` / `cooling` when real traffic holds this backend back",
        }),
      }),
    ),
    excluded: z.array(z.object({ target: z.string(), reason: z.string(), detail: z.string() })),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('RoutingExplanation');

/** The routing explanation route. */
export function registerRoutingRoutes(app: AdminApp, deps: AdminDependencies): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/routing/explain',
      ...permission('routing.read'),
      tags: ['Routing'],
      summary:
        "Explain how a key's request would be routed now: the rule, what was left out and why, the plan",
      security,
      request: jsonBody(ExplainRequestSchema),
      responses: { 200: jsonResponse(ExplanationSchema, 'The explanation'), ...problemResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const snapshot = deps.snapshot?.();
      if (!snapshot) throw new GatewayError('not_ready', 'There is no configuration in service yet');
      const scope = teamScope(c);
      const key = [...snapshot.keysByHash.values()].find(
        (candidate) => candidate.id === input.keyId && (scope === undefined || candidate.teamId === scope),
      );
      if (!key) {
        throw new GatewayError(
          'not_found',
          `API key ${input.keyId} does not exist, is revoked or has expired`,
        );
      }
      const endpoint = input.endpoint ?? 'chat';
      const request = sampleRequest(input, endpoint);
      const headers = Object.fromEntries(
        Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      );
      const route = planRoute({
        request: {
          model: input.model,
          header: (name) => headers[name],
          metadata: input.metadata,
          tags: input.tags ?? [],
        },
        key,
        snapshot,
        refuse: (model) => refusal(request, model, endpoint),
        random: Math.random,
        maxAttempts: Number.POSITIVE_INFINITY,
        health: deps.board,
      });
      return c.json(explainRoute(route, deps.board), 200);
    },
  );
}

/** A request with the features the explanation was asked about, so capability checks apply. */
function sampleRequest(
  input: z.infer<typeof ExplainRequestSchema>,
  endpoint: 'chat' | 'embeddings',
): ChatCompletionRequest | EmbeddingsRequest {
  if (endpoint === 'embeddings') return { model: input.model, input: 'x' };
  const content = input.images
    ? [
        { type: 'text' as const, text: 'x' },
        { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AA==' } },
      ]
    : 'x';
  return {
    model: input.model,
    messages: [{ role: 'user', content }],
    ...(input.stream ? { stream: true } : {}),
    ...(input.tools
      ? { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] }
      : {}),
    ...(input.jsonOutput ? { response_format: { type: 'json_object' } } : {}),
  };
}
