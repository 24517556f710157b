import { PasswordInput, Stack, Text, Textarea, TextInput } from '@mantine/core';
import type { AuthMethodName } from '../../api/providers';
import { type CredentialState, credentialKind, errorFor, type FieldErrors } from './connectForm';

interface CredentialFieldsProps {
  method: AuthMethodName;
  value: CredentialState;
  onChange: (patch: Partial<CredentialState>) => void;
  errors: FieldErrors;
  /** Prefix of the labels ("New" in the rotation dialog). */
  labelPrefix?: string;
}

const keyLabels: Partial<Record<AuthMethodName, string>> = {
  'api-key': 'API key',
  bearer: 'Bearer token',
  'azure-api-key': 'Azure api-key',
};

/**
 * The inputs a managed auth method needs: an API key, Azure's api-key, an AWS access key id and secret, or a
 * GCP service-account key file. Write-only: the server keeps them encrypted and shows only a hint afterwards.
 */
export function CredentialFields({ method, value, onChange, errors, labelPrefix }: CredentialFieldsProps) {
  // "New API key", "New service account key": a leading word is lower-cased, an acronym kept.
  const label = (text: string) =>
    labelPrefix
      ? `${labelPrefix} ${/^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text}`
      : text;
  const kind = credentialKind(method);
  if (kind === 'key') {
    return (
      <PasswordInput
        label={label(keyLabels[method] ?? 'API key')}
        description="Write-only: stored encrypted, only a masked hint is shown afterwards."
        autoComplete="new-password"
        value={value.apiKey}
        onChange={(event) => onChange({ apiKey: event.currentTarget.value })}
        error={errorFor(errors, 'apiKey')}
        required
      />
    );
  }
  if (kind === 'aws') {
    return (
      <Stack gap="sm">
        <TextInput
          label={label('AWS access key ID')}
          placeholder="AKIA…"
          autoComplete="off"
          spellCheck={false}
          value={value.accessKeyId}
          onChange={(event) => onChange({ accessKeyId: event.currentTarget.value })}
          error={errorFor(errors, 'awsCredentials.accessKeyId')}
          required
        />
        <PasswordInput
          label={label('AWS secret access key')}
          description="Write-only: stored encrypted, only the access key id's ends are shown afterwards."
          autoComplete="new-password"
          value={value.secretAccessKey}
          onChange={(event) => onChange({ secretAccessKey: event.currentTarget.value })}
          error={errors['awsCredentials.secretAccessKey']}
          required
        />
        <PasswordInput
          label={label('AWS session token (optional)')}
          description="Only for temporary credentials (ASIA…)."
          autoComplete="new-password"
          value={value.sessionToken}
          onChange={(event) => onChange({ sessionToken: event.currentTarget.value })}
          error={errors['awsCredentials.sessionToken']}
        />
      </Stack>
    );
  }
  if (kind === 'service-account') {
    return (
      <Textarea
        label={label('Service account key (JSON)')}
        description="Paste the whole key file downloaded from Google Cloud. Write-only: stored encrypted."
        autosize
        minRows={4}
        maxRows={10}
        autoComplete="off"
        spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        value={value.serviceAccount}
        onChange={(event) => onChange({ serviceAccount: event.currentTarget.value })}
        error={errorFor(errors, 'serviceAccount')}
        required
      />
    );
  }
  return (
    <Text size="sm" c="dimmed">
      This auth method sends no credential.
    </Text>
  );
}
