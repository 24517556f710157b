/**
 * Reads a request body with a hard size limit. The declared length is checked before reading, and the
 * counted bytes as they arrive, so neither a lying Content-Length nor an endless chunked body is buffered.
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../core/errors/gateway-error.js';

/** Resolves the body text, or rejects with a GatewayError (413 too large, 400 aborted). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        request.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'),
      );
    };
    const onError = () => {
      cleanup();
      reject(new GatewayError('invalid_request', 'The request body could not be read'));
    };
    const onAborted = () => {
      cleanup();
      reject(
        new GatewayError('invalid_request', 'The client closed the connection before sending the whole body'),
      );
    };
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('body_too_large', `The request body is larger than the limit of ${maxBytes} bytes`);
}
