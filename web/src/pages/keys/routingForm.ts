// The routing policy editor's state, its conversion to and from the API's `RoutingPolicy`, and where the API's
// validation errors belong (a rule, a strategy, one target).
import { ApiError, normalizePath } from '../../api/ApiError';
import type { RouteTarget, RoutingPolicy, RoutingRule, RoutingStrategy } from '../../api/routing';

let counter = 0;
/** A stable id for list items, so React keeps each row's state when rows move. */
export function uid(): string {
  counter += 1;
  return `r${counter}`;
}

export type TargetKind = 'model' | 'deployment';

export interface TargetForm {
  uid: string;
  kind: TargetKind;
  value: string;
  /** Used by split strategies. */
  weight: number;
}

export type StrategyType = 'fallback' | 'split';

export interface StrategyForm {
  type: StrategyType;
  targets: TargetForm[];
  /** A split's fallback targets (after the weighted ones). */
  fallback: TargetForm[];
}

export interface PairForm {
  uid: string;
  name: string;
  value: string;
}

export interface RuleForm {
  uid: string;
  name: string;
  models: string[];
  headers: PairForm[];
  metadata: PairForm[];
  tags: string[];
  strategy: StrategyForm;
}

export interface PolicyForm {
  /** Without a default strategy, a request no rule matches goes to the model it names. */
  hasDefault: boolean;
  default: StrategyForm;
  rules: RuleForm[];
  /** Kept as it is: the editor does not change the execution settings. */
  execution: RoutingPolicy['execution'];
}

export function newTarget(kind: TargetKind = 'model', value = '', weight = 1): TargetForm {
  return { uid: uid(), kind, value, weight };
}

export function newStrategy(): StrategyForm {
  return { type: 'fallback', targets: [newTarget()], fallback: [] };
}

export function newPair(name = '', value = ''): PairForm {
  return { uid: uid(), name, value };
}

export function newRule(name = ''): RuleForm {
  return { uid: uid(), name, models: [], headers: [], metadata: [], tags: [], strategy: newStrategy() };
}

function targetForm(target: RouteTarget & { weight?: number }): TargetForm {
  return 'model' in target
    ? newTarget('model', target.model, target.weight ?? 1)
    : newTarget('deployment', target.deployment, target.weight ?? 1);
}

function strategyForm(strategy: RoutingStrategy): StrategyForm {
  return {
    type: strategy.type,
    targets: strategy.targets.map(targetForm),
    fallback: strategy.type === 'split' ? (strategy.fallback ?? []).map(targetForm) : [],
  };
}

const pairs = (record: Record<string, string> | undefined) =>
  Object.entries(record ?? {}).map(([name, value]) => newPair(name, value));

export function policyForm(policy: RoutingPolicy | null): PolicyForm {
  return {
    hasDefault: Boolean(policy?.default),
    default: policy?.default ? strategyForm(policy.default) : newStrategy(),
    rules: (policy?.rules ?? []).map((rule) => ({
      uid: uid(),
      name: rule.name,
      models: [...(rule.match.models ?? [])],
      headers: pairs(rule.match.headers),
      metadata: pairs(rule.match.metadata),
      tags: [...(rule.match.tags ?? [])],
      strategy: strategyForm(rule.strategy),
    })),
    execution: policy?.execution,
  };
}

function target(form: TargetForm): RouteTarget {
  return form.kind === 'model' ? { model: form.value.trim() } : { deployment: form.value.trim() };
}

function strategy(form: StrategyForm): RoutingStrategy {
  if (form.type === 'fallback') return { type: 'fallback', targets: form.targets.map(target) };
  return {
    type: 'split',
    targets: form.targets.map((each) => ({ ...target(each), weight: each.weight })),
    ...(form.fallback.length > 0 ? { fallback: form.fallback.map(target) } : {}),
  };
}

