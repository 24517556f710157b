// The gateway's identifier rule for resources such as providers.
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9-]*$/;
export const IDENTIFIER_MAX_LENGTH = 63;

/** Returns an error message, or undefined when `value` is a valid identifier. */
export function validateIdentifier(value: string): string | undefined {
  if (value.length === 0) return 'Required';
  if (value.length > IDENTIFIER_MAX_LENGTH) return `At most ${IDENTIFIER_MAX_LENGTH} characters`;
  if (!/^[a-z]/.test(value)) return 'Must start with a lowercase letter';
  if (!IDENTIFIER_PATTERN.test(value)) return 'Only lowercase letters, digits and hyphens';
  return undefined;
}
