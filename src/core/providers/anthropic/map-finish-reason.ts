/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`
 * (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons).
 */
import type { FinishReason } from '../../wire/openai.js';

/** Maps a stop reason; unknown or missing reasons read as a normal stop, the least surprising answer. */
export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, and pause_turn (a server-tool turn the client may resume by sending it back).
      return 'stop';
  }
}
