import type { FinishReason } from '../../wire/openai.js';

/** OpenAI's finish_reason for a Converse `stopReason`. */
export function mapStopReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, and the malformed_* reasons: the model stopped on its own.
      return 'stop';
  }
}
