import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';

interface GuardedConfirmProps {
  /** The permission the action needs: without it the button is shown disabled with the reason. */
  permission: string;
  /** Another reason the action cannot run now (shown the same way). */
  blockedReason?: string | null;
  label: string;
  /** The accessible name of the opening button when `label` alone is ambiguous (a row's "Delete"). */
  ariaLabel?: string;
  title: string;
  message: ReactNode;
  confirmLabel?: string;
  color?: ButtonProps['color'];
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
  /** Runs the action; a rejection keeps the dialog open and shows the problem. */
  onConfirm: () => Promise<unknown>;
}

/** A permission-guarded button that asks for confirmation in a modal before running its action. */
export function GuardedConfirm({
  permission,
  blockedReason,
  label,
  ariaLabel,
  title,
  message,
  confirmLabel,
  color = 'red',
  variant = 'subtle',
  size = 'xs',
  onConfirm,
}: GuardedConfirmProps) {
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
      <PermissionButton
        permission={permission}
        blockedReason={blockedReason}
        size={size}
        variant={variant}
        color={color}
        aria-label={ariaLabel}
        onClick={() => setOpened(true)}
      >
        {label}
      </PermissionButton>
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
