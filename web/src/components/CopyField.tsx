import { Button, Code, CopyButton, Group, Stack } from '@mantine/core';

interface CopyFieldProps {
  value: string;
  /** Render as a multi-line block (e.g. a curl snippet). */
  block?: boolean;
  label?: string;
}

/** A value rendered as text with a copy-to-clipboard button. */
export function CopyField({ value, block = false, label = 'Copy' }: CopyFieldProps) {
  const button = (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button
          size="xs"
          variant={copied ? 'filled' : 'light'}
          color={copied ? 'teal' : undefined}
          onClick={copy}
        >
          {copied ? 'Copied' : label}
        </Button>
      )}
    </CopyButton>
  );
  if (block) {
    return (
      <Stack gap="xs">
        <Code block>{value}</Code>
        <Group justify="flex-end">{button}</Group>
      </Stack>
    );
  }
  return (
    <Group gap="xs" wrap="nowrap">
      <Code style={{ wordBreak: 'break-all' }}>{value}</Code>
      {button}
    </Group>
  );
}
