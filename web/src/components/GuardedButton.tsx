import { Button, type ButtonProps, type ElementProps, Tooltip } from '@mantine/core';
import { useCan } from '../api/session';

export interface GuardedButtonProps extends ButtonProps, ElementProps<'button', keyof ButtonProps> {
  /**
   * When set, the button is shown disabled and this text explains why in a tooltip (on hover and keyboard
   * focus). A disabled `<button>` gets no pointer events, so it is only styled as disabled (`data-disabled`,
   * `aria-disabled`) and its click does nothing.
   */
  blockedReason?: string | null;
}

/** A Mantine `Button` that can be disabled with a reason. */
export function GuardedButton({ blockedReason, onClick, ...props }: GuardedButtonProps) {
  if (!blockedReason) return <Button {...props} onClick={onClick} />;
  return (
    <Tooltip
      label={blockedReason}
      withArrow
      multiline
      maw={300}
      events={{ hover: true, focus: true, touch: true }}
    >
      <Button
        {...props}
        loading={false}
        data-disabled
        aria-disabled
        onClick={(event) => event.preventDefault()}
      />
    </Tooltip>
  );
}

/** The tooltip of a change the signed-in role may not make. */
export function missingPermissionText(permission: string): string {
  return `Your role does not have the ${permission} permission.`;
}

/** `null` when the signed-in role grants `permission`, else the text that says which permission is missing. */
export function useMissingPermission(permission: string): string | null {
  return useCan(permission) ? null : missingPermissionText(permission);
}

interface PermissionButtonProps extends GuardedButtonProps {
  /** The permission the button's action needs (e.g. `providers.write`). */
  permission: string;
}

/** A button shown disabled, with a tooltip naming the missing permission, when the role lacks `permission`. */
export function PermissionButton({ permission, blockedReason, ...props }: PermissionButtonProps) {
  const missing = useMissingPermission(permission);
  return <GuardedButton {...props} blockedReason={missing ?? blockedReason} />;
}