/** Name/value rows as a record (header names lower case); rows with no name are dropped. */
export function pairsRecord(rows: PairForm[], lowerCaseNames = false): Record<string, string> | undefined {
  const entries = rows
    .filter((row) => row.name.trim())
    .map((row) => [lowerCaseNames ? row.name.trim().toLowerCase() : row.name.trim(), row.value] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The policy to save; null (the model as named) when it has neither rules nor a default nor execution settings. */
export function toPolicy(form: PolicyForm): RoutingPolicy | null {
  const rules: RoutingRule[] = form.rules.map((rule) => {
    const headers = pairsRecord(rule.headers, true);
    const metadata = pairsRecord(rule.metadata);
    return {
      name: rule.name.trim(),
      match: {
        ...(rule.models.length > 0 ? { models: rule.models } : {}),
        ...(headers ? { headers } : {}),
        ...(metadata ? { metadata } : {}),
        ...(rule.tags.length > 0 ? { tags: rule.tags } : {}),
      },
      strategy: strategy(rule.strategy),
    };
  });
  if (rules.length === 0 && !form.hasDefault && !form.execution) return null;
  return {
    rules,
    ...(form.hasDefault ? { default: strategy(form.default) } : {}),
    ...(form.execution ? { execution: form.execution } : {}),
  };
}

/**
 * Problems found before saving, keyed like the API's paths: `rules.0.name`, `rules.0.strategy.targets.1`,
 * `default.fallback.0`, `rules.0.match.headers`.
 */
export function checkPolicy(form: PolicyForm): Map<string, string> {
  const problems = new Map<string, string>();
  const checkStrategy = (prefix: string, value: StrategyForm) => {
    if (value.targets.length === 0) problems.set(prefix, 'Add at least one target');
    const check = (list: TargetForm[], part: 'targets' | 'fallback') =>
      list.forEach((each, index) => {
        const path = `${prefix}.${part}.${index}`;
        if (!each.value.trim()) problems.set(path, 'Choose a model or a deployment');
        else if (each.kind === 'deployment' && !/^[^/]+\/.+$/.test(each.value.trim()))
          problems.set(path, 'A deployment is <provider id>/<upstream model>');
        else if (value.type === 'split' && part === 'targets' && !(each.weight >= 0 && each.weight <= 10_000))
          problems.set(path, 'A weight is 0 to 10000');
      });
    check(value.targets, 'targets');
    if (value.type === 'split') {
      check(value.fallback, 'fallback');
      if (value.targets.length > 0 && value.targets.every((each) => each.weight === 0))
        problems.set(prefix, 'At least one weight must be above 0');
    }
  };
  const names = new Set<string>();
  form.rules.forEach((rule, index) => {
    const name = rule.name.trim();
    if (!name) problems.set(`rules.${index}.name`, 'Required');
    else if (names.has(name)) problems.set(`rules.${index}.name`, 'Another rule has this name');
    names.add(name);
    if (rule.headers.some((row) => !row.name.trim() && row.value))
      problems.set(`rules.${index}.match.headers`, 'Every header needs a name');
    if (rule.metadata.some((row) => !row.name.trim() && row.value))
      problems.set(`rules.${index}.match.metadata`, 'Every metadata entry needs a name');
    checkStrategy(`rules.${index}.strategy`, rule.strategy);
  });
  if (form.hasDefault) checkStrategy('default', form.default);
  return problems;
}

/**
 * The API's errors about the routing policy, keyed like `checkPolicy`. Two sources: request validation
 * (`routing.rules.0.strategy.targets.1.model`) and the trial compile of the configuration
 * (`keys/<id>/routing/rules/0` with "model X does not exist or is disabled"); a compile issue names the target
 * in its message, so it is placed on the target with that name when there is one.
 */
export function apiPolicyErrors(error: unknown, form: PolicyForm): Map<string, string> {
  const placed = new Map<string, string>();
  if (!(error instanceof ApiError)) return placed;
  const add = (path: string, message: string) => {
    const previous = placed.get(path);
    placed.set(path, previous ? `${previous}; ${message}` : message);
  };
  for (const issue of error.errors) {
    const path = normalizePath(issue.path);
    const validation = /^routing\.(.*)$/.exec(path);
    if (validation?.[1] !== undefined) {
      add(validationPath(validation[1]), issue.message);
      continue;
    }
    const compiled = /^keys\.[^.]+\.routing\.(rules\.\d+|default)$/.exec(path);
    if (compiled?.[1] !== undefined) {
      const prefix = compiled[1] === 'default' ? 'default' : `${compiled[1]}.strategy`;
      const strategyForm =
        compiled[1] === 'default' ? form.default : form.rules[Number(compiled[1].split('.')[1])]?.strategy;
      add(targetOfMessage(prefix, strategyForm, issue.message) ?? prefix, issue.message);
    }
  }
  return placed;
}

/** `rules.0.strategy.targets.1.model` → `rules.0.strategy.targets.1`; `rules.0.match.headers.x` → `rules.0.match.headers`. */
function validationPath(path: string): string {
  const target = /^((?:rules\.\d+\.strategy|default)\.(?:targets|fallback)\.\d+)/.exec(path);
  if (target?.[1]) return target[1];
  const match = /^(rules\.\d+\.match\.(?:models|headers|metadata|tags))/.exec(path);
  if (match?.[1]) return match[1];
  const name = /^(rules\.\d+\.name)/.exec(path);
  if (name?.[1]) return name[1];
  const strategyPath = /^(rules\.\d+\.strategy|default)/.exec(path);
  if (strategyPath?.[1]) return strategyPath[1];
  const rule = /^(rules\.\d+)/.exec(path);
  return rule?.[1] ?? 'policy';
}

function targetOfMessage(prefix: string, strategyForm: StrategyForm | undefined, message: string) {
  if (!strategyForm) return undefined;
  const named = (list: TargetForm[], part: string) => {
    const index = list.findIndex((each) => {
      const value = each.value.trim();
      return value !== '' && (message.includes(` ${value} `) || message.endsWith(` ${value}`));
    });
    return index >= 0 ? `${prefix}.${part}.${index}` : undefined;
  };
  return named(strategyForm.targets, 'targets') ?? named(strategyForm.fallback, 'fallback');
}

/** Moves the item at `from` by `delta` places (a new array). */
export function move<T>(list: T[], from: number, delta: number): T[] {
  const to = from + delta;
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

/** The share of traffic each split target gets first, in percent (weights over their sum). */
export function shares(targets: TargetForm[]): number[] {
  const total = targets.reduce((sum, each) => sum + (Number.isFinite(each.weight) ? each.weight : 0), 0);
  return targets.map((each) => (total > 0 ? Math.round((each.weight / total) * 1000) / 10 : 0));
}
