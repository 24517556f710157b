/**
 * Bedrock's failures: the JSON error body of a failed HTTP answer, and the exception messages a ConverseStream
 * can send in place of an event.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamErrorDetail } from '../adapter.js';
import { type BedrockErrorBody, isRecord } from './wire.js';

/** Reads `{"message": ...}` (or `Message`); the code comes from `__type`, or from the `x-amzn-errortype` header. */
export function readBedrockError(
  _status: number,
  text: string,
  headers?: Readonly<Record<string, string | string[] | undefined>>,
): UpstreamErrorDetail {
  const header = headers?.['x-amzn-errortype'];
  const headerType = typeof header === 'string' && header !== '' ? errorTypeName(header) : undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // An HTML page from a load balancer or plain text: never relay it as the provider's message.
    return { message: undefined, providerCode: headerType };
  }
  if (!isRecord(body)) return { message: undefined, providerCode: headerType };
  const fields = body as BedrockErrorBody;
  const message =
    typeof fields.message === 'string'
      ? fields.message
      : typeof fields.Message === 'string'
        ? fields.Message
        : undefined;
  return {
    message,
    providerCode: typeof fields.__type === 'string' ? errorTypeName(fields.__type) : headerType,
  };
}

/** `com.amazon.coral.validate#ValidationException` or `ValidationException:http://...` → `ValidationException`. */
function errorTypeName(type: string): string {
  const afterHash = type.slice(type.lastIndexOf('#') + 1);
  const colon = afterHash.indexOf(':');
  return colon === -1 ? afterHash : afterHash.slice(0, colon);
}

/** The gateway error for an exception message inside a ConverseStream (throttlingException, ...). */
export function streamExceptionError(exceptionType: string, payload: string): GatewayError {
  let message: string | undefined;
  try {
    const body: unknown = JSON.parse(payload);
    if (isRecord(body)) {
      const fields = body as BedrockErrorBody & { originalMessage?: unknown };
      message =
        typeof fields.message === 'string'
          ? fields.message
          : typeof fields.Message === 'string'
            ? fields.Message
            : undefined;
      if (typeof fields.originalMessage === 'string' && fields.originalMessage !== message) {
        message = message ? `${message} (${fields.originalMessage})` : fields.originalMessage;
      }
    }
  } catch {
    // A payload that is not JSON still tells which exception it was.
  }
  const type = exceptionType || 'unknown exception';
  return new GatewayError(
    'upstream_error',
    message ? `Bedrock stream failed with ${type}: ${message}` : `Bedrock stream failed with ${type}`,
  );
}
