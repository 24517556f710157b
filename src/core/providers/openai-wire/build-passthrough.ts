/**
 * Request bodies for providers that speak OpenAI's wire format. The hot path forwards the client's own bytes
 * with only the top-level `model` value patched (no parse/stringify round trip, so key order, number
 * spelling and unknown fields survive); only a request that needs a field renamed or dropped is rebuilt, and
 * then from the already parsed request.
 */
import { replaceTopLevelValue, setTopLevelValue } from '../../json/top-level-field.js';
import { withFields } from '../../objects.js';
import type { ChatCompletionRequest } from '../../wire/openai.js';
import type { BuildResult, UpstreamFraming } from '../adapter.js';

/** The client's body with the top-level `model` replaced by `upstreamModel`, or the very same string when the names are equal. */
export function passthroughBody(bodyText: string, requestedModel: string, upstreamModel: string): string {
  if (requestedModel === upstreamModel) return bodyText;
  return replaceTopLevelValue(bodyText, 'model', JSON.stringify(upstreamModel));
}

/**
 * The upstream body of a streamed chat asking for the final usage chunk (`stream_options.include_usage`), so
 * every stream is accounted with the provider's own counts. A body that already asks for it, or that does not
 * stream, is returned as is; otherwise only the top-level `stream_options` value is set (the client's other
 * stream options kept), without re-serialising the rest. The data plane strips the usage chunk again from what
 * a client that did not ask for it receives.
 */
export function withStreamUsage(body: string, request: ChatCompletionRequest): string {
  if (request.stream !== true) return body;
  const options = request.stream_options;
  if (options?.include_usage === true) return body;
  const value =
    typeof options === 'object' && options !== null && !Array.isArray(options)
      ? JSON.stringify(withFields(options, { include_usage: true }))
      : '{"include_usage":true}';
  return setTopLevelValue(body, 'stream_options', value);
}

/** How one provider's request differs from OpenAI's at the top level. */
export interface FieldPlan {
  /** The provider's name in warnings: "`x` is not supported by <label> and was ignored". */
  readonly label: string;
  /** Fields the provider has under another name (OpenAI name → provider name). */
  readonly renamed?: Readonly<Record<string, string>>;
  /** Fields left out without a warning, because leaving them out changes nothing the client can see. */
  readonly ignored?: readonly string[];
  /** Fields the provider rejects: dropped with a warning each. */
  readonly unsupported?: readonly string[];
  /** When given, the only fields the provider accepts (after renaming); every other field is unsupported. */
  readonly accepted?: ReadonlySet<string>;
}

/** The top-level members after a plan was applied. */
export interface FieldEdit {
  /** The members in the client's order, edited; undefined when the plan changed nothing. */
  readonly fields: Record<string, unknown> | undefined;
  readonly warnings: string[];
}

/** The warning for a field that was dropped because the provider does not have it. */
export function unsupportedWarning(field: string, label: string): string {
  return `${field} is not supported by ${label} and was ignored`;
}

/**
 * Applies a field plan to the parsed request. A field whose value is null is dropped without a warning
 * (null means "not set" in OpenAI's API); a renamed field whose new name the client also set is dropped in
 * favour of the client's explicit value.
 */
export function editFields(request: Readonly<Record<string, unknown>>, plan: FieldPlan): FieldEdit {
  const renamed = plan.renamed ?? {};
  const ignored = new Set(plan.ignored ?? []);
  const unsupported = new Set(plan.unsupported ?? []);
  const warnings: string[] = [];
  const fields: Record<string, unknown> = {};
  let changed = false;
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue;
    const target = Object.hasOwn(renamed, key) ? renamed[key] : undefined;
    if (target !== undefined) {
      changed = true;
      if (request[target] !== undefined && request[target] !== null) {
        if (value !== null) warnings.push(`${key} was ignored because ${target} is also set`);
        continue;
      }
      // The provider's own spelling, set to null by the client, is replaced by the OpenAI field's value.
      fields[target] = value;
      continue;
    }
    if (ignored.has(key)) {
      changed = true;
      continue;
    }
    const accepted = key === 'model' || !plan.accepted || plan.accepted.has(key);
    if (unsupported.has(key) || !accepted) {
      changed = true;
      if (value !== null) warnings.push(unsupportedWarning(key, plan.label));
      continue;
    }
    if (Object.hasOwn(fields, key)) continue; // already filled by a renamed field
    fields[key] = value;
  }
  return { fields: changed ? fields : undefined, warnings };
}

/**
 * The upstream body: the client's bytes with `model` patched when nothing else changed, otherwise the
 * edited members serialised with `model` set. `upstreamModel` undefined keeps the client's model.
 */
export function serialiseBody(
  bodyText: string,
  requestedModel: string,
  fields: Record<string, unknown> | undefined,
  upstreamModel: string | undefined,
): string {
  const model = upstreamModel ?? requestedModel;
  if (!fields) return passthroughBody(bodyText, requestedModel, model);
  return JSON.stringify(withFields(fields, { model }));
}

/** Headers every OpenAI-wire request carries. */
export function wireHeaders(stream: boolean): Record<string, string> {
  return stream
    ? { 'content-type': 'application/json', accept: 'text/event-stream' }
    : { 'content-type': 'application/json' };
}

/** A successful build of a request whose answer is relayed as received. */
export function relayedRequest(path: string, body: string, stream: boolean, warnings: string[]): BuildResult {
  const framing: UpstreamFraming = 'openai';
  return {
    ok: true,
    request: { method: 'POST', path, headers: wireHeaders(stream), body, framing },
    warnings,
  };
}
