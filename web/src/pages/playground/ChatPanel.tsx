import {
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  NumberInput,
  Paper,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { type ChatMessage, type GatewayModel, type ResponseInfo, runChat } from '../../api/playground';
import type { StreamUsage } from '../../lib/sse';
import { RequestFacts } from './RequestFacts';

interface UserTurn {
  id: number;
  role: 'user';
  content: string;
}

interface AssistantTurn {
  id: number;
  role: 'assistant';
  /** The model asked (the one selected when it was sent). */
  model: string;
  content: string;
  reasoning: string;
  state: 'streaming' | 'complete' | 'stopped' | 'error';
  error: string | null;
  requestId: string | null;
  info: ResponseInfo | null;
  usage: StreamUsage | null;
  finishReason: string | null;
  firstTokenMs: number | null;
  totalMs: number | null;
}

type Turn = UserTurn | AssistantTurn;

/** Model output and prompts: plain text with its whitespace kept, never HTML or rendered markdown. */
const PLAIN_TEXT = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;

function numberOrUndefined(value: number | string): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function AnswerView({ turn, index }: { turn: AssistantTurn; index: number }) {
  return (
    <Paper
      withBorder
      p="sm"
      component="article"
      aria-label={`Answer ${index}`}
      aria-busy={turn.state === 'streaming'}
    >
      <Group gap="xs" mb={4}>
        <Text size="xs" fw={600}>
          Assistant
        </Text>
        <Text size="xs" c="dimmed">
          {turn.model}
        </Text>
        {turn.state === 'streaming' ? <Loader size="xs" aria-label="Streaming the answer" /> : null}
        {turn.state === 'stopped' ? (
          <Badge size="xs" color="gray" variant="light">
            stopped
          </Badge>
        ) : null}
        {turn.finishReason === 'length' ? (
          <Badge size="xs" color="yellow" variant="light">
            cut at max tokens
          </Badge>
        ) : null}
      </Group>
      {turn.reasoning ? (
        <Text size="xs" c="dimmed" style={PLAIN_TEXT} mb="xs" aria-label="Reasoning">
          {turn.reasoning}
        </Text>
      ) : null}
      {turn.content ? (
        <Text size="sm" style={PLAIN_TEXT}>
          {turn.content}
        </Text>
      ) : turn.state === 'complete' ? (
        <Text size="sm" c="dimmed">
          (empty answer)
        </Text>
      ) : null}
      {turn.state === 'error' ? (
        <Alert color="red" variant="light" mt="xs" p="xs" title="The request failed">
          <Text size="sm" style={PLAIN_TEXT}>
            {turn.error}
          </Text>
        </Alert>
      ) : null}
      {turn.state === 'stopped' ? (
        <Text size="xs" c="dimmed" mt="xs">
          Stopped here: the gateway cancels the upstream request.
        </Text>
      ) : null}
      {turn.state === 'streaming' ? null : (
        <Stack mt="xs" gap={0}>
          <RequestFacts
            requestId={turn.requestId}
            info={turn.info}
            totalMs={turn.totalMs}
            firstTokenMs={turn.firstTokenMs}
            promptTokens={turn.usage?.promptTokens}
            completionTokens={turn.usage?.completionTokens}
          />
        </Stack>
      )}
    </Paper>
  );
}

function UserView({ turn }: { turn: UserTurn }) {
  return (
    <Paper p="sm" bg="var(--mantine-color-default-hover)" component="article" aria-label="Your message">
      <Text size="xs" fw={600} mb={4}>
        You
      </Text>
      <Text size="sm" style={PLAIN_TEXT}>
        {turn.content}
      </Text>
    </Paper>
  );
}

interface ChatPanelProps {
  apiKey: string;
  model: GatewayModel;
}

/**
 * Chat mode: a system prompt, the conversation, temperature and max tokens. Send streams the answer
 * (`stream: true` with usage) unless the model is declared without streaming; Stop aborts it.
 */
export function ChatPanel({ apiKey, model }: ChatPanelProps) {
  const [system, setSystem] = useState('');
  const [temperature, setTemperature] = useState<number | string>('');
  const [maxTokens, setMaxTokens] = useState<number | string>('');
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const lastId = useRef(0);

  // Leaving the page (or forgetting the key) stops an answer under way.
  useEffect(() => () => controller.current?.abort(), []);

  const streaming = model.capabilities?.streaming !== false;

  const send = async () => {
    const text = draft;
    if (text.trim() === '' || busy) return;
    const messages: ChatMessage[] = [];
    if (system.trim() !== '') messages.push({ role: 'system', content: system });
    for (const turn of turns) {
      if (turn.role === 'user') messages.push({ role: 'user', content: turn.content });
      else if (turn.content !== '') messages.push({ role: 'assistant', content: turn.content });
    }
    messages.push({ role: 'user', content: text });

    lastId.current += 2;
    const answerId = lastId.current;
    setTurns((current) => [
      ...current,
      { id: answerId - 1, role: 'user', content: text },
      {
        id: answerId,
        role: 'assistant',
        model: model.id,
        content: '',
        reasoning: '',
        state: 'streaming',
        error: null,
        requestId: null,
        info: null,
        usage: null,
        finishReason: null,
        firstTokenMs: null,
        totalMs: null,
      },
    ]);
    setDraft('');
    setBusy(true);
    const update = (change: (turn: AssistantTurn) => Partial<AssistantTurn>) =>
      setTurns((current) =>
        current.map((turn) =>
          turn.id === answerId && turn.role === 'assistant' ? { ...turn, ...change(turn) } : turn,
        ),
      );
    const abort = new AbortController();
    controller.current = abort;
    const outcome = await runChat(
      apiKey,
      {
        model: model.id,
        messages,
        temperature: numberOrUndefined(temperature),
        maxTokens: numberOrUndefined(maxTokens),
        stream: streaming,
      },
      {
        onOpen: (info) => update(() => ({ info })),
        onText: (piece) => update((turn) => ({ content: turn.content + piece })),
        onReasoning: (piece) => update((turn) => ({ reasoning: turn.reasoning + piece })),
      },
      abort.signal,
    );
    update(() => ({
      state: outcome.end,
      error: outcome.error,
      requestId: outcome.requestId,
      info: outcome.info,
      usage: outcome.usage,
      finishReason: outcome.finishReason,
      firstTokenMs: outcome.firstTokenMs,
      totalMs: outcome.totalMs,
    }));
    if (controller.current === abort) controller.current = null;
    setBusy(false);
  };

  let answers = 0;
  return (
    <Stack>
      <Textarea
        label="System prompt"
        description="Optional; sent first with every request of this conversation."
        value={system}
        onChange={(event) => setSystem(event.currentTarget.value)}
        autosize
        minRows={2}
        maxRows={8}
      />
      <Group grow align="flex-start">
        <NumberInput
          label="Temperature"
          description="0 to 2; empty: the model's default"
          value={temperature}
          onChange={setTemperature}
          min={0}
          max={2}
          step={0.1}
          decimalScale={2}
        />
        <NumberInput
          label="Max tokens"
          description={
            model.context_window
              ? `Empty: no limit sent (context window ${model.context_window})`
              : 'Empty: no limit sent'
          }
          value={maxTokens}
          onChange={setMaxTokens}
          min={1}
          allowDecimal={false}
          allowNegative={false}
        />
      </Group>
      {streaming ? null : (
        <Text size="xs" c="dimmed">
          This model is not declared with streaming: answers arrive whole.
        </Text>
      )}

      <Stack gap="xs" role="log" aria-label="Conversation">
        {turns.length === 0 ? (
          <Text size="sm" c="dimmed">
            No messages yet. Write one below and press Send.
          </Text>
        ) : (
          turns.map((turn) => {
            if (turn.role === 'user') return <UserView key={turn.id} turn={turn} />;
            answers += 1;
            return <AnswerView key={turn.id} turn={turn} index={answers} />;
          })
        )}
      </Stack>

      <Textarea
        label="Message"
        description="Ctrl+Enter (⌘+Enter) sends."
        value={draft}
        onChange={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void send();
          }
        }}
        autosize
        minRows={3}
        maxRows={12}
      />
      <Group justify="space-between">
        <Button
          variant="subtle"
          color="gray"
          onClick={() => setTurns([])}
          disabled={busy || turns.length === 0}
        >
          Clear conversation
        </Button>
        <Group gap="xs">
          <Button variant="default" color="red" onClick={() => controller.current?.abort()} disabled={!busy}>
            Stop
          </Button>
          <Button onClick={() => void send()} loading={busy} disabled={draft.trim() === ''}>
            Send
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
