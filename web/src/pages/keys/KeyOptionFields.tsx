import { Checkbox, Group, NumberInput, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { fieldError } from '../../api/ApiError';
import { useTargetChoices } from '../../api/routing';
import { todayInputValue } from '../../lib/format';
import type { KeyOptionsDraft } from './keyForm';
import { PairRows } from './PairRows';

interface KeyOptionFieldsProps {
  value: KeyOptionsDraft;
  onChange: (value: KeyOptionsDraft) => void;
  /** The last change's error (field errors are shown next to their field). */
  error: unknown;
  expiresProblem?: string;
  /** Whether the signed-in role may set the operator's controls (allowed models, limits, body capture). */
  operator: boolean;
}

/** Consumer, expiry, metadata, and (for operators) allowed models, per-minute limits and body capture. */
export function KeyOptionFields({ value, onChange, error, expiresProblem, operator }: KeyOptionFieldsProps) {
  const choices = useTargetChoices();
  return (
    <Stack gap="sm">
      <TextInput
        label="Consumer"
        description="Optional: the application or person using this key."
        value={value.consumer}
        onChange={(event) => onChange({ ...value, consumer: event.currentTarget.value })}
        error={fieldError(error, 'consumer')}
      />
      <TextInput
        type="date"
        label="Expires"
        description="Optional: the key stops working after the end of this day. Empty: never."
        min={todayInputValue()}
        value={value.expires}
        onChange={(event) => onChange({ ...value, expires: event.currentTarget.value })}
        error={expiresProblem ?? fieldError(error, 'expiresAt')}
      />
      <div>
        <Text size="sm" fw={500}>
          Metadata
        </Text>
        <Text size="xs" c="dimmed" mb={4}>
          Name/value pairs; routing rules can match them when a request carries no metadata of its own.
        </Text>
        <PairRows
          noun="Key metadata"
          rows={value.metadata}
          onChange={(metadata) => onChange({ ...value, metadata })}
          error={fieldError(error, 'metadata')}
        />
      </div>
      {operator ? (
        <>
          <TagsInput
            label="Allowed models"
            description="The model names this key may request. Empty: any model its audience allows."
            data={choices.data?.models ?? []}
            value={value.allowedModels}
            onChange={(allowedModels) => onChange({ ...value, allowedModels })}
            error={fieldError(error, 'allowedModels')}
            clearable
          />
          <Group grow align="flex-start">
            <NumberInput
              label="Requests per minute"
              description="Empty: no limit"
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              value={value.requestsPerMinute}
              onChange={(n) => onChange({ ...value, requestsPerMinute: typeof n === 'number' ? n : '' })}
              error={fieldError(error, 'requestsPerMinute')}
            />
            <NumberInput
              label="Tokens per minute"
              description="Prompt + completion; empty: no limit"
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              value={value.tokensPerMinute}
              onChange={(n) => onChange({ ...value, tokensPerMinute: typeof n === 'number' ? n : '' })}
              error={fieldError(error, 'tokensPerMinute')}
            />
          </Group>
          <Checkbox
            label="Capture request and answer bodies (redacted) in the request log"
            checked={value.captureBodies}
            onChange={(event) => onChange({ ...value, captureBodies: event.currentTarget.checked })}
          />
        </>
      ) : (
        <Text size="xs" c="dimmed">
          Allowed models, per-minute limits and body capture are set by an operator.
        </Text>
      )}
    </Stack>
  );
}
