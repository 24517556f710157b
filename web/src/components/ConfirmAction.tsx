import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ErrorAlert } from './ErrorAlert';
import { GuardedButton, PermissionButton } from './GuardedButton';

interface ConfirmActionProps {
  /** Label of the button that opens the confirmation (e.g. "Delete"). */
  label: string;
  /** The accessible name of the opening button when `label` alone is ambiguous (a row's "Delete"). */
  ariaLabel?: string;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  color?: ButtonProps['color'];
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  disabled?: boolean;
  /** The permission the action needs: without it the button is shown disabled, naming the permission. */
  permission?: string;
  /** Another reason the action cannot run now (shown the same way). */
  blockedReason?: string | null;
  /** Runs the action; a rejection keeps the dialog open and shows the problem. */
  onConfirm: () => Promise<unknown>;
}

/** A button that asks for confirmation in a modal before running a destructive action. */
export function ConfirmAction({
  label,
  ariaLabel,
  title,
  message,
  confirmLabel,
  color = 'red',
  variant = 'subtle',
  size = 'xs',
  disabled,
  permission,
  blockedReason,
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

  const trigger = {
    size,
    variant,
    color,
    disabled,
    blockedReason,
    'aria-label': ariaLabel,
    onClick: () => setOpened(true),
    children: label,
  };
  return (
    <>
      {permission ? (
        <PermissionButton permission={permission} {...trigger} />
      ) : (
        <GuardedButton {...trigger} />
      )}
      <Modal opened={opened} onClose={close} title={title} centered>
        <Stack>
          <Text size="sm" component="div">
            {message}
          </Text>
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
