import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ErrorAlert } from './ErrorAlert';

interface ConfirmActionProps {
  /** Label of the button that opens the confirmation (e.g. "Delete"). */
  label: string;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  color?: ButtonProps['color'];
  disabled?: boolean;
  /** Runs the action; a rejection keeps the dialog open and shows the problem. */
  onConfirm: () => Promise<unknown>;
}

/** A button that asks for confirmation in a modal before running a destructive action. */
export function ConfirmAction({
  label,
  title,
  message,
  confirmLabel,
  color = 'red',
  disabled,
  onConfirm,
}: ConfirmActionProps) {
  const [opened, setOpened] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    if (pending) return;
    setOpened(false);
    setError(null);
  };

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      setOpened(false);
    } catch (cause) {
      setError(cause);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <Button size="xs" variant="subtle" color={color} disabled={disabled} onClick={() => setOpened(true)}>
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered>
        <Stack>
          <Text size="sm">{message}</Text>
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={pending}>
              Cancel
            </Button>
            <Button color={color} onClick={confirm} loading={pending}>
              {confirmLabel ?? label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
