import { Alert, List, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/ApiError';

interface ErrorAlertProps {
  error: unknown;
  title?: string;
  children?: ReactNode;
}

/** Shows an API problem's `detail` and its field errors (all rendered as text). */
export function ErrorAlert({ error, title, children }: ErrorAlertProps) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <Alert color="red" variant="light" title={title ?? apiError?.title ?? 'Something went wrong'}>
      <Text size="sm">{errorMessage(error)}</Text>
      {apiError && apiError.errors.length > 0 && (
        <List size="sm" mt="xs">
          {apiError.errors.map((fieldError) => (
            <List.Item key={`${fieldError.path}:${fieldError.message}`}>
              {fieldError.path ? (
                <Text span fw={600} size="sm">
                  {fieldError.path}:{' '}
                </Text>
              ) : null}
              {fieldError.message}
            </List.Item>
          ))}
        </List>
      )}
      {children}
    </Alert>
  );
}
