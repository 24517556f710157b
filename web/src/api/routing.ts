import { useMutation, useQuery } from '@tanstack/react-query';
import { request } from './client';
import type { ListResponse } from './types';

// A key's routing policy (`src/core/routing/policy.ts` on the server, `RoutingPolicy` in the OpenAPI document).

/** A logical model (its pool applies) or a pinned deployment (`<provider id>/<upstream model>`). */
export type RouteTarget = { model: string } | { deployment: string };
export type WeightedTarget = RouteTarget & { weight: number };

export type RoutingStrategy =
  | { type: 'fallback'; targets: RouteTarget[] }
  | { type: 'split'; targets: WeightedTarget[]; fallback?: RouteTarget[] };

export interface RouteMatch {
  /** Requested model names; a trailing `*` matches a prefix. */
  models?: string[];
  headers?: Record<string, string>;
  metadata?: Record<string, string>;
  tags?: string[];
}

export interface RoutingRule {
  name: string;
  match: RouteMatch;
  strategy: RoutingStrategy;
}

export interface ExecutionPolicy {
  retryOn?: ('connect' | 'timeout' | 'rate-limit' | 'server-error')[];
  replayUncertain?: boolean;
  deadlineMs?: number;
  fallbackWithinMs?: number;
  uncertainAfterMs?: number;
  firstByteTimeoutMs?: number;
  maxAttempts?: number;
}

export interface RoutingPolicy {
  rules: RoutingRule[];
  default?: RoutingStrategy;
  execution?: ExecutionPolicy;
}

/** `POST /admin/v1/routing/explain`: a sample request for a key. */
export interface ExplainInput {
  keyId: string;
  endpoint?: 'chat' | 'embeddings';
  model: string;
  headers?: Record<string, string>;
  metadata?: Record<string, string>;
  tags?: string[];
  stream?: boolean;
  tools?: boolean;
  images?: boolean;
  jsonOutput?: boolean;
}

export interface PlannedStep {
  backend: string;
  provider: string;
  model: string;
  version: string;
  weight: number;
  priority: number;
  health: string;
}

export interface Explanation {
  ok: boolean;
  /** The matching rule, `default`, or null (the model as named). */
  rule: string | null;
  plan: PlannedStep[];
  excluded: { target: string; reason: string; detail: string }[];
  error?: { code: string; message: string };
}

export function useExplain() {
  return useMutation({
    mutationFn: (input: ExplainInput) =>
      request<Explanation>('/admin/v1/routing/explain', { method: 'POST', body: input }),
  });
}

interface ModelSummary {
  id: string;
  kind: string;
  enabled: boolean;
  deployments: { providerId: string; upstreamModel: string }[];
}

interface AliasSummary {
  id: string;
  modelId: string;
}

/** What a routing target may name: logical models (and aliases), and every pool member as a deployment. */
export interface TargetChoices {
  models: string[];
  deployments: string[];
}

/**
 * Logical models, aliases and deployments, for the target pickers. Reads `/models` and `/aliases`; an alias list
 * that cannot be read (older server, missing permission) is left out rather than failing the editor.
 */
export function useTargetChoices() {
  return useQuery({
    queryKey: ['routing-target-choices'] as const,
    queryFn: async (): Promise<TargetChoices> => {
      const [models, aliases] = await Promise.all([
        request<ListResponse<ModelSummary>>('/admin/v1/models'),
        request<ListResponse<AliasSummary>>('/admin/v1/aliases').catch(() => ({
          data: [] as AliasSummary[],
        })),
      ]);
      const names = new Set<string>();
      const deployments = new Set<string>();
      for (const model of models.data) {
        if (model.enabled) names.add(model.id);
        for (const member of model.deployments)
          deployments.add(`${member.providerId}/${member.upstreamModel}`);
      }
      for (const alias of aliases.data) names.add(alias.id);
      return {
        models: [...names].sort((a, b) => a.localeCompare(b)),
        deployments: [...deployments].sort((a, b) => a.localeCompare(b)),
      };
    },
    staleTime: 30_000,
  });
}
