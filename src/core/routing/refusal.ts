/** Whether a model can serve a request at all: the endpoint of its kind, and the capabilities the request uses. */
import { GatewayError } from '../errors/gateway-error.js';
import { missingCapability } from '../request/capabilities.js';
import type { CompiledModel } from '../snapshot/snapshot.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../wire/openai.js';
import type { Refusal } from './plan-route.js';

/** Why a model cannot serve this request: the wrong endpoint for its kind, or a capability it lacks. */
export function refusal(
  request: ChatCompletionRequest | EmbeddingsRequest,
  model: CompiledModel,
  endpoint: 'chat' | 'embeddings',
): Refusal | undefined {
  const wanted = endpoint === 'chat' ? 'chat' : 'embedding';
  if (model.kind !== wanted) {
    const where = model.kind === 'embedding' ? '/v1/embeddings' : '/v1/chat/completions';
    return {
      reason: 'kind',
      error: new GatewayError(
        'wrong_model_kind',
        `The model \`${model.id}\` is ${model.kind === 'embedding' ? 'an' : 'a'} ${model.kind} model; call it on ${where}.`,
        { param: 'model' },
      ),
    };
  }
  const lacking = missingCapability(request, model.capabilities, endpoint);
  if (!lacking) return undefined;
  return {
    reason: 'capability',
    error: new GatewayError(
      'unsupported_parameter',
      `The model \`${model.id}\` does not support ${lacking.what}; remove \`${lacking.param}\` or use a model that does.`,
      { param: lacking.param },
    ),
  };
}
