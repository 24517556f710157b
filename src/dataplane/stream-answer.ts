/**
 * The end of a streamed answer, once it is committed: the relay to the client and the result the usage record and
 * the budget settle from. Top-level functions, so that what a stream holds for its whole life is their arguments,
 * not the frames of `answer` and `executePlan` (the request, its body, the plan).
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Deployment } from '../core/snapshot/snapshot.js';
import { settleUsage } from '../core/text/estimate-usage.js';
import type { AttemptRecord, ExecuteInput, ExecutionResult } from './execute.js';
import { relayStream, type StreamEnd, type StreamTranslator } from './relay-stream.js';

/** What a relayed stream keeps for its result (the request itself is not among it). */
export interface RelayedAnswer {
  deployment: Deployment;
  attempts: AttemptRecord[];
  promptTokens: number;
  firstByteMs: number;
}

/** A stream's result: its usage is the provider's, or estimated from the prompt and what was delivered. */
export function streamResult(
  deployment: Deployment,
  attempts: AttemptRecord[],
  translator: StreamTranslator,
  promptTokens: number,
  streamEnd: StreamEnd,
  firstByteMs: number,
): ExecutionResult {
  const settled = settleUsage(
    translator.usage(),
    translator.usageCoversCompletion(),
    () => promptTokens,
    translator.generatedChars(),
  );
  return {
    backend: deployment,
    status: 200,
    attempts,
    usage: settled.usage,
    usageEstimated: settled.estimated,
    streamEnd,
    firstByteMs,
  };
}

/** Relays a committed stream to its end. */
export function relayAnswer(
  response: ServerResponse,
  body: Readable,
  opening: { out: string; done: boolean },
  idleMs: number,
  translator: StreamTranslator,
  relayed: RelayedAnswer,
  beforeComplete: ExecuteInput['beforeComplete'],
): Promise<ExecutionResult> {
  const result = (end: StreamEnd) =>
    streamResult(
      relayed.deployment,
      relayed.attempts,
      translator,
      relayed.promptTokens,
      end,
      relayed.firstByteMs,
    );
  return relayStream(
    response,
    body,
    opening,
    idleMs,
    translator,
    beforeComplete && (() => beforeComplete(result('complete'))),
  ).then((stream) => result(stream.end));
}
