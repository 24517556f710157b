import { EmptyState } from '@mantine/core';
import type { ReactNode } from 'react';

interface EmptyMessageProps {
  title: string;
  description: ReactNode;
  action?: ReactNode;
}

/** Shown when a list is empty; says what to do next. */
export function EmptyMessage({ title, description, action }: EmptyMessageProps) {
  return (
    <EmptyState title={title} description={description} py="xl">
      {action}
    </EmptyState>
  );
}
